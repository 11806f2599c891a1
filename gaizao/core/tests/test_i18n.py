"""zh-Hans by default, English selectable (issue 2), catalogs complete.

See docs/i18n.md for how strings are written and catalogs kept up to date.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

GAIZAO = Path(__file__).resolve().parents[2]
PO_FILES = sorted(p for p in GAIZAO.rglob("locale/*/LC_MESSAGES/django.po"))


def _english_client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert r.status_code == 302
    return c


@pytest.mark.django_db
def test_new_visitor_gets_chinese_whatever_the_browser_asks():
    r = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = r.content.decode()
    assert r.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "用户名" in body and "Username" not in body


@pytest.mark.django_db
def test_anonymous_visitor_switches_the_login_page_to_english():
    c = _english_client()
    assert c.cookies["django_language"].value == "en"
    assert c.cookies["django_language"]["max-age"]  # survives closing the browser
    body = c.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in body
    assert "Username" in body and "Password" in body and "Sign in" in body
    assert "用户名" not in body


@pytest.mark.django_db
def test_english_persists_across_pages_for_staff(users, cast):
    c = _english_client(users["district"])
    home = c.get("/").content.decode()
    # header nav and brand
    assert "Compound register" in home and "Eligibility" in home
    assert "Renovation plans" in home and "Sign out" in home
    assert "小区台账" not in home
    reserve = c.get("/eligibility/").content.decode()
    assert "Eligibility · Project reserve" in reserve
    assert "Evaluated at" in reserve and "Filter" in reserve
    assert "Needs review" in reserve  # verdict cards, translated at display
    plans = c.get("/plans/").content.decode()
    assert "Renovation plans (one plan per compound)" in plans
    # and back to Chinese
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "改造方案(一院一策)" in c.get("/plans/").content.decode()


def _entries(path: Path):
    """(msgid, msgstr, flags) of every entry but the header; a small parser so
    the test needs no third-party library."""
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        parts: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if m:
                key = m.group(1)
                parts[key] = ast.literal_eval(f'"{m.group(2)}"')
            elif line.startswith('"') and key:
                parts[key] += ast.literal_eval(line)
        if parts.get("msgid"):
            strs = [v for k, v in parts.items() if k.startswith("msgstr")]
            # compiled catalogs key a msgid with context as "context\x04msgid"
            ctx = parts.get("msgctxt")
            yield (f"{ctx}\x04" if ctx else "") + parts["msgid"], strs, flags


def test_catalogs_exist_for_every_app_that_has_strings():
    apps = {p.relative_to(GAIZAO).parts[0] for p in PO_FILES}
    assert {"locale", "core", "accounts", "regions", "eligibility", "plans", "stewardship"} <= apps


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(GAIZAO)))
def test_catalog_is_complete(po):
    """No empty and no fuzzy msgstr: run makemessages, translate, compile."""
    problems = [
        f"{'fuzzy' if 'fuzzy' in flags else 'empty'}: {msgid}"
        for msgid, strs, flags in _entries(po)
        if "fuzzy" in flags or not all(strs)
    ]
    assert not problems, f"{po}: " + "; ".join(problems[:10])


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(GAIZAO)))
def test_catalog_is_compiled(po):
    """The committed .mo holds exactly what the .po says (file times are not
    reliable after a git checkout, so compare the content)."""
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} missing: run compilemessages"
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    stale = [msgid for msgid, strs, _flags in _entries(po) if compiled.get(msgid) != strs[0]]
    assert not stale, f"{mo} is stale (run compilemessages): {stale[:5]}"


@pytest.mark.parametrize(
    "source, english",
    [
        ("老旧小区改造管理", "Old residential compound renovation"),  # project level
        ("操作记录", "Audit trail"),  # core
        ("街道办事处", "Street office"),  # accounts
        ("行政区划", "Administrative area"),  # regions
        ("符合改造范围", "Eligible"),  # eligibility
        ("改造方案(一院一策)", "Renovation plans (one plan per compound)"),  # plans
        ("长效管理安排", "Long-term management arrangements"),  # stewardship
    ],
)
def test_compiled_catalogs_translate(source, english):
    with translation.override("en"):
        assert translation.gettext(source) == english
    with translation.override("zh-hans"):
        assert translation.gettext(source) == source

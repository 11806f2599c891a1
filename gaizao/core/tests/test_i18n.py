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


@pytest.fixture(autouse=True)
def _back_to_default_language():
    """LocaleMiddleware leaves the last request's language active in the thread;
    a later test in the same worker must not start out in English."""
    yield
    translation.activate("zh-hans")


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
    assert {
        "locale",
        "core",
        "accounts",
        "regions",
        "inventory",
        "consultation",
        "eligibility",
        "plans",
        "stewardship",
        "feedback",
        "site",
    } <= apps


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
    # A plural entry is compiled under (msgid, 0), (msgid, 1), …
    stale = [
        msgid
        for msgid, strs, _flags in _entries(po)
        if compiled.get(msgid, compiled.get((msgid, 0))) != strs[0]
    ]
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
        ("老旧小区台账", "Old residential compound register"),  # inventory
        ("业主共同决定表决结果证明", "Certificate of the result of the owners' joint decision"),
        ("已整改,待确认", "Fixed, awaiting confirmation"),  # feedback
    ],
)
def test_compiled_catalogs_translate(source, english):
    with translation.override("en"):
        assert translation.gettext(source) == english
    with translation.override("zh-hans"):
        assert translation.gettext(source) == source


# Inventory and consultation ----------------------------------------------------


def _open_vote(cast):
    """An open owners' vote (art. 278 item 7) on compound_a, through the service."""
    from datetime import timedelta

    from django.utils import timezone

    from gaizao.consultation import services

    staff = cast["users"]["community_tianxiang"]
    now = timezone.now()
    vote = services.vote_create(
        actor=staff,
        compound=cast["compound_a"],
        matter=7,
        title="加装电梯",
        description="",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        notice_days=7,
        # announced 16 days ago (15 days' notice before opening)
        now=now - timedelta(days=16),
    )
    services.vote_open(actor=staff, vote=vote)
    return vote


@pytest.mark.django_db
def test_english_compound_list_detail_and_survey_form(users, cast):
    c = _english_client(users["district"])
    listing = c.get("/compounds/").content.decode()
    assert "Old residential compound register" in listing
    assert "Compound name" in listing and "Year built" in listing and "Export to Excel" in listing
    assert "老旧小区台账" not in listing and "小区名称" not in listing
    pk = cast["compound_a"].pk
    detail = c.get(f"/compounds/{pk}/").content.decode()
    assert "Basic facts" in detail and "Owner register" in detail and "Audit trail" in detail
    assert "基本情况" not in detail and "业主名册" not in detail
    survey = _english_client(users["street_jinchen"]).get(f"/compounds/{pk}/survey/")
    body = survey.content.decode()
    assert survey.status_code == 200
    assert "Save survey" in body and "Water supply pipes" in body and "Worn" in body
    assert "保存调查" not in body and "供水管线管道" not in body
    # the map's strings live in its script
    assert '"{count} compounds"' in c.get("/compounds/map/").content.decode()


@pytest.mark.django_db
def test_english_resident_portal_and_vote_page(users, cast):
    vote = _open_vote(cast)
    c = _english_client(users["resident_a"])
    portal = c.get("/participate/").content.decode()
    assert "Open surveys and votes" in portal and "Vote now" in portal
    assert "Owners' vote: " in portal and "Renovation progress" in portal
    assert "正在进行的征询和表决" not in portal and "去表决" not in portal
    page = c.get(f"/participate/vote/{vote.pk}/").content.decode()
    assert "Agree" in page and "Oppose" in page and "Abstain" in page
    assert "Rebuilding or reconstructing the buildings and their facilities" in page
    assert "quorum" in page and "participating owners" in page
    assert "同意" not in page and "弃权" not in page
    # data stays as recorded
    assert "加装电梯" in page


@pytest.mark.django_db
def test_chinese_default_for_inventory_and_consultation(users, cast):
    vote = _open_vote(cast)
    c = Client()
    c.force_login(users["district"])
    listing = c.get("/compounds/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "老旧小区台账" in listing and "Compound name" not in listing
    r = Client()
    r.force_login(users["resident_a"])
    page = r.get(f"/participate/vote/{vote.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "同意" in page and "弃权" in page and "Abstain" not in page

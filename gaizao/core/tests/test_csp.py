"""Issue 9 #10: a Content-Security-Policy without inline scripts; HSTS over
HTTPS is tested with the settings (test_settings)."""

import re
from pathlib import Path

import gaizao

ROOT = Path(gaizao.__file__).parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""href\s*=\s*["']\s*javascript:""", re.I)


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in ROOT.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for rx in (INLINE_SCRIPT, HANDLER, JS_URL):
            for m in rx.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(0)[:60]}")
    assert offenders == []


def test_pages_send_a_policy_that_forbids_inline_scripts(client_for, users):
    for c, url in [
        (client_for(None), "/accounts/login/"),
        (client_for(users["street_jinchen"]), "/"),
        (client_for(users["street_jinchen"]), "/compounds/map/"),
    ]:
        r = c.get(url)
        assert r.status_code == 200, url
        policy = r["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", policy).group(1)
        assert script_src.strip() == "'self'", policy
        assert "unsafe-inline" not in script_src and "object-src 'none'" in policy

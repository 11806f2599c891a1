"""Screenshot a gaizao page as a user sees it (headless Debian Chromium).

    /opt/pw/bin/python scripts/shoot.py URL OUT.png [--user U --password P]
        [--width 390] [--height 844] [--full]

Logs in through the login form first when --user is given. Needs the
`playwright` Python package (not a project dependency:
`python3 -m venv /opt/pw && /opt/pw/bin/pip install playwright`) and
/usr/bin/chromium (Debian packages chromium, fonts-noto-cjk).
"""

import argparse
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("out")
    p.add_argument("--user")
    p.add_argument("--password", default="gaizao2020")
    p.add_argument("--width", type=int, default=390)
    p.add_argument("--height", type=int, default=844)
    p.add_argument("--full", action="store_true")
    a = p.parse_args()
    base = "{0.scheme}://{0.netloc}".format(urlsplit(a.url))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(
            viewport={"width": a.width, "height": a.height}, device_scale_factor=1, locale="zh-CN"
        )
        if a.user:
            page.goto(base + "/accounts/login/")
            page.fill("#id_username", a.user)
            page.fill("#id_password", a.password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
        page.goto(a.url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=a.out, full_page=a.full)
        browser.close()
    print(a.out)


if __name__ == "__main__":
    main()

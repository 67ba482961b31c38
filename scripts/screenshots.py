"""Screenshots of the viewer's pages in headless Chromium, for looking at a change and for docs/screenshots.

Against a running ``cvmon serve`` (for the README's pictures: the database of ``cvmon demo`` and the
example cameras.yaml, see README "Web viewer and API"):

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 admin --out /tmp/shots
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 admin --docs docs/screenshots

The password is read from CVMON_SCREENSHOT_PASSWORD. ``--out`` writes every page at 1366x768 and
390x844 in Indonesian and English (``NAME-LANG-WIDTH.png``); ``--docs`` writes the README's pictures
(Indonesian, 1280 wide, whole page).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu"]
SIZES = ((1366, 768), (390, 844))
# name: path; {camera} is the first camera of the set-up list
PAGES = {
    "dashboard": "/",
    "camera": "/cameras/{camera}",
    "alerts": "/alerts?state=all",
    "reports": "/reports",
    "evidence": "/evidence",
    "pack": "/evidence/pack",
    "audit": "/admin/audit",
    "users": "/admin/users",
    "cameras": "/admin/cameras",
    "camera-setup": "/admin/cameras/{camera}",
    "zone-editor": "/admin/cameras/{camera}/zones",
    "privacy": "/privacy",
}
DOCS = ("dashboard", "camera", "camera-setup", "zone-editor")


def _sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_selector("[data-testid=signed-in]")


def _first_camera(page: Page) -> str:
    page.goto("/")
    return page.locator("[data-camera]").first.get_attribute("data-camera") or ""


def _shoot(page: Page, path: str, target: Path, full_page: bool) -> None:
    response = page.goto(path)
    if response is None or response.status >= 400:
        raise SystemExit(f"{path}: HTTP {response.status if response else 'no answer'}")
    if "/zones" in path:  # the editor fetches an anonymised snapshot first (the source is opened, people found)
        page.wait_for_selector("#zone-editor[data-snapshot]", state="attached", timeout=90_000)
    if path.startswith("/admin/cameras/") and path.count("/") == 3:  # the camera form: run its connection test
        page.locator("[data-probe-url]").click()
        page.wait_for_selector("[data-testid=probe-ok], #probe-result .error", timeout=90_000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(target), full_page=full_page)
    print(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("username")
    parser.add_argument("--out", type=Path, help="every page, both sizes and languages")
    parser.add_argument("--docs", type=Path, help="the README's pictures")
    parser.add_argument("--only", nargs="*", default=None, help="page names (default: all)")
    args = parser.parse_args()
    password = os.environ.get("CVMON_SCREENSHOT_PASSWORD")
    if not password:
        print("set CVMON_SCREENSHOT_PASSWORD", file=sys.stderr)
        return 2
    names = args.only or list(PAGES)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        jobs: list[tuple[str, int, int, Path, bool]] = []
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            for lang in ("id", "en"):
                for width, height in SIZES:
                    for name in names:
                        jobs.append((lang, width, height, args.out / f"{name}-{lang}-{width}.png", False))
        if args.docs:
            jobs += [("id", 1280, 900, args.docs / f"{name}.png", True) for name in DOCS if name in names]
        contexts: dict[tuple[str, int, int], tuple[Page, str]] = {}
        for lang, width, height, target, full_page in jobs:
            key = (lang, width, height)
            if key not in contexts:
                context = browser.new_context(
                    base_url=args.url, viewport={"width": width, "height": height}, locale="en-US"
                )
                page = context.new_page()
                _sign_in(page, args.username, password)
                page.goto(f"/lang/{lang}?next=/")
                contexts[key] = (page, _first_camera(page))
            page, camera = contexts[key]
            name = target.stem.split("-id-")[0].split("-en-")[0]
            _shoot(page, PAGES[name].format(camera=camera), target, full_page)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

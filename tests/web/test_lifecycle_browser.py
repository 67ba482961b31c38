"""A camera and a zone taken out of cameras.yaml leave the dashboard in a real headless Chromium, in
both languages, also after the tiles refresh by themselves; the unit's other camera stays."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cvmon.config import parse_config
from cvmon.storage.config_history import sync_config
from tests.api.conftest import CONFIG, Seeded, sqlite_only
from tests.web.live import screenshot
from tests.web.test_viewer_browser import new_page, server_url  # noqa: F401

pytestmark = sqlite_only  # the dashboard's SQL runs on both databases in test_lifecycle_pages
HEADINGS = {"id": "Dasbor", "en": "Dashboard"}


def _remove_camera_b_and_zone_staff_a(seeded: Seeded) -> None:
    data = copy.deepcopy(CONFIG)
    data["cameras"] = [c for c in data["cameras"] if c["id"] != "cam-b"]
    data["cameras"][0]["zones"] = [z for z in data["cameras"][0]["zones"] if z["id"] != "staff-a"]
    sync_config(seeded.db, parse_config(data))


@pytest.mark.parametrize("language", ["id", "en"])
def test_removed_camera_and_zone_leave_the_dashboard(  # type: ignore[no-untyped-def]
    new_page,  # noqa: F811
    seeded: Seeded,
    language: str,
    tmp_path: Path,
) -> None:
    page: Page = new_page("manager", language)
    page.goto("/")
    expect(page.locator("[data-camera='cam-b']").first).to_be_visible()
    expect(page.locator("[data-zone='staff-a']").first).to_be_visible()

    _remove_camera_b_and_zone_staff_a(seeded)
    page.reload()
    expect(page.locator("[data-camera='cam-a']").first).to_be_visible()
    expect(page.locator("[data-zone='queue-a']").first).to_be_visible()
    expect(page.locator("[data-camera='cam-b']")).to_have_count(0)
    expect(page.locator("[data-zone='staff-a']")).to_have_count(0)
    expect(page.locator("[data-unit='ulp-cakra']").first).to_be_visible()  # the unit stays, without its camera
    screenshot(page, tmp_path, f"dashboard-after-removal-{language}")

    tiles = page.request.get("/ui/tiles")  # what the page's own refresh fetches
    assert tiles.ok
    assert 'data-camera="cam-a"' in tiles.text() and 'data-camera="cam-b"' not in tiles.text()

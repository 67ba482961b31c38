"""The viewer's date pickers, unit tree picker and data-protection notice in a real headless Chromium.

The browser runs with an American locale on purpose: the pickers must show the page's language and
the project's format (``23 Nov 2026``, ``09.00``) whatever the browser's own locale would give.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from cvmon.config import parse_config
from cvmon.i18n.dates import format_day
from cvmon.server import create_app
from tests.api.conftest import CONFIG, FAST_PASSWORDS, NOW, PASSWORD, FakeClock, Seeded, make_settings, sqlite_only
from tests.web.live import TIMEOUT_MS, serving

pytestmark = sqlite_only  # what is tested here is the browser side; the pages' SQL runs on both in test_pages


def _config() -> dict:
    config = copy.deepcopy(CONFIG)
    config["defaults"] = {"evidence": {"periodic_every_min": 10}}
    return config


@pytest.fixture
def server_url(seeded: Seeded, clock: FakeClock) -> Iterator[str]:
    settings = make_settings(environment="development")
    app = create_app(
        settings,
        database=seeded.db,
        evidence_dir=seeded.evidence_root,
        clock=clock,
        passwords=FAST_PASSWORDS,
        config=parse_config(_config()),
    )
    with serving(app) as url:
        yield url


@pytest.fixture
def new_page(chromium: Browser, server_url: str) -> Iterator[object]:
    contexts = []

    def make(username: str | None = None, language: str = "id") -> Page:
        context = chromium.new_context(base_url=server_url, locale="en-US", timezone_id="America/New_York")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        if language == "en":
            page.goto("/lang/en?next=/privacy")
        if username is not None:
            page.goto("/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            expect(page.get_by_test_id("signed-in")).to_contain_text(username)
        return page

    yield make
    for context in contexts:
        context.close()


def _shown(page: Page, name: str) -> str:
    """The text of the field flatpickr shows for the form field ``name``."""
    return page.locator(f"input[data-picker-shown='{name}']").input_value()


def test_day_picker_shows_the_pages_language_and_submits_iso(new_page) -> None:  # type: ignore[no-untyped-def]
    page: Page = new_page("pic-a")
    page.goto("/cameras/cam-a?day=2026-11-23")
    assert _shown(page, "day") == "23 Nov 2026" == format_day(NOW.date(), "id")
    assert page.locator("input[name=day]").input_value() == "2026-11-23"
    page.locator("input[data-picker-shown='day']").click()
    calendar = page.locator(".flatpickr-calendar.open")
    expect(calendar.locator(".flatpickr-monthDropdown-months")).to_contain_text("November")
    expect(calendar.locator(".flatpickr-weekday").first).to_have_text("Sen")  # Monday first, Indonesian
    calendar.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text=re.compile(r"^17$")).click()
    assert _shown(page, "day") == "17 Nov 2026"
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(re.compile(r"[?&]day=2026-11-17$"))
    assert _shown(page, "day") == "17 Nov 2026"

    page.goto("/lang/en?next=/cameras/cam-a%3Fday%3D2026-08-17")
    assert _shown(page, "day") == "17 Aug 2026"
    page.goto("/lang/id?next=/cameras/cam-a%3Fday%3D2026-08-17")
    assert _shown(page, "day") == "17 Agu 2026"


def test_typed_day_is_read_in_the_project_format_and_a_bad_one_gets_a_422_page(new_page) -> None:  # type: ignore[no-untyped-def]
    page: Page = new_page("pic-a")
    page.goto("/cameras/cam-a?day=2026-11-23")
    shown = page.locator("input[data-picker-shown='day']")
    shown.fill("5 Des 2026")
    shown.press("Tab")  # leaving the field reads what was typed
    assert page.locator("input[name=day]").input_value() == "2026-12-05"
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(re.compile(r"[?&]day=2026-12-05$"))
    response = page.goto("/cameras/cam-a?day=12/05/2026")
    assert response is not None and response.status == 422
    expect(page.locator("main")).to_contain_text("Tanggal tidak valid: 12/05/2026")


def test_time_pickers_are_24_hour_in_the_pages_language(new_page) -> None:  # type: ignore[no-untyped-def]
    page: Page = new_page("auditor")
    page.goto("/evidence/pack?unit=ulp-ampenan&date=2026-11-23&from=09:00&to=14:30")
    assert _shown(page, "from") == "09.00" and _shown(page, "to") == "14.30"
    assert _shown(page, "date") == "23 Nov 2026"
    assert page.locator("input[name=to]").input_value() == "14:30"
    english: Page = new_page("auditor", "en")
    english.goto("/evidence/pack?unit=ulp-ampenan&date=2026-11-23&from=09:00&to=14:30")
    assert _shown(english, "to") == "14:30"  # not 2:30 PM, though the browser is American
    english.locator("input[data-picker-shown='to']").click()
    expect(english.locator(".flatpickr-calendar.open .flatpickr-am-pm")).to_have_count(0)


USERS_WORDS = {
    "id": {"save": "Simpan", "saved": "Pengguna pic-b disimpan.", "never": "belum pernah"},
    "en": {"save": "Save", "saved": "User pic-b saved.", "never": "never"},
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_unit_tree_picker_sets_a_users_units(new_page, language: str) -> None:  # type: ignore[no-untyped-def]
    words = USERS_WORDS[language]
    page: Page = new_page("admin", language)
    page.goto("/admin/users")
    row = page.locator("tr[data-user='pic-b']")
    picker = row.get_by_test_id("unit-picker")
    expect(picker.locator("summary")).to_have_text("ULP Cakranegara")
    picker.locator("summary").click()
    labels = picker.locator("li label")
    tree = ["UIW UIW NTB", "UP3 UP3 Bima", "ULP ULP Bima Kota", "UP3 UP3 Mataram", "ULP ULP Ampenan"]
    tree.append("ULP ULP Cakranegara")
    expect(labels).to_have_text(tree)
    paddings = picker.locator("li").evaluate_all("items => items.map(item => item.style.paddingLeft)")
    indent = [float(v.rstrip("rem") or 0) for v in paddings]
    assert indent == [0, 1.1, 2.2, 1.1, 2.2, 2.2]  # the tree, depth first
    picker.get_by_label("ULP Ampenan").check()
    row.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_role("status")).to_have_text(words["saved"])
    saved = page.locator("tr[data-user='pic-b']").get_by_test_id("unit-picker")
    expect(saved.locator("summary")).to_have_text("ULP Ampenan, ULP Cakranegara")
    expect(page.locator("tr[data-user='admin']").get_by_test_id("last-sign-in")).to_contain_text("WITA")
    expect(page.locator("tr[data-user='viewer']").get_by_test_id("last-sign-in")).to_have_text(words["never"])


@pytest.mark.parametrize(
    ("language", "periodic", "viewer"),
    [
        ("id", "Selain itu, setiap 10 menit selama jam layanan", "Pemantau"),
        ("en", "Besides, every 10 minutes during service hours", "Viewer"),
    ],
)
def test_notice_says_what_the_configuration_keeps(new_page, language: str, periodic: str, viewer: str) -> None:  # type: ignore[no-untyped-def]
    page: Page = new_page(None, language)
    page.goto("/privacy")
    pictures = page.get_by_test_id("snapshots")
    expect(pictures).to_contain_text(periodic)
    expect(pictures).to_contain_text("Ruang tunggu Ampenan, cam-b, cam-c")
    roles = page.get_by_test_id("roles")
    expect(roles.locator("tr[data-role='viewer'] th")).to_have_text(viewer)
    expect(roles.locator("tr[data-role='viewer'] td[data-pictures='false']")).to_be_visible()
    expect(page.get_by_test_id("retention")).to_be_visible()

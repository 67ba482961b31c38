"""End to end in a real headless Chromium (Debian's, driven by Playwright) against the app served by uvicorn.

A PIC signs in, sees only their unit, acknowledges and resolves an alert and opens evidence, which
the admin then finds in the audit log; a viewer cannot open evidence; a user of another unit gets
nothing; the dashboard's tiles refresh by themselves. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from cvmon.server import create_app
from cvmon.storage.minutes import MinuteRepository
from tests.api.conftest import FAST_PASSWORDS, NOW, PASSWORD, FakeClock, Seeded, make_settings
from tests.storage.conftest import make_minute_row
from tests.web.live import TIMEOUT_MS, serving


@dataclass
class LiveServer:
    url: str
    seeded: Seeded
    clock: FakeClock


@pytest.fixture
def live_server(seeded: Seeded, clock: FakeClock) -> Iterator[LiveServer]:
    # Development settings: plain-HTTP cookies, as on a trial install; the secret is still set.
    settings = make_settings(environment="development", tile_refresh_s=2)
    app = create_app(
        settings, database=seeded.db, evidence_dir=seeded.evidence_root, clock=clock, passwords=FAST_PASSWORDS
    )
    with serving(app) as url:
        yield LiveServer(url, seeded, clock)


@pytest.fixture
def open_page(chromium: Browser, live_server: LiveServer) -> Iterator[object]:
    contexts = []

    def signed_in(username: str) -> Page:
        context = chromium.new_context(base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto("/")
        expect(page).to_have_url(f"{live_server.url}/login?next=/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        expect(page.get_by_test_id("signed-in")).to_contain_text(username)
        return page

    yield signed_in
    for context in contexts:
        context.close()


def test_pic_follows_up_an_alert_and_opens_evidence(open_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    alert_id = live_server.seeded.alerts["cam-a"]
    evidence_id = live_server.seeded.evidence["cam-a"]
    page: Page = open_page("pic-a")

    expect(page.locator("[data-camera]")).to_have_count(1)
    expect(page.locator("[data-camera='cam-a']")).to_be_visible()
    expect(page.locator("[data-unit]")).to_have_count(1)
    expect(page.locator("[data-unit='ulp-ampenan']")).to_be_visible()

    page.click("a[href='/alerts']")
    row = page.locator(f"tr[data-alert='{alert_id}']")
    expect(page.locator("tr[data-alert]")).to_have_count(1)
    row.get_by_test_id("ack").click()
    expect(page.get_by_role("status")).to_have_text(f"Peringatan #{alert_id} ditangani.")
    expect(row.get_by_test_id("alert-status")).to_have_text("Ditangani")

    row.locator("summary").click()
    row.locator("select[name=category]").select_option("room_fix")
    row.locator("textarea[name=note]").fill("Kursi tambahan dipasang di ruang tunggu")
    row.get_by_test_id("resolve").click()
    expect(page.get_by_role("status")).to_have_text(f"Peringatan #{alert_id} diselesaikan.")
    page.goto("/alerts?state=all")
    resolved = page.locator(f"tr[data-alert='{alert_id}']")
    expect(resolved.get_by_test_id("alert-status")).to_have_text("Selesai")
    expect(resolved).to_contain_text("Perbaikan ruangan: Kursi tambahan dipasang di ruang tunggu")

    page.click("a[href='/evidence']")
    expect(page.locator("tr[data-evidence]")).to_have_count(1)
    page.get_by_test_id("open-evidence").click()
    image = page.get_by_test_id("evidence-image")
    expect(image).to_be_visible()
    # polled through the element (a wait_for_function string needs eval, which the page's CSP refuses)
    expect(image).to_have_js_property("naturalWidth", 160)

    admin: Page = open_page("admin")
    admin.goto("/admin/audit?action=evidence.view")
    entries = admin.locator("tr[data-action='evidence.view']")
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text("pic-a")
    expect(entries).to_contain_text(f"evidence:{evidence_id}")
    admin.goto("/admin/audit?actor=pic-a")
    expect(admin.locator("tr[data-action='alert.ack']")).to_have_count(1)
    expect(admin.locator("tr[data-action='alert.resolve']")).to_contain_text("room_fix")


def test_viewer_cannot_open_evidence(open_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    evidence_id = live_server.seeded.evidence["cam-a"]
    page: Page = open_page("viewer")
    expect(page.locator("[data-camera]")).to_have_count(2)  # figures of both ULPs under UP3 Mataram
    expect(page.locator("a[href='/evidence']")).to_have_count(0)
    response = page.goto("/evidence")
    assert response is not None and response.status == 403
    expect(page.locator(".error")).to_have_text("Peran Anda tidak boleh membuka halaman ini.")
    response = page.goto(f"/api/evidence/{evidence_id}/image")
    assert response is not None and response.status == 403
    page.goto("/cameras/cam-a")
    expect(page.get_by_test_id("latest-frame")).to_have_count(0)
    expect(page.locator("tr[data-alert] [data-testid=ack]")).to_have_count(0)


def test_user_of_another_unit_gets_nothing(open_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    seeded = live_server.seeded
    page: Page = open_page("pic-b")
    expect(page.locator("[data-camera]")).to_have_count(1)
    expect(page.locator("[data-camera='cam-a']")).to_have_count(0)
    for path in (
        "/cameras/cam-a",
        f"/evidence/{seeded.evidence['cam-a']}",
        f"/api/evidence/{seeded.evidence['cam-a']}/image",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
    page.goto("/alerts?state=all")
    expect(page.locator(f"tr[data-alert='{seeded.alerts['cam-a']}']")).to_have_count(0)
    expect(page.locator(f"tr[data-alert='{seeded.alerts['cam-b']}']")).to_have_count(1)


def test_dashboard_tiles_refresh_by_themselves(open_page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page: Page = open_page("pic-a")
    count = page.locator("[data-camera='cam-a'] tr[data-zone='queue-a'] [data-testid=count]")
    expect(count).to_contain_text("4")
    minute = NOW - timedelta(minutes=1)
    MinuteRepository(live_server.seeded.db).write_minutes(
        [make_minute_row("cam-a", "queue-a", minute, count_sum=300 * 7, count_max=9)], [], source="test"
    )
    expect(count).to_contain_text("7", timeout=TIMEOUT_MS)
    expect(count).to_contain_text("maks 9")
    assert page.url.endswith("/")  # the page itself was not reloaded

"""The morning checklist (/room) in a real headless Chromium, in both languages, at 1366x768 and 390x844:
the opening verdict, each region's status, the pictures (served through the audited evidence endpoint),
and an admin marking the camera's empty-room picture as its reference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.room_scenes import REGIONS
from cvmon.config import parse_config
from cvmon.evidence.room_picture import reference_picture
from cvmon.server import create_app
from cvmon.storage import Database
from cvmon.storage.config_history import sync_config
from cvmon.storage.evidence import EvidenceRepository
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.room import current_references, mark_reference
from cvmon.storage.users import UserRepository
from tests.api.conftest import FAST_PASSWORDS, PASSWORD, SEED_ACTOR, FakeClock, make_settings, sqlite_only
from tests.conftest import ONE_BY_ONE
from tests.pipeline.test_room_stage import EMPTY, at, feed, stage, with_box
from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    postgres_admin,
    postgres_template,
    sqlite_template,
)
from tests.web.live import TIMEOUT_MS, screenshot, serving

pytestmark = [sqlite_only, pytest.mark.skipif(not ONE_BY_ONE.is_file(), reason="needs the shared footage")]
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
WORDS = {
    "id": {
        "opening": "Saat buka",
        "verdict": "Belum siap",
        "changed": "Berubah",
        "same": "Sesuai acuan",
        "marked": "Foto acuan disimpan.",
    },
    "en": {
        "opening": "At opening",
        "verdict": "Not ready",
        "changed": "Changed",
        "same": "As reference",
        "marked": "Reference picture stored.",
    },
}
NAMES = {"meja-informasi": "Meja informasi", "lantai-kanan": "Lantai kanan"}


def office_config():  # type: ignore[no-untyped-def]
    regions = [{"id": r.id, "name": NAMES.get(r.id), "points": [list(p) for p in r.points]} for r in REGIONS]
    return parse_config(
        {
            "units": [{"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp"}],
            "cameras": [
                {
                    "id": "hall",
                    "name": "Ruang tunggu",
                    "unit": "ulp-ampenan",
                    "source": "x.mp4",
                    "room": {"regions": regions},
                }
            ],
        }
    )


@pytest.fixture
def room_url(database: Database, tmp_path: Path) -> Iterator[tuple[str, Database, EvidenceStore]]:  # noqa: F811
    config = office_config()
    sync_config(database, config)
    store = EvidenceStore(tmp_path / "evidence")
    room = stage()
    from bench.room_scenes import frames, reference

    mark_reference(database, store, "hall", at(6, 0), reference_picture(reference(), [], []), SEED_ACTOR, "file")
    feed(room, at(7, 35), with_box())
    feed(room, at(8, 0), with_box())  # not ready at opening: a box on the floor right of the table
    feed(room, at(9, 0), frames((EMPTY,))[EMPTY])  # tidied up
    evidence = EvidenceRepository(database, store)
    for shot in room.pop_snapshots():
        evidence.add("hall", shot.kind, shot.ts, shot.jpeg, shot.counts)
    store.write_candidate("hall", reference_picture(frames((EMPTY,))[EMPTY], [], []))
    UserRepository(database, FAST_PASSWORDS).add(
        "admin-a", PASSWORD, "admin", ["ulp-ampenan"], actor=SEED_ACTOR, now=at(9, 30)
    )
    app = create_app(
        make_settings(environment="development"),
        database=database,
        evidence_dir=store.root,
        clock=FakeClock(at(10, 0)),
        passwords=FAST_PASSWORDS,
        config=config,
    )
    with serving(app) as url:
        yield url, database, store


def _page(chromium: Browser, url: str, language: str, size: tuple[int, int]) -> Page:
    context = chromium.new_context(base_url=url, viewport={"width": size[0], "height": size[1]}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    if language == "en":
        page.goto("/lang/en?next=/login")
    page.goto("/login")
    page.fill("input[name=username]", "admin-a")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page.get_by_test_id("signed-in")).to_contain_text("admin-a")
    return page


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_checklist_shows_the_opening_verdict_regions_and_pictures(  # type: ignore[no-untyped-def]
    chromium, room_url: tuple[str, Database, EvidenceStore], language: str, screen: str, tmp_path: Path
) -> None:
    url, db, store = room_url
    page = _page(chromium, url, language, SIZES[screen])
    page.goto("/room?unit=ulp-ampenan&day=2026-11-23")
    card = page.get_by_test_id("room-hall")
    expect(card.get_by_test_id("opening-verdict")).to_have_text(
        f"{WORDS[language]['opening']}: {WORDS[language]['verdict']}"
    )
    changed = card.locator("tr[data-region=lantai-kanan] td")
    expect(changed.nth(0)).to_have_text(NAMES["lantai-kanan"])
    expect(changed.nth(1)).to_have_text(WORDS[language]["changed"])  # at opening
    expect(changed.nth(2)).to_have_text(WORDS[language]["same"])  # tidied by the latest check
    expect(card.locator("tr[data-region=meja-informasi] td").nth(1)).to_have_text(WORDS[language]["same"])
    for testid in ("room-picture_opening", "room-picture_latest", "room-picture_reference"):
        picture = card.get_by_test_id(testid)
        expect(picture).to_be_visible()
        picture.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
    screenshot(page, tmp_path, f"room-{language}-{screen}", docs=(language, screen) == ("id", "desktop"))

    before = current_references(db, ["hall"])["hall"]
    card.locator("details.room-mark summary").click()
    expect(card.get_by_test_id("room-candidate")).to_be_visible()
    card.get_by_test_id("mark-reference").click()
    expect(page.get_by_test_id("room-done")).to_have_text(WORDS[language]["marked"])
    after = current_references(db, ["hall"])["hall"]
    assert after.id > before.id and store.reference_path("hall").is_file()
    page.context.close()

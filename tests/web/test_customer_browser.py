"""The report's customer sections in a real headless Chromium, in both languages, at 1366x768 and 390x844:
the ratings, the mystery-shopper index and touchpoints beside the camera figures, the merged quick wins with
their source, the satisfaction chart that fits the screen, and a visit's evidence pack one click away."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from cvmon.imports.run import import_shopper_scores
from cvmon.imports.shopper import SHOPPER_COLUMNS
from cvmon.imports.table import text_records
from cvmon.server import create_app
from cvmon.storage import Database
from cvmon.storage.audit import AuditActor
from cvmon.storage.users import UserRepository
from tests.api.conftest import FAST_PASSWORDS, PASSWORD, SEED_ACTOR, FakeClock, make_settings, sqlite_only
from tests.imports.conftest import SHOPPER_HEADER, UNITS, csv_text
from tests.reports.conftest import M3
from tests.reports.test_satisfaction import DAYS, _seed
from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    postgres_admin,
    postgres_template,
    sqlite_template,
)
from tests.web.live import TIMEOUT_MS, screenshot, serving

pytestmark = sqlite_only  # the report's SQL runs on both databases in tests/reports

QUERY = f"unit=ulp-ampenan&from={DAYS[0]}&to={DAYS[-1]}"
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
WORDS = {
    "id": ("Pelanggan dan mystery shopper", "Apa yang memengaruhi kepuasan", "Buka paket bukti", "Mystery shopper"),
    "en": ("Customers and mystery shoppers", "What moves satisfaction", "Open the evidence pack", "Mystery shopper"),
}
PACK_HEADING = {"id": "Paket bukti", "en": "Evidence pack"}
SHOPPER = [
    ["ulp-ampenan", "2026-11-05", "09:10", "loket", "Salam 4S", 2, 3, 5],
    ["ulp-ampenan", "2026-11-05", "09:10", "loket", "Waktu layanan", 1, 5, 5],
    ["ulp-ampenan", "2026-11-05", "09:10", "satpam", "Menyapa", 1, 80, ""],
]


@pytest.fixture
def report_url(database: Database, tmp_path: Path) -> Iterator[str]:  # noqa: F811
    config = _seed(database, DAYS)
    records = text_records(csv_text(SHOPPER_HEADER, SHOPPER), SHOPPER_COLUMNS, "s.csv")
    import_shopper_scores(database, records, UNITS, AuditActor("cli:test"), datetime(2026, 12, 1, tzinfo=UTC), "s")
    UserRepository(database, FAST_PASSWORDS).add("pic-a", PASSWORD, "pic", ["up3-mataram"], actor=SEED_ACTOR, now=M3)
    app = create_app(
        make_settings(environment="development"),
        database=database,
        evidence_dir=tmp_path / "evidence",
        clock=FakeClock(M3),
        passwords=FAST_PASSWORDS,
        config=config,
    )
    with serving(app) as url:
        yield url


def _page(chromium: Browser, url: str, language: str, size: tuple[int, int]) -> Page:
    width, height = size
    context = chromium.new_context(base_url=url, viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    if language == "en":
        page.goto("/lang/en?next=/login")
    page.goto("/login")
    page.fill("input[name=username]", "pic-a")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page.get_by_test_id("signed-in")).to_contain_text("pic-a")
    return page


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_customer_sections_read_on_the_screen_and_a_visit_opens_its_pack(  # type: ignore[no-untyped-def]
    chromium, report_url: str, language: str, screen: str, tmp_path: Path
) -> None:
    page = _page(chromium, report_url, language, SIZES[screen])
    page.goto(f"/reports?{QUERY}")
    customer, moves = page.get_by_test_id("customer"), page.get_by_test_id("satisfaction")
    title, moves_title, open_pack, source = WORDS[language]
    expect(customer.locator("h2")).to_have_text(title)
    expect(moves.locator("h2")).to_have_text(moves_title)
    expect(page.get_by_test_id("shopper-index-box")).to_contain_text("75")
    expect(page.locator("[data-testid=ratings] tr.total [data-figure=csat]")).to_be_visible()
    shopper_wins = page.locator("ol[data-testid=quick-wins] > li[data-source=mystery_shopper]")
    expect(shopper_wins).to_have_count(2)
    expect(shopper_wins.first.get_by_test_id("qw-source")).to_have_text(source)
    row = page.locator("[data-testid=relations] tr[data-relation='queue_over_pct/csat']")
    expect(row).to_have_attribute("data-verdict", "negative")
    wide, narrow = moves.locator("figure.chart.wide"), moves.locator("figure.chart.narrow")
    shown, hidden = (wide, narrow) if screen == "desktop" else (narrow, wide)
    expect(shown).to_be_visible()
    expect(hidden).to_be_hidden()
    box = shown.locator("svg").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= SIZES[screen][0] + 1
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
    customer.screenshot(path=str(tmp_path / f"customer-{language}-{screen}.png"))
    moves.screenshot(path=str(tmp_path / f"satisfaction-{language}-{screen}.png"))
    page.locator("ol[data-testid=quick-wins]").screenshot(path=str(tmp_path / f"quick-wins-{language}-{screen}.png"))
    screenshot(page, tmp_path, f"report-customer-{language}-{screen}")

    link = page.get_by_test_id("visit-pack")
    expect(link).to_have_text(open_pack)
    link.click()
    expect(page.locator("h1, h2", has_text=PACK_HEADING[language]).first).to_be_visible()
    assert "from=08%3A55" in page.url and "to=10%3A10" in page.url
    page.context.close()


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_ranking_shows_both_indices_on_a_phone(chromium, report_url: str, language: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = _page(chromium, report_url, language, SIZES["phone"])
    page.goto(f"/reports?unit=up3-mataram&from={DAYS[0]}&to={DAYS[-1]}")
    ranking = page.get_by_test_id("ranking")
    heading = {"id": "Indeks mystery shopper", "en": "Mystery-shopper index"}[language]
    expect(ranking.locator("thead")).to_contain_text(heading)
    expect(ranking.locator("tr[data-unit=ulp-ampenan] [data-testid=shopper-index]")).to_have_text("75%")
    expect(ranking.locator("tr[data-unit=ulp-cakra] [data-testid=shopper-index]")).to_have_text("–")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
    ranking.screenshot(path=str(tmp_path / f"ranking-{language}-phone.png"))
    page.context.close()

"""The report page in a real headless Chromium, in both languages, at 1366x768 and on a phone-sized screen.

The HTML's figures are checked in tests/reports/test_report_outputs.py; here what a reader sees: quick
wins lowest first and each below its target, the chart that fits the screen (wide or narrow) with a
0-100 % axis, no sideways scrolling of the page, and the PDF download.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from cvmon.config.models import Config
from cvmon.server import create_app
from cvmon.storage import Database
from cvmon.storage.users import UserRepository
from tests.api.conftest import FAST_PASSWORDS, PASSWORD, SEED_ACTOR, FakeClock, make_settings, sqlite_only
from tests.reports.conftest import M3, report_db  # noqa: F401
from tests.web.live import TIMEOUT_MS, screenshot, serving

pytestmark = sqlite_only  # the report's SQL runs on both databases in tests/reports

UNIT_QUERY = "unit=ulp-ampenan&from=2026-11-23&to=2026-11-23"
ROLLUP_QUERY = "unit=up3-mataram&from=2026-11-23&to=2026-11-23"
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
HEADINGS = {"id": "Quick win: aspek di bawah target", "en": "Quick wins: aspects below their target"}
PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s?%")


@pytest.fixture
def report_url(report_db: tuple[Database, Config], tmp_path: Path) -> Iterator[str]:  # noqa: F811
    db, config = report_db
    UserRepository(db, FAST_PASSWORDS).add("pic-a", PASSWORD, "pic", ["up3-mataram"], actor=SEED_ACTOR, now=M3)
    app = create_app(
        make_settings(environment="development"),
        database=db,
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


def _number(text: str) -> float:
    found = PERCENT.search(text)
    assert found, text
    return float(found.group(1).replace(",", "."))


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_report_reads_on_the_screen_it_is_shown_on(  # type: ignore[no-untyped-def]
    chromium, report_url: str, language: str, screen: str, tmp_path: Path
) -> None:
    page = _page(chromium, report_url, language, SIZES[screen])
    page.goto(f"/reports?{UNIT_QUERY}")
    expect(page.locator("h2", has_text=HEADINGS[language])).to_be_visible()

    wins = page.locator("ol[data-testid=quick-wins] > li[data-aspect]")
    assert wins.count() >= 2
    scores, targets = [], []
    for i in range(wins.count()):
        head = wins.nth(i).locator(".qw-head")
        expect(head).to_be_visible()
        scores.append(_number(head.locator("strong").inner_text()))
        targets.append(_number(head.locator(".muted").inner_text()))
        expect(wins.nth(i).get_by_test_id("qw-figure")).to_be_visible()
    assert scores == sorted(scores), "quick wins are listed lowest first"
    assert all(score < target for score, target in zip(scores, targets, strict=True))

    wide, narrow = page.locator("figure.chart.wide").first, page.locator("figure.chart.narrow").first
    shown = wide if screen == "desktop" else narrow
    hidden = narrow if screen == "desktop" else wide
    expect(shown).to_be_visible()
    expect(hidden).to_be_hidden()
    box = shown.locator("svg").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= SIZES[screen][0] + 1
    axis = " ".join(shown.locator("svg .axis text").all_text_contents())
    assert re.search(r"100\s?%", axis) and re.search(r"(^|\D)0\s?%", axis), axis
    assert not re.search(r"100[.,]0", axis), "the axis reads whole percents"
    _no_sideways_scroll(page)
    screenshot(page, tmp_path, f"report-{language}-{screen}", docs=(language, screen) == ("id", "desktop"))

    with page.expect_download() as download:
        page.get_by_test_id("pdf").click()
    pdf = Path(download.value.path())
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")
    page.context.close()


@pytest.mark.parametrize("language", ["id", "en"])
def test_rolled_up_report_ranks_units_on_a_phone(chromium, report_url: str, language: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = _page(chromium, report_url, language, SIZES["phone"])
    page.goto(f"/reports?{ROLLUP_QUERY}")
    ranking = page.get_by_test_id("ranking")
    expect(ranking).to_contain_text("ULP Ampenan")
    expect(ranking).to_contain_text("ULP Cakranegara")
    _no_sideways_scroll(page)
    screenshot(page, tmp_path, f"report-ranking-{language}-phone")
    page.context.close()

"""Filtering the alert list and acknowledging several alerts at once in a real headless Chromium, in both languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from cvmon.storage.alerts import AlertRepository
from cvmon.storage.audit import AuditAction, AuditRepository
from cvmon.types import AlertChange, ChangeKind, Rule
from tests.api.conftest import T0, Seeded, sqlite_only
from tests.web.test_viewer_browser import new_page, server_url  # noqa: F401

pytestmark = sqlite_only  # the pages' SQL runs on both databases in test_list_pages

WORDS = {
    "id": {
        "filter": "Saring",
        "rule": "Waktu tunggu lama",
        "state": "Kondisi berlangsung",
        "bulk": "Tangani yang dipilih",
    },
    "en": {"filter": "Filter", "rule": "Long wait", "state": "Condition ongoing", "bulk": "Acknowledge selected"},
}
DONE = {"id": "2 peringatan ditangani.", "en": "2 alerts acknowledged."}
ACKED = {"id": "Ditangani", "en": "Acknowledged"}


def _alerts(seeded: Seeded, rule: Rule, minutes: list[int], *, cleared: bool = False) -> list[int]:
    repo = AlertRepository(seeded.db)
    ids = []
    for m in minutes:
        at = T0 + timedelta(minutes=m)
        changes = [AlertChange(rule, "queue-a", ChangeKind.OPENED, at, 5.0, at)]
        if cleared:
            changes.append(AlertChange(rule, "queue-a", ChangeKind.CLEARED, at + timedelta(minutes=3), 1.0, at))
        ids.append(repo.apply_changes("ulp-ampenan", "cam-a", changes)[0].alert_id)
    return ids


def _shown_rows(page: Page) -> list[int]:
    return [int(v) for v in page.locator("tr[data-alert]").evaluate_all("rows => rows.map(r => r.dataset.alert)")]


@pytest.mark.parametrize("language", ["id", "en"])
def test_alerts_filtered_by_rule_state_and_day(new_page, seeded: Seeded, language: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ongoing = _alerts(seeded, Rule.LONG_WAIT, [10, 20])
    _alerts(seeded, Rule.LONG_WAIT, [30], cleared=True)
    next_day = _alerts(seeded, Rule.LONG_WAIT, [16 * 60])  # 01:00 WITA on 24 Nov
    words = WORDS[language]
    page: Page = new_page("manager", language)
    page.goto("/alerts")
    page.get_by_test_id("rule-filter").select_option(label=words["rule"])
    page.get_by_test_id("state-filter").select_option(label=words["state"])
    page.get_by_test_id("unit-filter").select_option("ulp-ampenan")
    shown_day = page.locator("input[data-picker-shown='to']")
    shown_day.fill("23 Nov 2026")
    shown_day.press("Tab")
    page.get_by_role("button", name=words["filter"], exact=True).click()
    expect(page).to_have_url(re.compile(r"unit=ulp-ampenan&camera=&rule=long_wait&state=ongoing&from=&to=2026-11-23$"))
    assert _shown_rows(page) == list(reversed(ongoing))
    expect(page.get_by_test_id("shown-rows")).to_have_text("1–2 " + ("dari" if language == "id" else "of") + " 2")
    expect(page.get_by_test_id("rule-filter")).to_have_value("long_wait")
    assert page.locator("input[data-picker-shown='to']").input_value() == "23 Nov 2026"
    page.locator("input[data-picker-shown='to']").fill("")
    page.locator("input[data-picker-shown='to']").press("Tab")
    page.get_by_role("button", name=words["filter"], exact=True).click()
    assert _shown_rows(page) == [next_day[0], *reversed(ongoing)]


@pytest.mark.parametrize("language", ["id", "en"])
def test_bulk_acknowledge_ticks_all_then_acks_with_one_click(new_page, seeded: Seeded, language: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    first, second = _alerts(seeded, Rule.QUEUE_LONG, [10, 20])
    seeded_a = seeded.alerts["cam-a"]
    page: Page = new_page("pic-a", language)
    page.goto("/alerts")
    picks = page.get_by_test_id("pick")
    expect(picks).to_have_count(3)
    page.get_by_test_id("check-all").check()
    for i in range(3):
        expect(picks.nth(i)).to_be_checked()
    page.locator(f"tr[data-alert='{seeded_a}']").get_by_test_id("pick").uncheck()
    page.get_by_role("button", name=WORDS[language]["bulk"]).click()
    expect(page.get_by_test_id("bulk-result")).to_have_text(DONE[language])
    for alert_id in (first, second):
        expect(page.locator(f"tr[data-alert='{alert_id}']").get_by_test_id("alert-status")).to_have_text(
            ACKED[language]
        )
    expect(page.locator(f"tr[data-alert='{seeded_a}']").get_by_test_id("pick")).to_be_visible()
    expect(page.get_by_test_id("pick")).to_have_count(1)
    rows = AuditRepository(seeded.db).find(action=AuditAction.ALERT_ACK.value)
    assert sorted(r.target for r in rows) == sorted([f"alert:{first}", f"alert:{second}"])

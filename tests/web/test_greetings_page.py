"""The greetings page: each staff zone's arrivals by local hour and for the day, within the user's units."""

from __future__ import annotations

import re
from datetime import timedelta

from cvmon.storage.minutes import MinuteRepository
from tests.api.conftest import T0, sqlite_only
from tests.storage.conftest import make_minute_row
from tests.web.conftest import Browser

DAY = "2026-11-23"


def _seed_greetings(web: Browser) -> None:
    """Counter staff-a of cam-a: 09:00 WITA 3 arrivals (2 greeted, 1 not visible), 10:00 WITA 2 (1 missed, 1
    greeted, 1 seated). Written as a second part of minutes the seed already has, so its figures stay."""
    rows = [
        make_minute_row("cam-a", "staff-a", T0 + timedelta(minutes=5), zone_kind="counter_staff", visit_durations=(),
                        greet_arrivals=3, greeted=2, greet_unseen=1),
        make_minute_row("cam-a", "staff-a", T0 + timedelta(hours=1, minutes=2), zone_kind="counter_staff",
                        visit_durations=(), greet_arrivals=2, greeted=1, greet_missed=1, seated=1),
    ]  # fmt: skip
    MinuteRepository(web.api.seeded.db).write_minutes(rows, source="greetings-test")


def _rows(text: str) -> dict[str, list[str]]:
    rows = re.findall(r'<tr data-zone="cam-a/staff-a" data-hour="([^"]+)"[^>]*>(.*?)</tr>', text, re.DOTALL)
    return {hour: re.findall(r'<td class="num">([^<]*)</td>', body) for hour, body in rows}


@sqlite_only
def test_greetings_by_hour_and_for_the_day_in_both_languages(web: Browser) -> None:
    _seed_greetings(web)
    client, _ = web.login("pic-a")
    page = client.get(f"/greetings?day={DAY}")
    assert page.status_code == 200
    assert _rows(page.text) == {
        "9": ["3", "2", "0", "1", "0", "100 %"],
        "10": ["2", "1", "1", "0", "1", "50 %"],
        "day": ["5", "3", "1", "1", "1", "75 %"],
    }
    assert "Tidak terlihat" in page.text
    client.get("/lang/en")
    english = client.get(f"/greetings?day={DAY}").text
    assert "Not visible" in english and _rows(english)["day"][-1] == "75 %"


@sqlite_only
def test_greetings_stay_within_the_users_units_and_say_when_there_are_none(web: Browser) -> None:
    _seed_greetings(web)
    client, _ = web.login("pic-b")  # ULP Cakranegara: not cam-a's unit
    page = client.get(f"/greetings?day={DAY}")
    assert page.status_code == 200 and _rows(page.text) == {} and 'data-testid="greetings-none"' in page.text
    assert client.get(f"/greetings?day={DAY}&unit=ulp-ampenan").status_code == 404
    assert client.get("/greetings?day=not-a-day").status_code == 422
    assert web.client().get("/greetings", follow_redirects=False).status_code in (303, 401)

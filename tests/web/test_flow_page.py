"""The flow page: a unit's journeys by local hour and as a funnel, cameras added up by counts only."""

from __future__ import annotations

import re
from datetime import timedelta

from cvmon.histogram import DurationHistogram
from cvmon.storage.minutes import MinuteRepository
from tests.api.conftest import T0, sqlite_only
from tests.storage.conftest import make_minute_row
from tests.web.conftest import Browser

DAY = "2026-11-23"


def _seed_flow(web: Browser) -> None:
    """The door camera (cam-a, ULP Ampenan) sees 4 arrivals at 09:10 WITA, 3 met by the guard; the hall
    camera (cam-b, ULP Cakranegara) sees 3 customers queue at 10:05, 1 leave, 2 reach a counter (120 s
    and 300 s journeys on a camera that also sees its door)."""
    rows = [
        make_minute_row("cam-a", "queue-a", T0 + timedelta(minutes=10), visit_durations=(), arrivals=4, met_at_door=3),
        make_minute_row("cam-b", "queue-b", T0 + timedelta(hours=1, minutes=5), visit_durations=(), queued=3,
                        abandoned=1, reached_counter=2, journey_seconds_sum=420.0,
                        journey_hist=DurationHistogram.of([120.0, 300.0])),
    ]  # fmt: skip
    MinuteRepository(web.api.seeded.db).write_minutes(rows, source="flow-test")


def _rows(text: str) -> dict[str, list[str]]:
    rows = re.findall(r'<tr data-hour="([^"]+)"[^>]*>(.*?)</tr>', text, re.DOTALL)
    return {hour: re.findall(r'<td class="num">([^<]*)</td>', body) for hour, body in rows}


@sqlite_only
def test_the_unit_above_both_cameras_adds_their_counts_by_hour_and_in_the_funnel(web: Browser) -> None:
    _seed_flow(web)
    client, _ = web.login("manager")  # UP3 Mataram: both ULPs
    page = client.get(f"/flow?day={DAY}")
    assert page.status_code == 200
    assert _rows(page.text) == {
        "9": ["4", "3", "0", "0", "0", "0", "0", "0", "–"],
        "10": ["0", "0", "0", "3", "1", "2", "0", "0", "33.3 %"],
        "day": ["4", "3", "0", "3", "1", "2", "0", "0", "33.3 %"],
    }
    funnel = dict(re.findall(r'<tr data-step="([^"]+)"><th>[^<]*</th><td class="num">(\d+)</td>', page.text))
    assert funnel == {
        "arrivals": "4",
        "met_at_door": "3",
        "guided_before_queue": "0",
        "queued": "3",
        "reached_counter": "2",
    }
    assert "Datang di pintu" in page.text
    client.get("/lang/en")
    english = client.get(f"/flow?day={DAY}").text
    assert "Arrived at the door" in english and "nobody is re-identified between cameras" in english


@sqlite_only
def test_a_unit_sees_only_its_cameras_flow(web: Browser) -> None:
    _seed_flow(web)
    client, _ = web.login("pic-a")  # ULP Ampenan: the door camera only
    assert _rows(client.get(f"/flow?day={DAY}").text)["day"][:6] == ["4", "3", "0", "0", "0", "0"]
    other, _ = web.login("pic-b")
    assert _rows(other.get(f"/flow?day={DAY}").text)["day"][3:6] == ["3", "1", "2"]
    assert other.get(f"/flow?day={DAY}&unit=ulp-ampenan").status_code == 404
    assert 'data-testid="flow-none"' in other.get("/flow?day=2026-11-24").text

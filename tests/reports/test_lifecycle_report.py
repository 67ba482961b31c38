"""Editing cameras.yaml never changes a past period's report; a camera counts only while configured, or
on the days it has data (a recording of a past day processed later)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cvmon.config import parse_config
from cvmon.config.models import Config
from cvmon.reports.report import UnitReport, build_report
from cvmon.storage import Database
from cvmon.storage.config_history import sync_config
from cvmon.storage.minutes import MinuteRepository
from tests.storage.conftest import make_camera_minute, make_minute_row

SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]
SCOPE = ["uiw-ntb", "ulp-ampenan"]
MONDAY, THURSDAY = date(2026, 11, 16), date(2026, 11, 19)
MONDAY_9 = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # 09:00 WITA
THURSDAY_9 = datetime(2026, 11, 19, 1, 0, tzinfo=UTC)
BEFORE = datetime(2026, 11, 15, 16, 0, tzinfo=UTC)  # Monday 00:00 WITA: configured from then on
EDITED = datetime(2026, 11, 18, 0, 0, tzinfo=UTC)  # Wednesday: cameras.yaml edited
CONFIG: dict[str, Any] = {
    "units": [
        {"id": "uiw-ntb", "name": "UIW NTB", "level": "uiw", "timezone": "Asia/Makassar"},
        {"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp", "parent": "uiw-ntb"},
    ],
    "cameras": [
        {
            "id": cam,
            "name": f"Kamera {cam[-1].upper()}",
            "unit": "ulp-ampenan",
            "source": f"/footage/{cam}.mp4",
            "rules": {"queue_long": {"threshold": 3, "clear_below": 1}, "long_wait": {"sla_s": 100}},
            "zones": [{"id": "q", "kind": "queue", "points": SQUARE}],
        }
        for cam in ("cam-a", "cam-b")
    ],
}


def _edited() -> Config:
    """Longer service hours, a higher threshold and SLA, and cam-b taken out."""
    data = copy.deepcopy(CONFIG)
    data["units"][1]["service_hours"] = {day: ["07:00-16:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    data["cameras"] = data["cameras"][:1]
    data["cameras"][0]["rules"] = {"queue_long": {"threshold": 5, "clear_below": 1}, "long_wait": {"sla_s": 900}}
    return parse_config(data)


def _queue_minutes(camera_id: str, start: datetime, means: list[int]) -> list[Any]:
    return [
        make_minute_row(camera_id, "q", start + timedelta(minutes=i), count_sum=300 * mean, visit_durations=(300.0,))
        for i, mean in enumerate(means)
    ]


def _report(db: Database, config: Config, day: date) -> UnitReport:
    with db.transaction("test", write=False) as session:
        return build_report(session, config, "ulp-ampenan", SCOPE, day, day)


def test_editing_the_configuration_leaves_a_past_report_as_it_was(database: Database) -> None:
    original = parse_config(CONFIG)
    sync_config(database, original, now=BEFORE)
    rows = _queue_minutes("cam-a", MONDAY_9, [4, 4, 2])
    coverage = [make_camera_minute("cam-a", r.minute) for r in rows] + [make_camera_minute("cam-b", MONDAY_9)]
    MinuteRepository(database).write_minutes(rows, coverage, source="test")
    monday = _report(database, original, MONDAY)
    assert (monday.figures.coverage.cameras, monday.figures.coverage.service_hours) == (2, 14.0)
    assert monday.figures.queue.share_over_threshold == 2 / 3 and monday.figures.queue.thresholds == (3,)
    assert monday.figures.wait.share_over_sla == 1.0  # 300 s visits against an SLA of 100 s

    edited = _edited()
    sync_config(database, edited, now=EDITED)
    assert _report(database, edited, MONDAY).figures == monday.figures
    assert _report(database, edited, MONDAY).index == monday.index
    assert _report(database, edited, MONDAY).camera_name("cam-b") == "Kamera B"  # by name, though removed

    rows = _queue_minutes("cam-a", THURSDAY_9, [4])
    MinuteRepository(database).write_minutes(rows, [make_camera_minute("cam-a", THURSDAY_9)], source="test")
    thursday = _report(database, edited, THURSDAY).figures
    assert (thursday.coverage.cameras, thursday.coverage.service_hours) == (1, 9.0)  # cam-b is gone, hours 07-16
    assert thursday.queue.share_over_threshold == 0.0 and thursday.queue.thresholds == (5,)
    assert thursday.wait.share_over_sla == 0.0 and thursday.wait.sla_s == (900.0,)


def test_a_camera_changed_during_a_period_counts_each_part_by_its_settings(database: Database) -> None:
    sync_config(database, parse_config(CONFIG), now=BEFORE)
    sync_config(database, _edited(), now=EDITED)  # Wednesday 08:00 WITA: the day itself is split
    week = [MONDAY + timedelta(days=d) for d in range(5)]
    with database.transaction("test", write=False) as session:
        figures = build_report(session, _edited(), "ulp-ampenan", SCOPE, week[0], week[-1]).figures
    # Monday, Tuesday: two cameras of 7 h; Wednesday: 07:00-08:00 is before the edit, and on the old
    # clock outside service hours, so 08:00-16:00 of cam-a alone; Thursday, Friday: cam-a, 9 h.
    assert figures.coverage.cameras == 2
    assert figures.coverage.service_hours == 2 * 2 * 7 + 8 + 2 * 9


def test_a_recording_of_a_past_day_counts_on_that_day_only(database: Database) -> None:
    """A camera added on Friday whose Monday recording is processed then counts on Monday (by its
    settings), not on Tuesday, when it had neither a configuration nor data."""
    data = copy.deepcopy(CONFIG)
    data["cameras"] = data["cameras"][:1]
    sync_config(database, parse_config(data), now=BEFORE)
    friday = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
    sync_config(database, parse_config(CONFIG), now=friday)  # cam-b added
    rows = _queue_minutes("cam-b", MONDAY_9, [4, 4])
    MinuteRepository(database).write_minutes(
        rows, [make_camera_minute("cam-b", r.minute) for r in rows], source="recording"
    )
    monday = _report(database, parse_config(CONFIG), MONDAY).figures
    assert (monday.coverage.cameras, monday.coverage.service_hours) == (2, 14.0)
    assert monday.queue.minutes == 2 and monday.coverage.observed_hours == 2 / 60
    tuesday = _report(database, parse_config(CONFIG), MONDAY + timedelta(days=1)).figures
    assert (tuesday.coverage.cameras, tuesday.coverage.service_hours) == (1, 7.0)


def test_a_zone_added_later_counts_on_the_past_days_it_has_data(database: Database) -> None:
    """A zone added on Friday to a camera configured all week, whose Monday recording is then processed."""
    data = copy.deepcopy(CONFIG)
    data["cameras"] = data["cameras"][:1]
    sync_config(database, parse_config(data), now=BEFORE)
    data["cameras"][0]["zones"].append({"id": "w", "kind": "waiting", "capacity": 2, "points": SQUARE})
    sync_config(database, parse_config(data), now=datetime(2026, 11, 20, 4, 0, tzinfo=UTC))
    rows = [make_minute_row("cam-a", "w", MONDAY_9, zone_kind="waiting", count_sum=900, count_max=3)]
    MinuteRepository(database).write_minutes(rows, [make_camera_minute("cam-a", MONDAY_9)], source="recording")
    monday = _report(database, parse_config(data), MONDAY).figures
    assert [(z.zone_id, z.mean) for z in monday.occupancy.zones] == [("w", 1.5)] and monday.wait.zones == 2  # 3 of 2
    tuesday = _report(database, parse_config(data), MONDAY + timedelta(days=1)).figures
    assert tuesday.occupancy.zones == () and tuesday.wait.zones == 1  # the queue alone: w had no data, no period

"""A database seeded with known minute rows and alerts of one Monday (2026-11-23, WITA) for report tests.

Unit tree: UIW NTB > UP3 Mataram > ULP Ampenan (camera cam-a) and ULP Cakranegara (no camera).
Service hours: Monday to Friday 08:00-15:00 local (00:00-07:00 UTC). Every figure the tests expect
is worked out by hand from the rows below, in the test that checks it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cvmon.config import parse_config
from cvmon.config.models import Config
from cvmon.storage import Database
from cvmon.storage.alerts import AlertRepository, FollowUp
from cvmon.storage.config_history import sync_config
from cvmon.storage.minutes import MinuteRepository
from cvmon.types import AlertChange, ChangeKind, Rule
from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    make_camera_minute,
    make_minute_row,
    postgres_admin,
    postgres_template,
    sqlite_template,
)

SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]
M1 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 WITA, Monday
M2, M3 = M1 + timedelta(minutes=1), M1 + timedelta(minutes=2)
AFTER_HOURS = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 16:00 WITA: outside service hours
SUNDAY = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)

CONFIG: dict[str, Any] = {
    "units": [
        {"id": "uiw-ntb", "name": "UIW NTB", "level": "uiw", "timezone": "Asia/Makassar"},
        {"id": "up3-mataram", "name": "UP3 Mataram", "level": "up3", "parent": "uiw-ntb"},
        {"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp", "parent": "up3-mataram"},
        {"id": "ulp-cakra", "name": "ULP Cakranegara", "level": "ulp", "parent": "up3-mataram"},
    ],
    "cameras": [
        {
            "id": "cam-a",
            "unit": "ulp-ampenan",
            "source": "/footage/a.mp4",
            "rules": {"queue_long": {"threshold": 3, "clear_below": 1}, "long_wait": {"sla_s": 600}},
            "zones": [
                {"id": "q", "kind": "queue", "capacity": 4, "points": SQUARE},
                {"id": "w", "kind": "waiting", "capacity": 3, "points": SQUARE},
                {"id": "c", "kind": "counter_customer", "queue": "q", "points": SQUARE},
                {"id": "s", "kind": "counter_staff", "counter": "c", "points": SQUARE},
                {"id": "p", "kind": "post", "points": SQUARE},
            ],
        }
    ],
}


def _row(zone: str, minute: datetime, kind: str, count_sum: int, count_max: int, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "zone_kind": kind,
        "count_sum": count_sum,
        "count_max": count_max,
        "seconds_over_capacity": 0.0,
        "visit_durations": (),
    }
    values.update(extra)
    return make_minute_row("cam-a", zone, minute, **values)


def seed_report_data(db: Database) -> Config:
    config = parse_config(CONFIG)
    sync_config(db, config)
    rows = [
        # queue q: means 1, 3, 2 people; visits of 60 s, 120 s and 1000 s end in it
        _row("q", M1, "queue", 300, 2, visit_durations=(60.0, 120.0)),
        _row("q", M2, "queue", 900, 4, visit_durations=(1000.0,)),
        _row("q", M3, "queue", 600, 3),
        _row("q", AFTER_HOURS, "queue", 3000, 10, visit_durations=(5000.0,)),  # ignored: after hours
        # waiting w (capacity 3): means 3.5, 2, 2; 30 s over capacity in the first minute
        _row("w", M1, "waiting", 1050, 4, seconds_over_capacity=30.0),
        _row("w", M2, "waiting", 600, 2),
        _row("w", M3, "waiting", 600, 2),
        # counter c: a customer in the first two minutes
        _row("c", M1, "counter_customer", 300, 1),
        _row("c", M2, "counter_customer", 300, 1),
        _row("c", M3, "counter_customer", 0, 0),
        # staff s: staffed the first minute only; post p: 60, 60, 20 seconds
        _row("s", M1, "counter_staff", 300, 1, seconds_staffed=60.0),
        _row("s", M2, "counter_staff", 0, 0, seconds_staffed=0.0),
        _row("s", M3, "counter_staff", 0, 0, seconds_staffed=0.0),
        _row("p", M1, "post", 300, 1, seconds_staffed=60.0),
        _row("p", M2, "post", 300, 1, seconds_staffed=60.0),
        _row("p", M3, "post", 100, 1, seconds_staffed=20.0),
    ]
    coverage = [make_camera_minute("cam-a", m) for m in (M1, M2, M3, AFTER_HOURS)]
    MinuteRepository(db).write_minutes(rows, coverage, source="test")
    repo = AlertRepository(db)
    opened = {}
    for rule, zone, at in (
        (Rule.QUEUE_LONG, "q", M1),
        (Rule.COUNTER_UNSTAFFED, "s", M2),
        (Rule.CAMERA_OFFLINE, "", M3),
        (Rule.QUEUE_LONG, "q", SUNDAY),  # the previous period (Sunday)
    ):
        (applied,) = repo.apply_changes(
            "ulp-ampenan", "cam-a", [AlertChange(rule, zone, ChangeKind.OPENED, at, 4.0, at)]
        )
        opened[(rule, at)] = applied.alert_id
    first = opened[(Rule.QUEUE_LONG, M1)]
    repo.acknowledge(first, "pic-a", M1 + timedelta(seconds=120))
    repo.resolve(first, "pic-a", M1 + timedelta(seconds=600), FollowUp.COACHING, "Petugas antrean ditambah")
    repo.acknowledge(opened[(Rule.COUNTER_UNSTAFFED, M2)], "pic-a", M2 + timedelta(seconds=60))
    return config


@pytest.fixture
def report_db(database: Database) -> tuple[Database, Config]:  # noqa: F811
    return database, seed_report_data(database)

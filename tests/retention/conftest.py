"""Fixtures of the retention tests: the storage tests' databases, a synced config, seeded minute rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from cvmon.config.models import RetentionConfig
from cvmon.evidence import anonymise
from cvmon.storage import Database
from cvmon.storage.config_history import sync_config
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.minutes import MinuteRepository
from cvmon.types import AnonymisedJpeg, CameraMinute, MinuteRow
from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    make_camera_minute,
    make_config,
    make_minute_row,
    postgres_admin,
    postgres_template,
    sqlite_template,
)

NOW = datetime(2024, 5, 10, 10, 20, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
POLICY = RetentionConfig(minute_rows_days=2, hourly_rows_days=4, snapshots_days=3, alerts_days=5)
MINUTE_CUTOFF = datetime(2024, 5, 8, 10, tzinfo=UTC)  # hour start of NOW - 2 days
HOURLY_CUTOFF = datetime(2024, 5, 6, 10, tzinfo=UTC)  # hour start of NOW - 4 days
CURRENT_HOUR = datetime(2024, 5, 10, 10, tzinfo=UTC)
# (camera, zone, kind, minutes of the hour written)
ZONES = (
    ("cam-hall", "queue-1", "queue", (0, 17, 59)),
    ("cam-hall", "loket-1", "counter_customer", (5,)),
    ("cam-door", "satpam", "post", (30, 31)),
)


@dataclass
class Seeded:
    rows: list[MinuteRow]
    cameras: list[CameraMinute]


def seeded_hours() -> list[datetime]:
    """Every fifth hour over five days and a half, plus the hours on either side of the minute cutoff."""
    first = CURRENT_HOUR - 5 * DAY - 12 * HOUR
    hours = {first + i * HOUR for i in range(0, 5 * 24 + 12, 5)}
    hours |= {MINUTE_CUTOFF - HOUR, MINUTE_CUTOFF, CURRENT_HOUR - HOUR, CURRENT_HOUR}
    return sorted(hours)


def varied_row(camera_id: str, zone_id: str, kind: str, minute: datetime, i: int) -> MinuteRow:
    """A minute row whose figures differ with ``i`` (binary fractions only, so sums are exact)."""
    durations = tuple(float(5 + 37 * ((i + k) % 11)) for k in range(i % 4))
    return make_minute_row(
        camera_id,
        zone_id,
        minute,
        visit_durations=durations,
        zone_kind=kind,
        samples=200 + i,
        count_sum=3 * i + 1,
        count_max=i % 9,
        seconds_observed=40.0 + (i % 5) * 4.5,
        seconds_staffed=(i % 3) * 12.25 if kind == "post" else 0.0,
        seconds_offline=(i % 2) * 7.5,
        seconds_over_capacity=(i % 4) * 1.5,
    )


def seed_minutes(db: Database, hours: list[datetime] | None = None) -> Seeded:
    """Minute rows of every zone and camera coverage in ``hours`` (default ``seeded_hours()``), up to NOW."""
    rows, cameras = [], []
    i = 0
    for hour in seeded_hours() if hours is None else hours:
        for camera_id, zone_id, kind, minutes in ZONES:
            for m in minutes:
                minute = hour + timedelta(minutes=m)
                if minute >= NOW:
                    continue
                rows.append(varied_row(camera_id, zone_id, kind, minute, i))
                i += 1
        for camera_id in ("cam-hall", "cam-door"):
            minute = hour + timedelta(minutes=30)
            if minute < NOW:
                cameras.append(make_camera_minute(camera_id, minute, frames_analysed=100 + i))
    MinuteRepository(db).write_minutes(rows, cameras, source="test")
    return Seeded(rows, cameras)


def blank_jpeg() -> AnonymisedJpeg:
    return anonymise(np.zeros((90, 160, 3), np.uint8), [])


@pytest.fixture
def synced(database: Database) -> Database:  # noqa: F811
    """The database with the test configuration's units, cameras and zones."""
    sync_config(database, make_config())
    return database


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


@pytest.fixture
def seeded(synced: Database) -> Seeded:
    return seed_minutes(synced)

"""Fixtures of the API tests: a seeded database (SQLite and PostgreSQL), the app on it, signed-in clients.

The unit tree is UIW NTB > UP3 Mataram (ULP Ampenan, ULP Cakranegara) and UP3 Bima (ULP Bima),
with one camera, one alert and one snapshot in each ULP, and one user per role.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from cvmon.api.settings import ApiSettings
from cvmon.config import parse_config
from cvmon.evidence import anonymise
from cvmon.server import create_app
from cvmon.storage import Database
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.audit import AuditActor
from cvmon.storage.config_history import sync_config
from cvmon.storage.events import CameraEventRepository
from cvmon.storage.evidence import EvidenceRepository
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.users import UserRepository
from cvmon.types import AlertChange, ChangeKind, Rule, SourceEvent, SourceEventKind
from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    make_camera_minute,
    make_minute_row,
    postgres_admin,
    postgres_template,
    sqlite_template,
)

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 WITA
NOW = T0 + timedelta(hours=2)
PASSWORD = "correct horse battery"
SECRET = "test-secret-" + "x" * 40
METRICS_TOKEN = "metrics-token-for-tests"
# Cheap argon2id parameters: the tests log in often; production uses the recommended cost.
FAST_PASSWORDS = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
SEED_ACTOR = AuditActor("cli:seed", "local")
# For tests of HTTP-level behaviour that no SQL differs in (the rest runs on SQLite and PostgreSQL).
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SQUARE = [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9]]
CONFIG: dict[str, Any] = {
    "units": [
        {"id": "uiw-ntb", "name": "UIW NTB", "level": "uiw", "timezone": "Asia/Makassar"},
        {"id": "up3-mataram", "name": "UP3 Mataram", "level": "up3", "parent": "uiw-ntb"},
        {"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp", "parent": "up3-mataram"},
        {"id": "ulp-cakra", "name": "ULP Cakranegara", "level": "ulp", "parent": "up3-mataram"},
        {"id": "up3-bima", "name": "UP3 Bima", "level": "up3", "parent": "uiw-ntb"},
        {"id": "ulp-bima", "name": "ULP Bima Kota", "level": "ulp", "parent": "up3-bima"},
    ],
    "cameras": [
        {
            "id": "cam-a",
            "name": "Ruang tunggu Ampenan",
            "unit": "ulp-ampenan",
            "source": "rtsp://viewer:s3cret@10.0.0.7:554/stream1",
            "zones": [
                {"id": "queue-a", "kind": "queue", "capacity": 8, "points": SQUARE},
                {"id": "staff-a", "kind": "counter_staff", "points": [[0.6, 0], [0.9, 0], [0.9, 0.4]]},
            ],
        },
        {
            "id": "cam-b",
            "unit": "ulp-cakra",
            "source": "/footage/b.mp4",
            "zones": [{"id": "queue-b", "kind": "queue", "points": SQUARE}],
        },
        {
            "id": "cam-c",
            "unit": "ulp-bima",
            "source": "/footage/c.mp4",
            "zones": [{"id": "queue-c", "kind": "queue", "points": SQUARE}],
        },
    ],
}
USERS = {
    "admin": ("admin", ["uiw-ntb"]),
    "manager": ("manager", ["up3-mataram"]),
    "pic-a": ("pic", ["ulp-ampenan"]),
    "pic-b": ("pic", ["ulp-cakra"]),
    "auditor": ("auditor", ["up3-mataram"]),
    "viewer": ("viewer", ["up3-mataram"]),
}
# Added by the tests of unit-scoped administration (``add_scoped_users``): an admin bound to one UP3
# (its subtree only), an admin bound to the other and a PIC under the first.
SCOPED_USERS = {
    "admin-bima": ("admin", ["up3-bima"]),
    "admin-mataram": ("admin", ["up3-mataram"]),
    "pic-c": ("pic", ["ulp-bima"]),
}


def add_scoped_users(db: Database) -> None:
    users = UserRepository(db, FAST_PASSWORDS)
    for name, (role, units) in SCOPED_USERS.items():
        users.add(name, PASSWORD, role, units, actor=SEED_ACTOR, now=T0)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Seeded:
    """The seeded database and what was put into it."""

    db: Database
    evidence_root: Path
    alerts: dict[str, int] = field(default_factory=dict)  # camera id -> alert id
    evidence: dict[str, int] = field(default_factory=dict)  # camera id -> evidence id


def seed(db: Database, evidence_root: Path) -> Seeded:
    sync_config(db, parse_config(CONFIG))
    rows, coverage = [], []
    for i in range(3):
        minute = T0 + timedelta(minutes=i)
        rows.append(make_minute_row("cam-a", "queue-a", minute, count_sum=300 * (i + 2), count_max=i + 3))
        rows.append(
            make_minute_row(
                "cam-a",
                "staff-a",
                minute,
                zone_kind="counter_staff",
                count_sum=300,
                count_max=1,
                seconds_staffed=45.0,
                visit_durations=(),
            )
        )
        rows.append(make_minute_row("cam-b", "queue-b", minute))
        coverage.append(make_camera_minute("cam-a", minute, frames_analysed=300 - i))
    MinuteRepository(db).write_minutes(rows, coverage, source="test")
    CameraEventRepository(db).write_events(
        [
            SourceEvent("cam-a", SourceEventKind.ONLINE, T0, "opened"),
            SourceEvent("cam-b", SourceEventKind.ONLINE, T0, "opened"),
            SourceEvent("cam-b", SourceEventKind.OFFLINE, T0 + timedelta(minutes=5), "read timeout"),
        ]
    )
    seeded = Seeded(db, evidence_root)
    repo = AlertRepository(db)
    store = EvidenceRepository(db, EvidenceStore(evidence_root))
    jpeg = anonymise(np.zeros((90, 160, 3), np.uint8), [])
    for cam, unit, zone in (
        ("cam-a", "ulp-ampenan", "queue-a"),
        ("cam-b", "ulp-cakra", "queue-b"),
        ("cam-c", "ulp-bima", "queue-c"),
    ):
        opened = T0 + timedelta(minutes=1)
        change = AlertChange(Rule.QUEUE_LONG, zone, ChangeKind.OPENED, opened, 6.0, opened)
        (applied,) = repo.apply_changes(unit, cam, [change])
        seeded.alerts[cam] = applied.alert_id
        shot = store.add(cam, "open", opened, jpeg, {zone: 6}, alert_id=applied.alert_id)
        seeded.evidence[cam] = shot.id
    users = UserRepository(db, FAST_PASSWORDS)
    for name, (role, units) in USERS.items():
        users.add(name, PASSWORD, role, units, actor=SEED_ACTOR, now=T0)
    return seeded


@pytest.fixture
def seeded(database: Database, tmp_path: Path) -> Seeded:  # noqa: F811
    return seed(database, tmp_path / "evidence")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


def make_settings(**changes: Any) -> ApiSettings:
    values: dict[str, Any] = {"secret_key": SECRET, "environment": "production", "metrics_token": METRICS_TOKEN}
    values.update(changes)
    return ApiSettings(**values)


@dataclass
class Api:
    """The app on the seeded database, with helpers to make clients and sign in."""

    app: FastAPI
    seeded: Seeded
    clock: FakeClock

    def client(self, addr: str = "10.1.1.1") -> TestClient:
        return TestClient(self.app, base_url="https://testserver", client=(addr, 50000))

    def login(self, username: str, password: str = PASSWORD, addr: str = "10.1.1.1") -> tuple[TestClient, str]:
        """A client signed in as ``username`` and its CSRF token."""
        client = self.client(addr)
        response = client.post("/api/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return client, response.json()["csrf_token"]


@pytest.fixture
def api(seeded: Seeded, clock: FakeClock) -> Iterator[Api]:
    app = create_app(
        make_settings(), database=seeded.db, evidence_dir=seeded.evidence_root, clock=clock, passwords=FAST_PASSWORDS
    )
    yield Api(app, seeded, clock)

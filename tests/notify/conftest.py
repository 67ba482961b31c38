"""Fixtures of the notification tests: databases (SQLite and a real PostgreSQL), HTTP receivers, MQTT brokers."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cvmon.notify import NotifySettings, Outbox
from cvmon.storage import Database, open_database
from cvmon.storage.models import OutboxRecord
from tests.notify.http_receiver import Receiver
from tests.notify.mqtt_helpers import BROKER_HOST, BROKER_PORT
from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    postgres_admin,
    postgres_template,
    sqlite_template,
)

__all__ = ["database", "database_url", "postgres_admin"]

SECRET = "hmac-key-7f3a9c1e-never-print-me"
SKIP_MQTT_ENV = "CVMON_TEST_SKIP_MQTT"
_NOTIFY_ENV = (
    "CVMON_WEBHOOK_URL",
    "CVMON_WEBHOOK_SECRET",
    "CVMON_WEBHOOK_TIMEOUT_S",
    "CVMON_MQTT_URL",
    "CVMON_MQTT_TOPIC_PREFIX",
    "CVMON_RETRY_INITIAL_S",
    "CVMON_RETRY_MAX_S",
)


@pytest.fixture(autouse=True)
def _no_notify_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the test only, never from the developer's environment."""
    for name in _NOTIFY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def settings() -> NotifySettings:
    """The default retry policy: 2 s doubled at every failure, at most 300 s."""
    return NotifySettings(retry_initial_s=2, retry_max_s=300)


@pytest.fixture
def outbox(database: Database) -> Outbox:
    """An outbox on a fresh database, SQLite and PostgreSQL."""
    return Outbox(database)


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite database, for the tests of the channels."""
    db = open_database(f"sqlite:///{tmp_path / 'notify' / 'cvmon.db'}")
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def sqlite_outbox(sqlite_database: Database) -> Outbox:
    return Outbox(sqlite_database)


def outbox_rows(db: Database) -> list[OutboxRecord]:
    """Every outbox row as stored, by id."""
    with Session(db.engine) as session:
        return list(session.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a reserved free port of 127.0.0.1, down (nothing listening) until started."""
    rec = Receiver()
    try:
        yield rec
    finally:
        rec.close()


@pytest.fixture(scope="session")
def mqtt_broker() -> str:
    """URL of the local Mosquitto broker on 127.0.0.1:1883; fails when it is not running."""
    try:
        with socket.create_connection((BROKER_HOST, BROKER_PORT), timeout=2):
            pass
    except OSError as err:
        if os.environ.get(SKIP_MQTT_ENV) == "1":
            pytest.skip(f"MQTT broker not reachable and {SKIP_MQTT_ENV}=1: {err}")
        pytest.fail(
            f"the MQTT broker (Mosquitto) on {BROKER_HOST}:{BROKER_PORT} is not reachable ({err}); "
            f"start it (apt-get install mosquitto; mosquitto -d) or set {SKIP_MQTT_ENV}=1",
            pytrace=False,
        )
    return f"mqtt://{BROKER_HOST}:{BROKER_PORT}"

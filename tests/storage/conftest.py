"""Fixtures of the storage tests: a fresh database on SQLite and on a real PostgreSQL, factories of rows."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from cvmon.config import Config, parse_config
from cvmon.histogram import DurationHistogram
from cvmon.storage import Database, config_history, open_database
from cvmon.storage.config_history import sync_config
from cvmon.types import CameraMinute, MinuteRow

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SKIP_POSTGRES_ENV = "CVMON_TEST_SKIP_POSTGRES"
MINUTE = datetime(2024, 3, 4, 2, 30, tzinfo=UTC)

CONFIG_DATA: dict[str, Any] = {
    "units": [
        {"id": "uiw-ntb", "name": "UIW NTB", "level": "uiw", "timezone": "Asia/Makassar"},
        {"id": "up3-mataram", "name": "UP3 Mataram", "level": "up3", "parent": "uiw-ntb"},
        {"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp", "parent": "up3-mataram"},
    ],
    "cameras": [
        {
            "id": "cam-hall",
            "name": "Ruang tunggu",
            "unit": "ulp-ampenan",
            "source": "rtsp://viewer:cctv-s3cret@10.0.0.7:554/stream1",
            "analysis_fps": 5,
            "zones": [
                {"id": "queue-1", "kind": "queue", "points": [[0.1, 0.5], [0.5, 0.5], [0.5, 0.9], [0.1, 0.9]]},
                {
                    "id": "loket-1",
                    "name": "Loket 1",
                    "kind": "counter_customer",
                    "queue": "queue-1",
                    "points": [[0.6, 0.5], [0.9, 0.5], [0.9, 0.9]],
                },
                {
                    "id": "staff-1",
                    "kind": "counter_staff",
                    "counter": "loket-1",
                    "points": [[0.6, 0], [0.9, 0], [0.9, 0.4]],
                },
            ],
        },
        {
            "id": "cam-door",
            "unit": "ulp-ampenan",
            "source": "/var/footage/door.mp4",
            "zones": [{"id": "satpam", "kind": "post", "points": [[0, 0], [0.3, 0], [0.3, 0.3]]}],
        },
    ],
}


def make_config(**changes: Any) -> Config:
    """The test configuration, with top-level keys replaced by ``changes``."""
    return parse_config({**CONFIG_DATA, **changes})


def make_minute_row(
    camera_id: str = "cam-hall",
    zone_id: str = "queue-1",
    minute: datetime = MINUTE,
    *,
    visit_durations: tuple[float, ...] = (40.0, 55.0),
    **overrides: Any,
) -> MinuteRow:
    """A full, plausible minute of a queue zone analysed at 5 fps; ``overrides`` set any MinuteRow field."""
    values: dict[str, Any] = {
        "zone_kind": "queue",
        "samples": 300,
        "count_sum": 630,
        "count_max": 4,
        "seconds_observed": 60.0,
        "seconds_staffed": 0.0,
        "seconds_offline": 0.0,
        "seconds_over_capacity": 5.5,
        "visits": len(visit_durations),
        "visit_seconds_sum": float(sum(visit_durations)),
        "visit_hist": DurationHistogram.of(visit_durations),
        "t_first_s": 0.0,
        "t_last_s": 59.8,
    }
    values.update(overrides)
    return MinuteRow(camera_id=camera_id, zone_id=zone_id, minute=minute, **values)


def make_camera_minute(camera_id: str = "cam-hall", minute: datetime = MINUTE, **overrides: Any) -> CameraMinute:
    """Coverage of a fully analysed minute at 5 fps, the detector run on every frame, 24 ms per frame
    on average (41.5 at most); ``overrides`` set any CameraMinute field."""
    values: dict[str, Any] = {
        "frames_analysed": 300,
        "seconds_online": 60.0,
        "seconds_offline": 0.0,
        "t_first_s": 0.0,
        "t_last_s": 59.8,
        "inference_ms_sum": 7200.0,
        "inference_ms_max": 41.5,
    }
    values.update(overrides)
    values.setdefault("frames_detected", values["frames_analysed"])  # the detector ran on every frame
    return CameraMinute(camera_id=camera_id, minute=minute, **values)


def sync_rows_before_0012(database: Database, config: Config) -> None:
    """Store the units, cameras and zones of ``config`` as ``sync_config`` did before revision 0012 (no periods),
    for tests that upgrade a database from an older revision."""
    with database.transaction("cannot store the configuration in", write=True) as session:
        config_history._store_units(session, config)
        config_history._store_cameras(session, config, datetime.now(UTC))


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An AUTOCOMMIT engine on the server's ``postgres`` database; fails when the server is down."""
    engine = create_engine(
        f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect():
            pass
    except OperationalError as err:
        engine.dispose()
        reason = " ".join(str(err.orig).split())
        if os.environ.get(SKIP_POSTGRES_ENV) == "1":
            pytest.skip(f"PostgreSQL not reachable and {SKIP_POSTGRES_ENV}=1: {reason}")
        pytest.fail(
            f"PostgreSQL on 127.0.0.1:5432 is not reachable ({reason}); start it or set {SKIP_POSTGRES_ENV}=1",
            pytrace=False,
        )
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty database: an SQLite file in a folder not yet made, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'cvmon.db'}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    name = f"cvmon_test_{uuid.uuid4().hex[:16]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to the newest revision once per test process, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "cvmon.db"
    open_database(f"sqlite:///{path}").close()
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_admin: Engine) -> Iterator[str]:
    """A PostgreSQL database migrated to the newest revision once per test process, the template each test's
    database is created from (CREATE DATABASE ... TEMPLATE copies it in a moment; migrating takes seconds)."""
    name = f"cvmon_template_{uuid.uuid4().hex[:16]}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        open_database(f"{POSTGRES_SERVER}/{name}").close()
        yield name
    finally:
        with postgres_admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def database(database_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A freshly migrated, empty database: a copy of this process's migrated template (the migrations
    themselves are tested from an empty database in test_migrations.py)."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    else:
        template: str = request.getfixturevalue("postgres_template")
        admin: Engine = request.getfixturevalue("postgres_admin")
        name = database_url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY'))
    db = open_database(database_url)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def config() -> Config:
    return make_config()


@pytest.fixture
def synced(database: Database, config: Config) -> Database:
    """The database with the test configuration's units, cameras and zones stored."""
    sync_config(database, config)
    return database

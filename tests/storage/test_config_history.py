"""sync_config records when each camera and zone was configured, with the settings that applied."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import RowMapping, insert, select

from cvmon.config import Config
from cvmon.storage import Database, open_database
from cvmon.storage.config_history import (
    camera_periods,
    current_camera_ids,
    current_zone_keys,
    periods_of_camera,
    sync_config,
)
from cvmon.storage.engine import make_engine
from cvmon.storage.migrate import alembic_config
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.models import CameraMinuteRecord, CameraVersionRecord, ZoneVersionRecord
from tests.storage.conftest import make_config, make_minute_row, sync_rows_before_0012

T1 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=7)
T3 = T2 + timedelta(days=7)
EVERY_CAMERA = ["cam-hall", "cam-door"]


def _rows(database: Database, model: Any) -> list[RowMapping]:
    with database.engine.connect() as conn:
        order = (model.camera_id, *([model.zone_id] if model is ZoneVersionRecord else []), model.valid_from)
        return list(conn.execute(select(model.__table__).order_by(*order)).mappings())


def _data(config: Config) -> dict[str, Any]:
    return config.model_dump(mode="json", exclude_none=True)


def test_the_same_config_again_changes_no_period(database: Database, config: Config) -> None:
    sync_config(database, config, now=T1)
    first = (_rows(database, CameraVersionRecord), _rows(database, ZoneVersionRecord))
    sync_config(database, config, now=T2)
    assert (_rows(database, CameraVersionRecord), _rows(database, ZoneVersionRecord)) == first
    assert [(r["camera_id"], r["valid_from"], r["valid_to"]) for r in first[0]] == [
        ("cam-door", T1, None),
        ("cam-hall", T1, None),
    ]
    assert len(first[1]) == 4 and all(r["valid_to"] is None for r in first[1])


def test_a_period_holds_the_settings_that_applied(synced: Database) -> None:
    hall = next(r for r in _rows(synced, CameraVersionRecord) if r["camera_id"] == "cam-hall")
    assert (hall["unit_id"], hall["name"], hall["analysis_fps"]) == ("ulp-ampenan", "Ruang tunggu", 5.0)
    assert hall["timezone"] == "Asia/Makassar"
    assert hall["service_hours"]["mon"] == ["08:00-15:00"] and hall["service_hours"]["sat"] == []
    queue = next(r for r in _rows(synced, ZoneVersionRecord) if r["zone_id"] == "queue-1")
    assert queue["kind"] == "queue" and queue["points"][0] == [0.1, 0.5]
    assert queue["rules"]["queue_long"]["threshold"] == 5 and queue["rules"]["long_wait"]["sla_s"] == 900.0


def test_a_change_closes_the_period_and_opens_one_with_the_new_settings(database: Database) -> None:
    sync_config(database, make_config(), now=T1)
    changed = _data(make_config())
    changed["units"][2]["service_hours"] = {"mon": ["07:30-16:00"]}
    changed["cameras"][0]["zones"][0]["rules"] = {"queue_long": {"threshold": 8}}
    sync_config(database, make_config(**changed), now=T2)
    hall = [r for r in _rows(database, CameraVersionRecord) if r["camera_id"] == "cam-hall"]
    assert [(r["valid_from"], r["valid_to"]) for r in hall] == [(T1, T2), (T2, None)]
    assert hall[0]["service_hours"]["mon"] == ["08:00-15:00"] and hall[1]["service_hours"]["mon"] == ["07:30-16:00"]
    queue = [r for r in _rows(database, ZoneVersionRecord) if r["zone_id"] == "queue-1"]
    assert [(r["valid_from"], r["valid_to"]) for r in queue] == [(T1, T2), (T2, None)]
    assert [r["rules"]["queue_long"]["threshold"] for r in queue] == [5, 8]
    loket = [r for r in _rows(database, ZoneVersionRecord) if r["zone_id"] == "loket-1"]
    assert [(r["valid_from"], r["valid_to"]) for r in loket] == [(T1, None)]  # its settings did not change


def test_a_removed_camera_and_zone_are_closed_and_kept(database: Database) -> None:
    sync_config(database, make_config(), now=T1)
    smaller = _data(make_config())
    smaller["cameras"] = smaller["cameras"][:1]
    smaller["cameras"][0]["zones"] = [z for z in smaller["cameras"][0]["zones"] if z["id"] != "staff-1"]
    sync_config(database, make_config(**smaller), now=T2)
    with database.transaction("test", write=False) as session:
        assert current_camera_ids(session, EVERY_CAMERA) == {"cam-hall"}
        assert current_zone_keys(session, EVERY_CAMERA) == {("cam-hall", "queue-1"), ("cam-hall", "loket-1")}
        door = periods_of_camera(session, "cam-door")
        assert [(p.valid_from, p.valid_to) for p in door] == [(T1, T2)]
        assert set(camera_periods(session, EVERY_CAMERA, T2, T3)) == {"cam-hall"}  # gone after its removal
        assert set(camera_periods(session, EVERY_CAMERA, T1, T2)) == {"cam-hall", "cam-door"}
    counts = database.count_rows()
    assert (counts["cameras"], counts["zones"]) == (2, 4)  # the rows stay, for history

    sync_config(database, make_config(), now=T3)  # and back again: a new period
    with database.transaction("test", write=False) as session:
        door = periods_of_camera(session, "cam-door")
        assert [(p.valid_from, p.valid_to) for p in door] == [(T1, T2), (T3, None)]
        assert current_zone_keys(session, EVERY_CAMERA) >= {("cam-hall", "staff-1"), ("cam-door", "satpam")}


def test_periods_never_hold_the_source(synced: Database) -> None:
    rows = [*_rows(synced, CameraVersionRecord), *_rows(synced, ZoneVersionRecord)]
    values = [str(v) for r in rows for v in r.values()]
    assert not any("cctv-s3cret" in v or "rtsp://" in v or "door.mp4" in v for v in values)


def test_an_existing_database_gets_open_periods_from_its_first_data(database_url: str, config: Config) -> None:
    """Revision 0012 gives every stored camera and zone an open period from its camera's first data (settings
    unknown); the next sync closes a camera no longer configured where its data ends, not at the sync."""
    first_minute = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
    last_minute = datetime(2026, 10, 20, 6, 59, tzinfo=UTC)
    engine = make_engine(database_url)
    alembic = alembic_config()
    try:
        with engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.upgrade(alembic, "0011")
        sync_rows_before_0012(Database(engine, database_url), config)
        with engine.begin() as conn:
            for camera_id, minute in (("cam-door", first_minute), ("cam-door", last_minute)):
                conn.execute(
                    insert(CameraMinuteRecord.__table__).values(
                        camera_id=camera_id, minute=minute, frames_analysed=300, seconds_online=60.0,
                        seconds_offline=0.0, t_first_s=0.0, t_last_s=59.8,
                    )
                )  # fmt: skip
    finally:
        engine.dispose()
    with open_database(database_url) as db:
        periods = {r["camera_id"]: r for r in _rows(db, CameraVersionRecord)}
        assert periods["cam-door"]["valid_from"] == first_minute and periods["cam-door"]["valid_to"] is None
        assert periods["cam-door"]["service_hours"] is None  # unknown before 0012
        assert periods["cam-hall"]["valid_to"] is None
        zones = {(r["camera_id"], r["zone_id"]): r for r in _rows(db, ZoneVersionRecord)}
        assert len(zones) == 4 and zones[("cam-door", "satpam")]["valid_from"] == first_minute
        queue = zones[("cam-hall", "queue-1")]
        assert queue["points"][0] == [0.1, 0.5] and queue["rules"] is None

        without_door = _data(config)
        without_door["cameras"] = without_door["cameras"][:1]
        later = datetime.now(UTC) + timedelta(days=1)  # after the rows' updated_at, the periods' start
        sync_config(db, make_config(**without_door), now=later)
        with db.transaction("test", write=False) as session:
            door = periods_of_camera(session, "cam-door")
            assert [(p.valid_from, p.valid_to) for p in door] == [(first_minute, last_minute + timedelta(minutes=1))]
            hall = periods_of_camera(session, "cam-hall")  # still configured: its settings are known from now
            assert [(p.valid_to, p.service_hours is not None) for p in hall] == [(later, False), (None, True)]
        MinuteRepository(db).write_minutes([make_minute_row()], source="test")  # the current camera still takes data

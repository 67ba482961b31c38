"""sync_config stores units, cameras and zones idempotently and never the camera's source."""

from __future__ import annotations

from sqlalchemy import RowMapping, select

from cvmon.config import Config
from cvmon.storage import Database
from cvmon.storage.config_history import sync_config
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.models import Base, CameraRecord, UnitRecord, ZoneRecord
from tests.storage.conftest import make_config, make_minute_row


def _all(database: Database, model: type[Base]) -> list[RowMapping]:
    with database.engine.connect() as conn:
        return list(conn.execute(select(model.__table__)).mappings())


def test_sync_twice_gives_the_same_rows(database: Database, config: Config) -> None:
    sync_config(database, config)
    first = {name: _all(database, model) for name, model in [("u", UnitRecord), ("c", CameraRecord), ("z", ZoneRecord)]}
    sync_config(database, config)
    second = {
        name: _all(database, model) for name, model in [("u", UnitRecord), ("c", CameraRecord), ("z", ZoneRecord)]
    }
    assert second == first
    counts = database.count_rows()
    assert (counts["units"], counts["cameras"], counts["zones"]) == (3, 2, 4)


def test_stored_values(synced: Database) -> None:
    units = {row["id"]: row for row in _all(synced, UnitRecord)}
    assert units["ulp-ampenan"]["parent_id"] == "up3-mataram"
    assert units["ulp-ampenan"]["timezone"] == "Asia/Makassar"  # inherited from the UIW
    assert units["uiw-ntb"]["parent_id"] is None
    cameras = {row["id"]: row for row in _all(synced, CameraRecord)}
    assert cameras["cam-hall"]["source_kind"] == "rtsp"
    assert cameras["cam-hall"]["analysis_fps"] == 5.0
    assert cameras["cam-door"]["source_kind"] == "file"
    assert cameras["cam-door"]["analysis_fps"] == 5.0  # the default
    assert cameras["cam-door"]["name"] is None
    zones = {(row["camera_id"], row["zone_id"]): row for row in _all(synced, ZoneRecord)}
    assert zones[("cam-hall", "loket-1")]["queue_zone_id"] == "queue-1"
    assert zones[("cam-hall", "staff-1")]["counter_zone_id"] == "loket-1"
    assert zones[("cam-hall", "queue-1")]["points"] == [[0.1, 0.5], [0.5, 0.5], [0.5, 0.9], [0.1, 0.9]]


def test_source_and_its_credentials_are_never_stored(synced: Database) -> None:
    every_value = [
        str(value)
        for model in (UnitRecord, CameraRecord, ZoneRecord)
        for row in _all(synced, model)
        for value in row.values()
    ]
    assert not any("cctv-s3cret" in v or "rtsp://" in v or "door.mp4" in v for v in every_value)


def test_changes_are_applied_and_stamp_only_changed_cameras(database: Database) -> None:
    sync_config(database, make_config())
    before = {row["id"]: row["updated_at"] for row in _all(database, CameraRecord)}
    changed = make_config().model_dump(mode="json", exclude_none=True)
    changed["cameras"][0]["name"] = "Hall"
    changed["cameras"][0]["zones"][0]["capacity"] = 6
    changed["units"].append({"id": "ulp-cakra", "name": "ULP Cakranegara", "level": "ulp", "parent": "up3-mataram"})
    sync_config(database, make_config(**changed))
    cameras = {row["id"]: row for row in _all(database, CameraRecord)}
    assert cameras["cam-hall"]["name"] == "Hall"
    assert cameras["cam-hall"]["updated_at"] > before["cam-hall"]
    assert cameras["cam-door"]["updated_at"] == before["cam-door"]
    zones = {(row["camera_id"], row["zone_id"]): row for row in _all(database, ZoneRecord)}
    assert zones[("cam-hall", "queue-1")]["capacity"] == 6
    assert database.count_rows()["units"] == 4


def test_zone_left_out_of_the_config_is_kept(database: Database) -> None:
    config = make_config()
    sync_config(database, config)
    MinuteRepository(database).write_minutes([make_minute_row(zone_id="queue-1")], source="test")
    smaller = config.model_dump(mode="json", exclude_none=True)
    smaller["cameras"][0]["zones"] = [z for z in smaller["cameras"][0]["zones"] if z["id"] == "staff-1"]
    smaller["cameras"][0]["zones"][0].pop("counter")
    sync_config(database, make_config(**smaller))
    assert database.count_rows()["zones"] == 4
    assert len(MinuteRepository(database).minute_rows()) == 1

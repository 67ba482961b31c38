"""The Alembic migrations create the schema the ORM models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import threading
from datetime import timedelta
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Inspector, insert, inspect, select

from cvmon.config import Config
from cvmon.figures import FLOW_COUNTS, GREETING_COUNTS, STAFF_COUNTS
from cvmon.histogram import LEGACY_EDGES_S, DurationHistogram, from_legacy
from cvmon.storage import Database, open_database
from cvmon.storage.config_history import sync_config
from cvmon.storage.daily import daily_rows
from cvmon.storage.engine import make_engine
from cvmon.storage.migrate import alembic_config
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.models import TABLES, Base, CameraMinuteRecord, DailyStatRecord, HourlyStatRecord, MinuteStatRecord
from cvmon.storage.partitions import include_in_schema_comparison
from cvmon.storage.retention import hourly_rows
from cvmon.types import COVERAGE_FIELDS
from tests.storage.conftest import MINUTE, make_camera_minute, make_minute_row, sync_rows_before_0012

WORKERS = 4
EXPECTED_TABLES = {
    "units",
    "cameras",
    "zones",
    "camera_versions",
    "zone_versions",
    "minute_stats",
    "minute_parts",
    "daily_stats",
    "camera_events",
    "camera_minutes",
    "camera_minute_parts",
    "alerts",
    "evidence",
    "outbox",
    "hourly_stats",
    "users",
    "user_units",
    "user_sessions",
    "audit_log",
    "rating_days",
    "shopper_scores",
    "greeting_references",
}
ADDED_LATER = {*GREETING_COUNTS, *STAFF_COUNTS, *FLOW_COUNTS, "staff_seconds", "journey_seconds_sum", "journey_hist"}
# Words that would betray per-person data or credentials in a column name.
FORBIDDEN_COLUMN_WORDS = ("track", "image", "frame_data", "snapshot", "bbox", "xyxy", "face", "source_url", "url")


def test_open_creates_every_table(database: Database) -> None:
    inspector = inspect(database.engine)
    assert set(TABLES) == EXPECTED_TABLES
    assert EXPECTED_TABLES | {"alembic_version"} <= set(inspector.get_table_names())


def test_minute_stats_has_its_key_and_indexes(database: Database) -> None:
    inspector = inspect(database.engine)
    pk = inspector.get_pk_constraint("minute_stats")
    assert pk["constrained_columns"] == ["camera_id", "zone_id", "minute"]
    indexes = {tuple(ix["column_names"]) for ix in inspector.get_indexes("minute_stats")}
    assert {("camera_id", "minute"), ("minute",)} <= indexes
    uniques = {tuple(uq["column_names"]) for uq in inspector.get_unique_constraints("camera_events")}
    assert ("camera_id", "ts", "kind") in uniques
    assert inspector.get_pk_constraint("camera_minutes")["constrained_columns"] == ["camera_id", "minute"]
    parts = ("minute_parts", "camera_minute_parts")
    parts_keys = [inspector.get_pk_constraint(t)["constrained_columns"] for t in parts]
    assert parts_keys == [["camera_id", "zone_id", "minute", "source"], ["camera_id", "minute", "source"]]


def test_no_column_holds_people_or_credentials(database: Database) -> None:
    inspector = inspect(database.engine)
    for table in EXPECTED_TABLES:
        for column in inspector.get_columns(table):
            name = column["name"].lower()
            assert not any(word in name for word in FORBIDDEN_COLUMN_WORDS), f"{table}.{name}"
    camera_columns = {c["name"] for c in inspector.get_columns("cameras")}
    assert "source" not in camera_columns
    assert "source_kind" in camera_columns


def test_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_in_schema_comparison}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(database: Database) -> None:
    config = alembic_config()
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert not EXPECTED_TABLES & set(inspect(database.engine).get_table_names())
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    assert set(inspect(database.engine).get_table_names()) >= EXPECTED_TABLES


def test_open_twice_keeps_the_data(database_url: str, config: Config) -> None:
    with open_database(database_url) as first:
        sync_config(first, config)
        MinuteRepository(first).write_minutes([make_minute_row()], source="test")
    with open_database(database_url) as second:
        assert MinuteRepository(second).minute_rows() == [make_minute_row()]
        with second.engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert MigrationContext.configure(conn).get_current_revision() == head


def _open_after(url: str, barrier: Any) -> None:
    barrier.wait(timeout=60)
    open_database(url).close()


def test_workers_opening_a_new_database_together_all_succeed(database_url: str) -> None:
    """Worker processes that start together on a fresh database do not race to create the schema."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    workers = [ctx.Process(target=_open_after, args=(database_url, barrier)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        if worker.is_alive():
            worker.kill()
    assert [w.exitcode for w in workers] == [0] * WORKERS
    with open_database(database_url) as db:
        assert set(db.count_rows()) == EXPECTED_TABLES


def test_threads_opening_a_new_database_together_all_succeed(database_url: str) -> None:
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            open_database(database_url).close()
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=open_and_close) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)


def test_inference_columns_upgrade_an_existing_database(database_url: str, config: Config) -> None:
    """Camera minutes stored before revision 0005 read 0 ms; a downgrade drops only the new columns."""
    engine = make_engine(database_url)
    alembic = alembic_config()
    old_columns = {"frames_analysed": 300, "seconds_online": 60.0, "seconds_offline": 0.0, "t_first_s": 0.0}
    try:
        with engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.upgrade(alembic, "0004")
        sync_rows_before_0012(Database(engine, database_url), config)
        with engine.begin() as conn:
            assert "inference_ms_sum" not in {c["name"] for c in inspect(conn).get_columns("camera_minutes")}
            checks = _check_constraints(inspect(conn))
            assert checks
            conn.execute(
                insert(CameraMinuteRecord.__table__).values(
                    camera_id="cam-hall", minute=MINUTE, t_last_s=59.8, **old_columns
                )
            )
    finally:
        engine.dispose()
    with open_database(database_url) as db:
        # not measured then, so no frame counts as detected either (revision 0006)
        assert MinuteRepository(db).camera_minutes() == [
            make_camera_minute(inference_ms_sum=0.0, inference_ms_max=0.0, frames_detected=0)
        ]
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("camera_minutes")}
        assert not columns["inference_ms_sum"]["nullable"] and not columns["inference_ms_max"]["nullable"]
        MinuteRepository(db).write_minutes(
            [], [make_camera_minute(minute=MINUTE + timedelta(minutes=1))], source="test"
        )
        with db.engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.downgrade(alembic, "0004")
        inspector = inspect(db.engine)
        assert "inference_ms_sum" not in {c["name"] for c in inspector.get_columns("camera_minutes")}
        assert _check_constraints(inspector) == checks  # SQLite's batch copy of the table kept them
        with db.engine.connect() as conn:
            minutes = conn.execute(select(CameraMinuteRecord.__table__.c.frames_analysed)).scalars().all()
        assert minutes == [300, 300]
    with open_database(database_url) as db:
        assert [c.inference_ms_sum for c in MinuteRepository(db).camera_minutes()] == [0.0, 0.0]


def _check_constraints(inspector: Inspector) -> set[str]:
    return {c["name"] or "" for c in inspector.get_check_constraints("camera_minutes")}


def test_frames_detected_is_filled_in_where_inference_was_measured(database_url: str, config: Config) -> None:
    """Before motion gating (revision 0006) every measured frame went through the detector."""
    engine = make_engine(database_url)
    alembic = alembic_config()
    try:
        with engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.upgrade(alembic, "0005")
        sync_rows_before_0012(Database(engine, database_url), config)
        with engine.begin() as conn:
            for i, ms in enumerate((7200.0, 0.0)):
                conn.execute(
                    insert(CameraMinuteRecord.__table__).values(
                        camera_id="cam-hall",
                        minute=MINUTE + timedelta(minutes=i),
                        frames_analysed=300,
                        seconds_online=60.0,
                        seconds_offline=0.0,
                        t_first_s=0.0,
                        t_last_s=59.8,
                        inference_ms_sum=ms,
                        inference_ms_max=ms / 100,
                    )
                )
    finally:
        engine.dispose()
    with open_database(database_url) as db:
        assert [c.frames_detected for c in MinuteRepository(db).camera_minutes()] == [300, 0]


def test_old_visit_histograms_are_carried_into_the_log_layout(database_url: str, config: Config) -> None:
    """Revision 0010 rewrites the fixed-bucket histograms (layout 1) of minute, hourly and daily rows into
    layout 2, keeping every visit where the old buckets read it; the downgrade keeps the counts too."""
    engine = make_engine(database_url)
    alembic = alembic_config()
    old = [0] * (len(LEGACY_EDGES_S) + 1)
    old[7], old[12] = 3, 1  # three visits of 60-90 s, one of 300-360 s
    empty = [0] * (len(LEGACY_EDGES_S) + 1)
    figures = {
        "zone_kind": "queue",
        "samples": 300,
        "count_sum": 600,
        "count_max": 3,
        "seconds_observed": 60.0,
        "seconds_staffed": 0.0,
        "seconds_offline": 0.0,
        "seconds_over_capacity": 0.0,
        "visit_seconds_sum": 560.0,
    }
    key = {"camera_id": "cam-hall", "zone_id": "queue-1"}
    try:
        with engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.upgrade(alembic, "0009")
        sync_rows_before_0012(Database(engine, database_url), config)
        with engine.begin() as conn:
            for i, hist in enumerate((old, empty)):
                visits = sum(hist)
                minute = MINUTE + timedelta(minutes=i)
                values = {**key, **figures, "visits": visits, "visit_hist": hist}
                conn.execute(
                    insert(MinuteStatRecord.__table__).values(minute=minute, t_first_s=0.0, t_last_s=59.8, **values)
                )
            conn.execute(
                insert(HourlyStatRecord.__table__).values(
                    hour=MINUTE.replace(minute=0), minutes=2, final=False, **values | {"visits": 4, "visit_hist": old}
                )
            )
            conn.execute(
                insert(DailyStatRecord.__table__).values(
                    day=MINUTE.date(), hours=1, **values | {"visits": 4, "visit_hist": old}
                )
            )
    finally:
        engine.dispose()
    expected = from_legacy(old)
    assert expected.total == 4
    assert expected.quantile(0.5) == pytest.approx(78.75, rel=0.02)  # where the old interpolation put them
    with open_database(database_url) as db:
        assert [r.visit_hist for r in MinuteRepository(db).minute_rows()] == [expected, DurationHistogram()]
        assert [r.visit_hist for r in hourly_rows(db)] == [expected]
        assert [r.visit_hist for r in daily_rows(db)] == [expected]
        with db.engine.connect() as conn:
            stored = conn.execute(select(MinuteStatRecord.__table__.c.visit_hist)).scalars().all()
        assert all(s["v"] == 2 for s in stored)
        with db.engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.downgrade(alembic, "0009")
        with db.engine.connect() as conn:
            back = conn.execute(select(MinuteStatRecord.__table__.c.visit_hist).order_by("minute")).scalars().all()
        assert [sum(h) for h in back] == [4, 0] and back[0][7] == 3 and back[1] == empty
    with open_database(database_url) as db:  # and up again
        assert [r.visit_hist.total for r in MinuteRepository(db).minute_rows()] == [4, 0]


def test_stored_minutes_become_legacy_parts(database_url: str, config: Config) -> None:
    """Revision 0011 carries every minute row and camera minute over as its key's only part, of the source
    ``legacy``: the sums stay what they were, a new source adds to them, the same legacy part again
    replaces itself. The downgrade drops the parts and keeps the rows."""
    engine = make_engine(database_url)
    alembic = alembic_config()
    loket = make_minute_row(zone_id="loket-1", zone_kind="counter_customer", visit_durations=())
    queue = make_minute_row()
    rows = [loket, queue]  # as they are read back: by camera, zone, minute
    coverage = [make_camera_minute("cam-door", MINUTE + timedelta(days=40)), make_camera_minute()]  # two months
    try:
        with engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.upgrade(alembic, "0010")
        sync_rows_before_0012(Database(engine, database_url), config)
        with engine.begin() as conn:
            for row in rows:
                columns = {k: v for k, v in row.as_columns().items() if k not in ADDED_LATER}  # added by 0015, 0016
                values = {"zone_kind": row.zone_kind, **columns, "t_first_s": row.t_first_s}
                conn.execute(
                    insert(MinuteStatRecord.__table__).values(
                        camera_id=row.camera_id, zone_id=row.zone_id, minute=row.minute, t_last_s=row.t_last_s, **values
                    )
                )
            for cam in coverage:
                values = {name: getattr(cam, name) for name in COVERAGE_FIELDS}
                table = CameraMinuteRecord.__table__
                conn.execute(insert(table).values(camera_id=cam.camera_id, minute=cam.minute, **values))
    finally:
        engine.dispose()
    with open_database(database_url) as db:
        assert MinuteRepository(db).minute_rows() == rows and MinuteRepository(db).camera_minutes() == coverage
        parts = MinuteRepository(db).minute_parts()
        assert {key: list(by_source) for key, by_source in parts.items()} == {
            (r.camera_id, r.zone_id, r.minute): ["legacy"] for r in rows
        }
        assert [parts[(r.camera_id, r.zone_id, r.minute)]["legacy"] for r in rows] == rows
        assert db.count_rows()["camera_minute_parts"] == 2

        MinuteRepository(db).write_minutes([queue], [coverage[1]], source="legacy")  # the same part again: replaced
        assert MinuteRepository(db).minute_rows() == rows and MinuteRepository(db).camera_minutes() == coverage
        late = make_minute_row(samples=5, count_sum=5, visit_durations=(3.0,), t_first_s=10.0, t_last_s=10.8)
        MinuteRepository(db).write_minutes([late], source="live:cam-hall:run:0")
        assert (MinuteRepository(db).minute_rows()[1].samples, MinuteRepository(db).minute_rows()[1].visits) == (
            queue.samples + 5,
            queue.visits + 1,
        )

        with db.engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.downgrade(alembic, "0010")
        names = set(inspect(db.engine).get_table_names())
        assert not {"minute_parts", "camera_minute_parts"} & names
        with db.engine.connect() as conn:
            samples = conn.execute(select(MinuteStatRecord.__table__.c.samples).order_by("zone_id")).scalars().all()
        assert samples == [loket.samples, queue.samples + 5]
    with open_database(database_url) as db:  # and up again: the sums, now legacy parts
        assert [r.samples for r in MinuteRepository(db).minute_rows()] == [loket.samples, queue.samples + 5]
        assert db.count_rows()["minute_parts"] == 2 and MinuteRepository(db).camera_minutes() == coverage


def test_ratings_tables_come_and_go_with_revision_0013(database: Database, config: Config) -> None:
    """0013 adds the imported ratings and mystery-shopper scores and its downgrade drops them alone."""
    from datetime import date

    from cvmon.storage.models import RatingDayRecord, ShopperScoreRecord

    sync_config(database, config)
    unit = config.units[0].id
    with database.transaction("write", write=True) as session:
        session.add(RatingDayRecord(unit_id=unit, day=date(2026, 11, 23), channel="app", service="", csat_count=3,
                                    csat_mean=4.0, nps_promoters=1, nps_passives=1, nps_detractors=1, ces_count=0,
                                    ces_mean=None, imported_at=MINUTE))  # fmt: skip
        session.add(ShopperScoreRecord(unit_id=unit, visit_date=date(2026, 11, 23), visit_time="09:10",
                                       touchpoint="satpam", aspect="Salam", weight=1.0, score=80.0,
                                       imported_at=MINUTE))  # fmt: skip
    inspector = inspect(database.engine)
    assert inspector.get_pk_constraint("rating_days")["constrained_columns"] == ["unit_id", "day", "channel", "service"]
    assert inspector.get_pk_constraint("shopper_scores")["constrained_columns"] == [
        "unit_id", "visit_date", "visit_time", "touchpoint", "aspect"
    ]  # fmt: skip
    alembic = alembic_config()
    with database.engine.begin() as conn:
        alembic.attributes["connection"] = conn
        command.downgrade(alembic, "0012")
    tables = set(inspect(database.engine).get_table_names())
    assert not {"rating_days", "shopper_scores"} & tables
    assert EXPECTED_TABLES - {"rating_days", "shopper_scores", "greeting_references"} <= tables
    with database.engine.begin() as conn:
        alembic.attributes["connection"] = conn
        command.upgrade(alembic, "head")
    assert {"rating_days", "shopper_scores"} <= set(inspect(database.engine).get_table_names())


def test_room_evidence_kinds_come_with_0014_and_go_with_its_downgrade(database_url: str, config: Config) -> None:
    """Revision 0014 lets the evidence table hold room snapshots (reference, opening, check); its downgrade
    deletes them and refuses them again, keeping every other snapshot."""
    from sqlalchemy.exc import IntegrityError

    from cvmon.storage.models import EvidenceRecord

    alembic = alembic_config()
    with open_database(database_url) as db:
        sync_config(db, config)
        camera = config.cameras[0].id
        table = EvidenceRecord.__table__

        def shot(kind: str, n: int) -> dict[str, Any]:
            return {
                "camera_id": camera,
                "ts": MINUTE,
                "kind": kind,
                "path": f"p{n}",
                "sha256": "0" * 64,
                "size": 1,
                "counts": {},
            }

        with db.engine.begin() as conn:
            for n, kind in enumerate(("open", "room_reference", "room_opening", "room_check")):
                conn.execute(insert(table).values(**shot(kind, n)))
        with db.engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.downgrade(alembic, "0013")
        with db.engine.connect() as conn:
            assert conn.execute(select(table.c.kind)).scalars().all() == ["open"]
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(insert(table).values(**shot("room_reference", 9)))
        with db.engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.upgrade(alembic, "head")
        with db.engine.begin() as conn:
            conn.execute(insert(table).values(**shot("room_check", 10)))
            assert sorted(conn.execute(select(table.c.kind)).scalars().all()) == ["open", "room_check"]


def test_greeting_figures_come_with_0015_and_go_with_its_downgrade(database_url: str, config: Config) -> None:
    """Revision 0015 adds the greeting counts to every table of zone figures (a stored row reads 0 for
    them), the missed-greeting snapshot kind and the reference greetings; its downgrade drops them all
    and keeps the other figures."""
    from cvmon.storage.models import EvidenceRecord

    greeted = make_minute_row(greet_arrivals=3, greeted=1, greet_missed=1, greet_unseen=1, seated=2)
    alembic = alembic_config()
    with open_database(database_url) as db:
        sync_config(db, config)
        MinuteRepository(db).write_minutes([greeted], source="run")
        assert MinuteRepository(db).minute_rows() == [greeted]
        evidence = EvidenceRecord.__table__
        shot = {"camera_id": greeted.camera_id, "ts": MINUTE, "sha256": "0" * 64, "size": 1, "counts": {}}
        with db.engine.begin() as conn:
            conn.execute(insert(evidence).values(kind="open", path="a", **shot))
            conn.execute(insert(evidence).values(kind="greeting_missed", path="b", **shot))
            alembic.attributes["connection"] = conn
            command.downgrade(alembic, "0014")
        inspector = inspect(db.engine)
        assert not {"arrivals", "journey_hist", "staff_seconds"} & {
            c["name"] for c in inspector.get_columns("minute_stats")
        }
        assert "greeting_references" not in inspector.get_table_names()
        for table in ("minute_stats", "minute_parts", "hourly_stats", "daily_stats"):
            assert not set(GREETING_COUNTS) & {c["name"] for c in inspector.get_columns(table)}
        with db.engine.connect() as conn:
            assert conn.execute(select(evidence.c.kind)).scalars().all() == ["open"]
            assert conn.execute(select(MinuteStatRecord.__table__.c.samples)).scalars().all() == [greeted.samples]
        with db.engine.begin() as conn:
            alembic.attributes["connection"] = conn
            command.upgrade(alembic, "head")
        back = MinuteRepository(db).minute_rows()
        assert back == [make_minute_row()]  # the figures kept, the greeting counts 0

"""The spooling sink of a live worker: through a database outage nothing is lost, nothing is written
twice, and the order of writes is kept. The database here is a real SQLite one behind a fake that
fails on demand (``OutageOutputs``); tests/pipeline/test_spool_postgres.py stops a real PostgreSQL."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from cvmon.alerts.notifications import AlertNotifier
from cvmon.alerts.notify_once import NotifyOnce
from cvmon.config import Config
from cvmon.config.models import CameraConfig
from cvmon.errors import StorageError
from cvmon.evidence import anonymise
from cvmon.notify import NotifySettings, Outbox
from cvmon.pipeline import spool_codec as codec
from cvmon.pipeline.evidence_capture import PendingSnapshot
from cvmon.pipeline.outputs import DatabaseOutputs
from cvmon.pipeline.spooling import SpoolingOutputs, spool_path, staging_dir
from cvmon.pipeline.staged_evidence import StagedSnapshot
from cvmon.storage import Database, open_database
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.config_history import sync_config
from cvmon.storage.events import CameraEventRepository
from cvmon.storage.evidence import EvidenceRepository
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.spool import Spool
from cvmon.types import AlertChange, CameraMinute, ChangeKind, MinuteRow, Rule, SourceEvent, SourceEventKind
from tests.storage.conftest import MINUTE, make_camera_minute, make_config, make_minute_row

WEBHOOK = NotifySettings(webhook_url="http://127.0.0.1:9/hook", webhook_secret="not-a-secret")
OPENED_AT = MINUTE + timedelta(minutes=1, seconds=12.4)


def live(n: int, run: int = 1) -> str:
    """The source of a live run's ``n``-th batch (``cvmon.pipeline.write_sources``)."""
    return f"live:cam-hall:run-{run}:{n}"


class OutageOutputs(DatabaseOutputs):
    """A fake of the database's availability, for the spooling logic: the real outputs on SQLite, but
    while ``down`` every call raises StorageError before reaching the database, and the next write of
    each kind listed in ``lose_answers`` commits, then raises (its commit unknown to the caller)."""

    def __init__(self, db: Database, store: EvidenceStore, on_alerts: Any) -> None:
        super().__init__(db, store, on_alerts=on_alerts)
        self.down = False
        self.lose_answers: list[str] = []
        self.written: list[str] = []  # kinds of the writes that reached the database, in order
        self.sources: list[str] = []  # the sources of the minute writes that reached it

    def _gate(self) -> None:
        if self.down:
            raise StorageError("fake outage: database unreachable")

    def _answer(self, kind: str) -> None:
        self.written.append(kind)
        if kind in self.lose_answers:
            self.lose_answers.remove(kind)
            raise StorageError("fake outage: connection lost after the commit")

    def write_minutes(self, rows: Sequence[MinuteRow], cameras: Sequence[CameraMinute] = (), *, source: str) -> None:
        self._gate()
        super().write_minutes(rows, cameras, source=source)
        self.sources.append(source)
        self._answer("minutes")

    def write_events(self, events: Sequence[SourceEvent]) -> int:
        self._gate()
        added = super().write_events(events)
        self._answer("events")
        return added

    def write_alerts(
        self, camera: CameraConfig, changes: Any, snapshots: Any = (), *, retry: bool = False
    ) -> list[int]:
        self._gate()
        ids = super().write_alerts(camera, changes, snapshots, retry=retry)
        self._answer("alerts")
        return ids

    def ping(self) -> None:
        self._gate()
        super().ping()

    def close(self) -> None:  # the test's database outlives the sink
        pass


class FailingOnce:
    """A listener that fails ``failures`` times (the outbox unreachable after the alert was stored)."""

    def __init__(self, inner: Callable[..., None]) -> None:
        self.inner = inner
        self.failures = 0

    def __call__(self, *args: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise StorageError("fake outage: outbox unreachable")
        self.inner(*args)


@dataclass
class Rig:
    config: Config
    camera: CameraConfig
    db: Database
    store: EvidenceStore
    fake: OutageOutputs
    listener: FailingOnce
    spool_file: Path
    connectable: list[bool]

    def sink(self, **kw: Any) -> SpoolingOutputs:
        def connect() -> DatabaseOutputs:
            if not self.connectable[0]:
                raise StorageError("fake outage: cannot open the database")
            return self.fake

        kw.setdefault("retry_every_s", 3600.0)  # no background delivery unless a test asks for it
        return SpoolingOutputs(Spool(self.spool_file), connect, self.camera, **kw)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    config = make_config()
    db = open_database(f"sqlite:///{tmp_path / 'cvmon.db'}")
    sync_config(db, config)
    store = EvidenceStore(tmp_path / "evidence")
    listener = FailingOnce(NotifyOnce(AlertNotifier(db, WEBHOOK, config), db))
    fake = OutageOutputs(db, store, listener)
    yield Rig(config, config.camera("cam-hall"), db, store, fake, listener, spool_path(tmp_path, "cam-hall"), [True])
    db.close()


def minute(n: int, **changes: Any) -> tuple[list[MinuteRow], list[CameraMinute]]:
    at = MINUTE + timedelta(minutes=n)
    return [make_minute_row(minute=at, **changes)], [make_camera_minute(minute=at)]


def change(kind: ChangeKind, seconds: float, value: float = 4.0) -> AlertChange:
    return AlertChange(Rule.QUEUE_LONG, "queue-1", kind, OPENED_AT + timedelta(seconds=seconds), value, OPENED_AT)


def snapshot() -> PendingSnapshot:
    jpeg = anonymise(np.zeros((90, 160, 3), np.uint8), [])
    return PendingSnapshot("open", OPENED_AT, jpeg, {"queue-1": 4}, ("queue_long", "queue-1", OPENED_AT))


def notifications(db: Database) -> list[tuple[str, int]]:
    messages = Outbox(db).due("webhook", datetime.now(UTC) + timedelta(days=1))
    return [(m.payload["event"], m.payload["alert_id"]) for m in messages]


def test_payloads_round_trip_exactly(tmp_path: Path) -> None:
    wita = ZoneInfo("Asia/Makassar")
    row = make_minute_row(seconds_observed=59.800000000000004, visit_seconds_sum=1 / 3)
    cam = make_camera_minute(inference_ms_sum=4321.123456789, inference_ms_max=87.654321)
    event = SourceEvent("cam-hall", SourceEventKind.OFFLINE, MINUTE.astimezone(wita) + timedelta(microseconds=7), "x")
    alert = change(ChangeKind.PEAK, 3.000001, value=5.5)
    staged = StagedSnapshot(
        "peak", OPENED_AT, {"queue-1": 5}, ("queue_long", "queue-1", OPENED_AT), "a/b.jpg", "f" * 64, 9, tmp_path
    )

    def trip(data: dict[str, Any]) -> dict[str, Any]:
        return json.loads(json.dumps(data))

    assert codec.minute_row_from_json(trip(codec.minute_row_to_json(row))) == row
    assert codec.camera_minute_from_json(trip(codec.camera_minute_to_json(cam))) == cam
    back = codec.event_from_json(trip(codec.event_to_json(event)))
    assert back == event and back.ts.utcoffset() == timedelta(hours=8) and back.kind is SourceEventKind.OFFLINE
    assert codec.change_from_json(trip(codec.change_to_json(alert))) == alert
    assert codec.staged_from_json(trip(codec.staged_to_json(staged)), tmp_path) == staged


def test_writes_go_straight_to_the_database_while_it_answers(rig: Rig) -> None:
    with rig.sink() as sink:
        sink.write_minutes(*minute(0), source=live(0))
        sink.write_alerts(rig.camera, [change(ChangeKind.OPENED, 0)], [snapshot()])
        assert len(sink.spool) == 0
    assert len(MinuteRepository(rig.db).minute_rows()) == 1
    assert len(EvidenceRepository(rig.db, rig.store).find()) == 1
    assert rig.fake.written == ["minutes", "alerts"]


def test_an_outage_is_spooled_then_delivered_in_order_exactly_once(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="cvmon.pipeline.spooling")
    offline = SourceEvent("cam-hall", SourceEventKind.OFFLINE, MINUTE + timedelta(seconds=70), "timeout")
    online = SourceEvent("cam-hall", SourceEventKind.ONLINE, MINUTE + timedelta(seconds=95))
    written = [minute(n) for n in range(4)]
    with rig.sink() as sink:
        sink.write_minutes(*written[0], source=live(0))
        rig.fake.down = True
        sink.write_events([offline])
        sink.write_minutes(*written[1], source=live(1))
        sink.write_alerts(rig.camera, [change(ChangeKind.OPENED, 0)], [snapshot()])
        sink.write_events([online])
        sink.write_minutes(*written[2], source=live(2))
        sink.write_alerts(rig.camera, [change(ChangeKind.CLEARED, 50)])
        rig.fake.down = False  # back: but the spool is not empty, so this waits its turn
        sink.write_minutes(*written[3], source=live(3))

        assert len(sink.spool) == 7
        assert len(MinuteRepository(rig.db).minute_rows()) == 1 and CameraEventRepository(rig.db).events() == []
        assert rig.store.list_files() == []  # the snapshot waits beside the spool
        spooling = [r.getMessage() for r in caplog.records if "spooling" in r.getMessage()]
        assert spooling == [
            f"[cam-hall] database unreachable (fake outage: database unreachable): spooling 1 camera events to "
            f"{rig.spool_file}"
        ]

        assert sink.drain() is True
        assert len(sink.spool) == 0
    assert rig.fake.written == ["minutes", "events", "minutes", "alerts", "events", "minutes", "alerts", "minutes"]
    assert MinuteRepository(rig.db).minute_rows() == [rows[0] for rows, _ in written]
    assert MinuteRepository(rig.db).camera_minutes() == [cams[0] for _, cams in written]
    assert [e.kind for e in CameraEventRepository(rig.db).events()] == [SourceEventKind.OFFLINE, SourceEventKind.ONLINE]
    [alert] = AlertRepository(rig.db).find()
    assert alert.cleared_at == OPENED_AT + timedelta(seconds=50)
    [shot] = EvidenceRepository(rig.db, rig.store).find()
    assert shot.alert_id == alert.id
    assert EvidenceRepository(rig.db, rig.store).read(shot.id)[1][:2] == b"\xff\xd8"  # the file, sha256 checked
    assert notifications(rig.db) == [("alert.opened", alert.id), ("alert.cleared", alert.id)]
    assert any("database reachable again: delivered 7 spooled writes" in r.getMessage() for r in caplog.records)


def test_a_write_whose_commit_is_unknown_is_not_written_twice(rig: Rig) -> None:
    first = make_minute_row(samples=150, count_sum=300, visit_durations=(40.0,), t_first_s=0.0, t_last_s=29.8)
    second = make_minute_row(samples=140, count_sum=200, visit_durations=(12.0,), t_first_s=32.0, t_last_s=59.8)
    with rig.sink() as sink:
        sink.write_minutes([first], source=live(7))  # a worker stopped mid-minute...
        rig.fake.lose_answers = ["minutes"]
        sink.write_minutes([second], source=live(0, run=2))  # ...the next one's part, its answer lost
        assert sink.drain() is True
        rig.fake.lose_answers = ["alerts"]
        sink.write_alerts(rig.camera, [change(ChangeKind.OPENED, 0)], [snapshot()])  # all stored, answer lost
        assert [e.attempts for e in sink.spool.peek_batch(5)] == [1]
        assert sink.drain() is True

        rig.fake.down = True  # and once more on deliveries from the spool
        sink.write_alerts(rig.camera, [change(ChangeKind.CLEARED, 50)])
        sink.write_minutes(*minute(1), source=live(1, run=2))
        rig.fake.down = False
        rig.fake.lose_answers = ["alerts", "minutes"]
        assert sink.drain() is False  # the alert change committed, its answer lost
        assert sink.drain() is False  # its retry went through; the minute rows committed, their answer lost
        assert sink.drain() is True
    assert rig.fake.written == ["minutes"] * 3 + ["alerts"] * 4 + ["minutes"] * 2  # each lost answer: sent again
    # each replay under the source of its first try, replacing what that try committed
    assert rig.fake.sources == [live(7), live(0, run=2), live(0, run=2), live(1, run=2), live(1, run=2)]
    assert [(r.samples, r.count_sum, r.visits) for r in MinuteRepository(rig.db).minute_rows()] == [
        (290, 500, 2),
        (300, 630, 2),
    ]
    assert [sorted(parts) for parts in MinuteRepository(rig.db).minute_parts().values()] == [
        [live(7), live(0, run=2)],
        [live(1, run=2)],
    ]
    assert [c.frames_analysed for c in MinuteRepository(rig.db).camera_minutes()] == [300]
    [alert] = AlertRepository(rig.db).find()
    assert alert.cleared_at is not None
    [shot] = EvidenceRepository(rig.db, rig.store).find()
    assert rig.store.list_files() == [shot.path]
    assert EvidenceStore(staging_dir(rig.spool_file)).list_files() == []
    assert notifications(rig.db) == [("alert.opened", alert.id), ("alert.cleared", alert.id)]


def test_a_notification_lost_after_its_alert_was_stored_is_sent_on_the_retry(rig: Rig) -> None:
    with rig.sink() as sink:
        rig.listener.failures = 1
        sink.write_alerts(rig.camera, [change(ChangeKind.OPENED, 0)])
        assert len(sink.spool) == 1 and len(AlertRepository(rig.db).find()) == 1
        assert notifications(rig.db) == []
        assert sink.drain() is True
    [alert] = AlertRepository(rig.db).find()
    assert notifications(rig.db) == [("alert.opened", alert.id)]


def test_a_worker_that_starts_while_the_database_is_down_measures_and_delivers_later(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cvmon.pipeline.spooling")
    rig.connectable[0] = False
    with rig.sink(retry_every_s=0.05, retry_max_s=0.2) as sink:
        assert sink.outputs is None
        sink.write_minutes(*minute(0), source=live(0))
        sink.write_events([SourceEvent("cam-hall", SourceEventKind.ONLINE, MINUTE)])
        time.sleep(0.3)  # a few tries fail
        assert len(sink.spool) == 2
        rig.connectable[0] = True
        deadline = time.monotonic() + 10
        while len(sink.spool) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(sink.spool) == 0
    assert len(MinuteRepository(rig.db).minute_rows()) == 1 and len(CameraEventRepository(rig.db).events()) == 1
    messages = [r.getMessage() for r in caplog.records]
    assert "measuring anyway" in messages[0] and "delivered 2 spooled writes" in messages[-1]


def test_what_is_left_at_stop_is_delivered_by_the_next_worker(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="cvmon.pipeline.spooling")
    rig.fake.down = True
    sink = rig.sink()
    sink.start()
    sink.write_minutes(*minute(0), source=live(0))
    sink.write_alerts(rig.camera, [change(ChangeKind.OPENED, 0)], [snapshot()])
    sink.close(timeout_s=0.5)
    assert "2 writes stay spooled" in caplog.records[-1].getMessage()

    rig.fake.down = False
    with rig.sink() as restarted:
        assert restarted.drain() is True
    assert len(MinuteRepository(rig.db).minute_rows()) == 1 and len(AlertRepository(rig.db).find()) == 1
    assert len(EvidenceRepository(rig.db, rig.store).find()) == 1


def test_a_write_the_database_refuses_is_set_aside_and_the_rest_goes_on(rig: Rig) -> None:
    with rig.sink() as sink:
        sink.write_minutes(*minute(0, zone_id="no-such-zone"), source=live(0))  # the database answers, refuses it
        sink.write_minutes(*minute(1), source=live(1))
        assert len(sink.spool) == 2
        assert sink.drain() is False  # refused by a database that answers: it may be a passing fault
        assert sink.drain() is False
        assert sink.drain() is True  # a third time: set aside
        [(entry, reason)] = sink.spool.set_aside_entries()
    assert entry.payload["rows"][0]["zone_id"] == "no-such-zone"
    assert reason.startswith("refused 3 times by a database that answers")
    assert [r.minute for r in MinuteRepository(rig.db).minute_rows()] == [MINUTE + timedelta(minutes=1)]


def test_a_minute_entry_spooled_without_a_source_is_written_once(rig: Rig) -> None:
    """A spool written before write identity holds minute entries without a source: each is written under
    one made from its content, so its replay after a lost answer replaces itself too."""
    rows, cams = minute(0)
    payload = {
        "rows": [codec.minute_row_to_json(r) for r in rows],
        "cameras": [codec.camera_minute_to_json(c) for c in cams],
        "before": None,
    }
    with Spool(rig.spool_file) as old:
        old.append("minutes", payload, 0)
    with rig.sink() as sink:
        rig.fake.lose_answers = ["minutes"]
        assert sink.drain() is False
        assert sink.drain() is True
    assert rig.fake.written == ["minutes", "minutes"] and rig.fake.sources[0] == rig.fake.sources[1]
    assert rig.fake.sources[0].startswith("spooled:cam-hall:")
    assert MinuteRepository(rig.db).minute_rows() == rows and MinuteRepository(rig.db).camera_minutes() == cams

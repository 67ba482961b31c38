"""A real PostgreSQL outage under a live camera's sink: the server of the test's own is stopped
(``pg_ctl stop -m fast``) while minute rows and an alert are produced, a worker stops and the next one
starts while it is down, and an acknowledgement is lost after its commit. Once the server is back,
every minute row, the alert, its snapshot and its notifications are stored exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from cvmon.errors import SpoolError
from cvmon.evidence import anonymise
from cvmon.notify import NotifySettings
from cvmon.pipeline.evidence_capture import PendingSnapshot
from cvmon.pipeline.outputs import DatabaseOutputs, database_outputs
from cvmon.pipeline.spooling import SpoolingOutputs, spool_path
from cvmon.storage import open_database
from cvmon.storage.config_history import sync_config
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.models import AlertRecord, EvidenceRecord, OutboxRecord
from cvmon.storage.spool import Spool
from cvmon.types import AlertChange, ChangeKind, MinuteRow, Rule
from tests.own_postgres import OwnPostgres, own_postgres, postgres_bin
from tests.storage.conftest import MINUTE, make_camera_minute, make_config, make_minute_row

BIN = postgres_bin()
pytestmark = pytest.mark.skipif(BIN is None, reason="PostgreSQL server binaries (initdb, pg_ctl) are not installed")
WEBHOOK = NotifySettings(webhook_url="http://127.0.0.1:9/hook", webhook_secret="not-a-secret")
OPENED_AT = MINUTE + timedelta(minutes=1, seconds=20.2)
ZONES = (("queue-1", "queue"), ("loket-1", "counter_customer"), ("staff-1", "counter_staff"))


class AcksLost(Spool):
    """A spool that fails to acknowledge the entries in ``lose`` once each, as if the worker died between
    their commit and their acknowledgement."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.lose: set[int] = set()

    def ack(self, upto_seq: int) -> int:
        if upto_seq in self.lose:
            self.lose = self.lose - {upto_seq}
            raise SpoolError("fake crash: acknowledgement lost")
        return super().ack(upto_seq)


@pytest.fixture(scope="module")
def server() -> Iterator[OwnPostgres]:
    assert BIN is not None
    with own_postgres(BIN) as pg:
        yield pg


def rows(n: int, first_s: float, last_s: float, samples: int) -> list[MinuteRow]:
    at = MINUTE + timedelta(minutes=n)
    return [
        make_minute_row(
            zone_id=zone,
            zone_kind=kind,
            minute=at,
            samples=samples,
            count_sum=2 * samples + i,
            seconds_observed=(last_s - first_s) + 0.2,
            t_first_s=first_s,
            t_last_s=last_s,
            visit_durations=(10.0 + i,),
        )
        for i, (zone, kind) in enumerate(ZONES)
    ]


def live(run: int, batch: int) -> str:
    """The source of a live run's batch; every worker is a run of its own (``cvmon.pipeline.write_sources``)."""
    return f"live:cam-hall:run-{run}:{batch}"


def change(kind: ChangeKind, seconds: float) -> AlertChange:
    return AlertChange(Rule.QUEUE_LONG, "queue-1", kind, OPENED_AT + timedelta(seconds=seconds), 4.0, OPENED_AT)


def wait_until_empty(spool: Spool, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while len(spool) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(spool) == 0, f"{len(spool)} writes still spooled after {timeout_s} s"


def test_a_postgres_outage_loses_nothing_and_writes_nothing_twice(server: OwnPostgres, tmp_path: Path) -> None:
    config = make_config()
    camera = config.camera("cam-hall")
    with open_database(server.url) as db:  # `cvmon run` stores the configuration before starting workers
        sync_config(db, config)
    store = EvidenceStore(tmp_path / "evidence")

    def connect() -> DatabaseOutputs:
        return database_outputs(open_database(server.url), store, config, WEBHOOK)

    def sink(spool: Spool) -> SpoolingOutputs:
        return SpoolingOutputs(spool, connect, camera, retry_every_s=0.2, retry_max_s=0.5)

    part_1, part_2 = rows(0, 0.0, 29.8, 150), rows(0, 30.2, 59.8, 148)  # minute 0, split by a restart
    minute_1, minute_2 = rows(1, 0.0, 59.8, 300), rows(2, 0.0, 59.8, 299)
    jpeg = anonymise(np.zeros((90, 160, 3), np.uint8), [])
    shot = PendingSnapshot("open", OPENED_AT, jpeg, {"queue-1": 4}, ("queue_long", "queue-1", OPENED_AT))
    path = spool_path(tmp_path / "data", camera.id)

    first = sink(Spool(path))
    first.start()
    first.write_minutes(part_1, [make_camera_minute(t_last_s=29.8, frames_analysed=150)], source=live(1, 0))
    server.stop()
    first.write_alerts(camera, [change(ChangeKind.OPENED, 0)], [shot])
    first.write_minutes(minute_1, [make_camera_minute(minute=MINUTE + timedelta(minutes=1))], source=live(1, 1))
    first.close(timeout_s=2)  # a worker stopped (config reload) while the database is down
    with Spool(path) as left:
        assert len(left) == 2

    second = sink(AcksLost(path))
    second.start()  # the next worker starts while the database is down
    assert second.outputs is None
    second.write_minutes(part_2, [make_camera_minute(t_first_s=30.2, frames_analysed=148)], source=live(2, 0))
    second.write_minutes(minute_2, [make_camera_minute(minute=MINUTE + timedelta(minutes=2))], source=live(2, 1))
    second.write_alerts(camera, [change(ChangeKind.CLEARED, 40)])
    spooled = second.spool.peek_batch(10)
    assert [e.kind for e in spooled] == ["alerts", "minutes", "minutes", "minutes", "alerts"]
    second.spool.lose = {spooled[0].seq, spooled[2].seq}  # the alert's opening, the second part of minute 0
    server.start()
    wait_until_empty(second.spool, 30)
    assert second.spool.lose == set()  # both were delivered twice
    second.close()

    written = [*part_1, *part_2, *minute_1, *minute_2]
    with open_database(server.url) as db:
        stored = MinuteRepository(db).minute_rows()
        assert len(stored) == 9  # three zones, three minutes
        for field in ("samples", "count_sum", "visits", "seconds_observed", "visit_seconds_sum"):
            assert sum(getattr(r, field) for r in stored) == pytest.approx(sum(getattr(r, field) for r in written))
        merged = {r.zone_id: r for r in stored if r.minute == MINUTE}
        assert [merged[z].samples for z, _ in ZONES] == [298, 298, 298]
        assert (merged["queue-1"].t_first_s, merged["queue-1"].t_last_s) == (0.0, 59.8)
        assert [c.frames_analysed for c in MinuteRepository(db).camera_minutes()] == [298, 300, 300]
        with db.transaction("cannot read", write=False) as session:

            def count(table: Any) -> int:
                return int(session.scalar(select(func.count()).select_from(table)) or 0)

            assert count(AlertRecord) == 1
            alert = session.scalars(select(AlertRecord)).one()
            assert alert.cleared_at == OPENED_AT + timedelta(seconds=40)
            evidence = session.scalars(select(EvidenceRecord)).one()
            assert evidence.alert_id == alert.id
            shot_path, shot_sha = evidence.path, evidence.sha256
            events = sorted(p["event"] for p in session.scalars(select(OutboxRecord.payload)))
            assert events == ["alert.cleared", "alert.opened"]
    assert store.list_files() == [shot_path]
    assert store.read(shot_path, shot_sha)[:2] == b"\xff\xd8"

"""A live worker stopped in the middle of a minute and a new worker for the rest of the stream: every stored
minute figure equals that of the same stream watched by one worker. The stopped worker writes its part of
the minute as it stops, the next one (a new run, so a new write source) writes the rest, and the two parts
add up (``cvmon.pipeline.write_sources``); under the overlap rule of old the second part replaced the first.

The scene is the scripted one of tests/pipeline/test_final_minutes.py (late exits, retroactive staffing,
a camera drop), its detections replayed by the ``replay`` detector (a fake of the model, named as such),
through the real ``run_live`` and the real database sink. The cut lies where nobody is in a zone and no
decision is pending, so the two workers can only differ by how their rows are stored. (A worker killed
outright loses its open minute by nature: the next one records that time as a gap, see
``CameraEventRepository.resume_point``.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cvmon.pipeline.outputs import DatabaseOutputs
from cvmon.pipeline.runner import run_live
from cvmon.pipeline.spooling import SpoolingOutputs, spool_path
from cvmon.sources.base import SourceItem
from cvmon.storage import Database, open_database
from cvmon.storage.config_history import sync_config
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.spool import Spool
from cvmon.types import CameraMinute, Frame, FrameResult, MinuteRow, SourceEvent, SourceEventKind
from tests.pipeline.test_final_minutes import BACK_AT, DROP_AT, END, NOTICED_AT, at, make_pipeline

CUT_S = 85.0  # minute 1: the queue's visit ended at 58.4 s (confirmed at 61.4 s), the counter is empty
# since 50 s (decided unstaffed at 71.6 s), the staff come back at 100 s


class ScriptedStream:
    """The scene's camera from ``start_s`` to ``end_s`` at 5 fps: frames, and the drop's events."""

    def __init__(self, start_s: float, end_s: float) -> None:
        self.camera_id = "cam"
        self.start_s, self.end_s = start_s, end_s
        self.last = at(start_s)
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[SourceItem]:
        image = np.zeros((180, 320, 3), np.uint8)
        for i in range(round(self.start_s * 5), round(self.end_s * 5)):
            if self._closed.is_set():
                return
            t = i / 5
            self.last = at(t)
            if t == NOTICED_AT:
                yield SourceEvent("cam", SourceEventKind.OFFLINE, at(t), "read timeout")
            if DROP_AT <= t < BACK_AT:
                continue
            if t == BACK_AT:
                yield SourceEvent("cam", SourceEventKind.ONLINE, at(t))
            yield Frame("cam", at(t), i, image.copy(), t)

    def close(self) -> None:
        self._closed.set()


def watch(tmp_path: Path, db: Database, start_s: float, end_s: float, stop_after_s: float | None = None) -> None:
    """One worker on the stream from ``start_s``: until it ends, or stopped once the frame at
    ``stop_after_s`` is analysed (as SIGTERM would: it flushes its open minutes and stops)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    pipeline = make_pipeline(tmp_path)
    sync_config(db, pipeline.config)
    stream = ScriptedStream(start_s, end_s)
    stop = threading.Event()

    def on_frame(result: FrameResult) -> None:
        if stop_after_s is not None and result.ts >= at(stop_after_s):
            stop.set()

    sink = SpoolingOutputs(Spool(spool_path(tmp_path, "cam")), lambda: DatabaseOutputs(db), pipeline.camera)
    sink.start()
    try:
        run_live(pipeline, stream, sink, stop, on_frame=on_frame, clock=lambda: stream.last, tick_s=0.05)
    finally:
        sink.close()


def figures(row: MinuteRow) -> dict[str, Any]:
    values = asdict(row)
    values["visit_hist"] = tuple(values["visit_hist"])
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in values.items()}


def coverage(cam: CameraMinute) -> dict[str, Any]:
    """A camera minute's figures; the detector's milliseconds are measured, different in every run."""
    values = asdict(cam)
    values.pop("inference_ms_sum"), values.pop("inference_ms_max")
    return {k: round(v, 6) if isinstance(v, float) else v for k, v in values.items()}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    tmp = tmp_path_factory.mktemp("one-worker")
    with open_database(f"sqlite:///{tmp / 'cvmon.db'}") as db:
        watch(tmp, db, 0.0, END)
        yield db


def test_a_worker_stopped_mid_minute_and_restarted_stores_the_figures_of_one_worker(
    tmp_path: Path, uninterrupted: Database
) -> None:
    with open_database(f"sqlite:///{tmp_path / 'cvmon.db'}") as db:
        watch(tmp_path / "first", db, 0.0, END, stop_after_s=CUT_S - 0.2)
        first = MinuteRepository(db).minute_parts()
        watch(tmp_path / "second", db, CUT_S, END)

        expected = [figures(r) for r in MinuteRepository(uninterrupted).minute_rows()]
        assert len(expected) == 3 * 4  # three zones, four minutes
        assert [figures(r) for r in MinuteRepository(db).minute_rows()] == expected
        assert [coverage(c) for c in MinuteRepository(db).camera_minutes()] == [
            coverage(c) for c in MinuteRepository(uninterrupted).camera_minutes()
        ]

        cut_minute = at(CUT_S).replace(second=0)
        parts = MinuteRepository(db).minute_parts()
        for (_, zone, minute), by_source in parts.items():
            assert len(by_source) == (2 if minute == cut_minute else 1), (zone, minute)
        assert {m for _, _, m in first} == {at(0), cut_minute}  # the first worker wrote its part as it stopped
        runs = {source.split(":")[2] for by_source in parts.values() for source in by_source}
        assert len(runs) == 2


def test_the_parts_of_the_minute_of_the_cut_are_not_the_whole(tmp_path: Path, uninterrupted: Database) -> None:
    """The figures above are a sum: either worker's part alone would be short of the minute."""
    with open_database(f"sqlite:///{tmp_path / 'cvmon.db'}") as db:
        watch(tmp_path / "second", db, CUT_S, END)
        cut_minute = at(CUT_S).replace(second=0)
        whole = {r.zone_id: r for r in MinuteRepository(uninterrupted).minute_rows() if r.minute == cut_minute}
        late = {r.zone_id: r for r in MinuteRepository(db).minute_rows() if r.minute == cut_minute}
        assert all(0 < late[z].samples < whole[z].samples for z in whole)

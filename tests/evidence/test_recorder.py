"""EvidenceRecorder: when the latest frame and periodic snapshots are taken, and what they show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from cvmon.config.models import ZoneConfig
from cvmon.errors import EvidenceError
from cvmon.evidence import EvidenceFrame, EvidenceRecorder
from cvmon.evidence.anonymise import ZONE_COLOURS
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.types import AnonymisedJpeg, FrameResult, ZoneKind
from tests.conftest import make_detections
from tests.evidence.helpers import decode, local_std, near_colour

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 WITA
ZONE = ZoneConfig(id="queue", kind=ZoneKind.QUEUE, points=[(0.1, 0.5), (0.9, 0.5), (0.9, 0.9), (0.1, 0.9)])


def frame_at(seconds: float) -> EvidenceFrame:
    image = np.random.default_rng(1).integers(0, 256, (90, 160, 3), dtype=np.uint8)
    return EvidenceFrame(T0 + timedelta(seconds=seconds), image, np.array([[40, 20, 80, 80]], np.float32), {"queue": 1})


def recorder(tmp_path: Path, **kwargs: object) -> EvidenceRecorder:
    return EvidenceRecorder(
        EvidenceStore(tmp_path),
        "cam",
        zones=[ZONE],
        tz=ZoneInfo("Asia/Makassar"),
        **kwargs,  # type: ignore[arg-type]
    )


def test_latest_every_n_seconds(tmp_path: Path) -> None:
    rec = recorder(tmp_path, latest_every_s=5)
    written = [s for s in np.arange(0, 21, 0.5) if rec.step(frame_at(s), in_service_hours=False).latest]
    assert written == [0, 5, 10, 15, 20]
    assert sorted(p.name for p in (tmp_path / "latest").iterdir()) == ["cam.jpg"]
    assert EvidenceStore(tmp_path).list_files() == []  # no periodic snapshots unless enabled


def test_latest_due_after_time_goes_back(tmp_path: Path) -> None:
    rec = recorder(tmp_path)
    rec.record_latest(frame_at(100))
    assert not rec.latest_due(T0 + timedelta(seconds=102))
    assert rec.latest_due(T0 + timedelta(seconds=50))  # a re-run or a clock change


def test_periodic_only_in_service_hours(tmp_path: Path) -> None:
    rec = recorder(tmp_path, periodic_every_min=30)
    assert not rec.periodic_due(T0, in_service_hours=False)
    taken = []
    for minute in range(0, 121, 5):
        in_hours = minute < 90  # service ends at 10:30 WITA
        result = rec.step(frame_at(minute * 60), in_service_hours=in_hours)
        if result.periodic:
            taken.append(minute)
            assert result.periodic.kind == "periodic"
    assert taken == [0, 30, 60]
    assert len(EvidenceStore(tmp_path).list_files()) == 3


def test_periodic_periods_follow_the_clock(tmp_path: Path) -> None:
    rec = recorder(tmp_path, periodic_every_min=30)
    rec.step(frame_at(25 * 60), in_service_hours=True)  # 09:25 WITA: the 09:00 period
    assert not rec.periodic_due(T0 + timedelta(minutes=29, seconds=59), True)
    assert rec.periodic_due(T0 + timedelta(minutes=30), True)  # 09:30: a new period


def test_periodic_disabled_by_none(tmp_path: Path) -> None:
    rec = recorder(tmp_path, periodic_every_min=None)
    assert not rec.periodic_due(T0, in_service_hours=True)
    assert rec.step(frame_at(0), in_service_hours=True).periodic is None


def test_step_renders_once_for_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rec = recorder(tmp_path, periodic_every_min=15)
    calls: list[EvidenceFrame] = []
    render = rec.render

    def counting_render(frame: EvidenceFrame) -> AnonymisedJpeg:
        calls.append(frame)
        return render(frame)

    monkeypatch.setattr(rec, "render", counting_render)
    result = rec.step(frame_at(0), in_service_hours=True)
    assert result.latest == "latest/cam.jpg" and result.periodic is not None
    assert len(calls) == 1
    assert rec.step(frame_at(1), in_service_hours=True) == type(result)()
    assert len(calls) == 1
    store = EvidenceStore(tmp_path)
    assert store.read(result.periodic) == (tmp_path / "latest/cam.jpg").read_bytes()


def test_alert_snapshots_leave_the_timers_alone(tmp_path: Path) -> None:
    rec = recorder(tmp_path, periodic_every_min=30)
    stored = rec.record(frame_at(0), "alert")
    assert stored.kind == "alert" and stored.camera_id == "cam"
    assert rec.latest_due(T0) and rec.periodic_due(T0, True)


def test_snapshots_are_anonymised_with_the_camera_settings(tmp_path: Path) -> None:
    rec = recorder(tmp_path)
    frame = frame_at(0)
    before = frame.image.copy()
    image = decode(rec.render(frame))
    assert np.array_equal(frame.image, before)
    std = local_std(image)
    assert std[30:70, 45:75].mean() < 25 < 35 < std[30:70, 100:150].mean()  # the person box is pixelated
    assert near_colour(image, ZONE_COLOURS[ZoneKind.QUEUE]).sum() > 50


def test_frame_from_a_pipeline_result() -> None:
    counted = make_detections([[10, 10, 20, 40]])
    tracked = make_detections([[10, 10, 20, 40], [50, 10, 60, 40]], tracker_ids=[1, -1])
    evidence_boxes = np.array([[10, 10, 20, 40], [100, 10, 110, 40], [10, 10, 20, 40]], np.float32)
    result = FrameResult(
        frame_index=3,
        video_s=0.6,
        ts=T0,
        counts={"queue": 2},
        detections=counted,
        tracked=tracked,
        evidence_boxes=evidence_boxes,
        alert_changes=[],
    )
    image = np.zeros((90, 160, 3), np.uint8)
    frame = EvidenceFrame.from_result(image, result)
    assert frame.ts == T0 and frame.counts == {"queue": 2} and frame.image is image
    assert frame.boxes.tolist() == [[10, 10, 20, 40], [100, 10, 110, 40]]


def test_frame_from_detections() -> None:
    tracked = make_detections([[10, 10, 20, 40], [50, 10, 60, 40]], tracker_ids=[1, -1])
    low = make_detections([[10, 10, 20, 40, 0.2], [100, 10, 110, 40, 0.1]])
    image = np.zeros((90, 160, 3), np.uint8)
    frame = EvidenceFrame.from_detections(T0, image, low, tracked, {"queue": 2})
    assert frame.boxes.tolist() == [[10, 10, 20, 40], [100, 10, 110, 40], [50, 10, 60, 40]]
    assert frame.counts == {"queue": 2}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"latest_every_s": 0}, "latest_every_s"), ({"periodic_every_min": -5}, "periodic_every_min")],
)
def test_invalid_settings(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(EvidenceError, match=message):
        recorder(tmp_path, **kwargs)

"""A camera that drops in the middle of an alert: the alert neither clears nor opens again because
of the gap, camera_offline opens and clears around it, and the gap is offline time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml

from cvmon.config import parse_config
from cvmon.pipeline.runner import build_pipeline
from cvmon.types import ChangeKind, Frame, Rule, SourceEvent, SourceEventKind
from tests.conftest import T0

QUEUE = [[0.0, 0.5], [0.5, 0.5], [0.5, 1.0], [0.0, 1.0]]


def test_queue_alert_survives_a_camera_gap(tmp_path: Path) -> None:
    # four people in the queue the whole time the camera shows anything (0-60 s, 120-180 s)
    people = [{"path": [[0, 0.1 * i, 0.9], [300, 0.1 * i, 0.9]], "size": [0.05, 0.25]} for i in range(1, 5)]
    (tmp_path / "scene.yaml").write_text(yaml.safe_dump({"people": people}))
    config = parse_config(
        {
            "units": [
                {
                    "id": "u",
                    "name": "U",
                    "level": "ulp",
                    "service_hours": {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                }
            ],
            "defaults": {
                "rules": {
                    "queue_long": {"threshold": 3, "for_s": 10, "clear_below": 1, "clear_for_s": 10},
                    "camera_offline": {"for_s": 30},
                }
            },
            "cameras": [
                {
                    "id": "cam",
                    "unit": "u",
                    "source": "rtsp://camera/stream",
                    "detector": {"type": "replay", "model": str(tmp_path / "scene.yaml")},
                    "zones": [{"id": "queue", "kind": "queue", "points": QUEUE}],
                }
            ],
        }
    )
    pipeline = build_pipeline(config, config.cameras[0], tmp_path)
    image = np.zeros((180, 320, 3), np.uint8)

    def frames(start: float, end: float) -> None:
        for i in range(round(start * 5), round(end * 5)):
            t = i / 5
            pipeline.process_frame(Frame("cam", T0 + timedelta(seconds=t), i, image.copy(), t))

    frames(0, 60)
    pipeline.handle_source_event(SourceEvent("cam", SourceEventKind.OFFLINE, T0 + timedelta(seconds=62), "hung"))
    for s in range(62, 120, 1):  # the worker's idle ticks while nothing arrives
        pipeline.tick(T0 + timedelta(seconds=s))
    pipeline.handle_source_event(SourceEvent("cam", SourceEventKind.ONLINE, T0 + timedelta(seconds=120)))
    frames(120, 180)

    changes = [(c.rule, c.kind) for c in pipeline.pop_alert_changes() if c.kind is not ChangeKind.PEAK]
    assert changes == [
        (Rule.QUEUE_LONG, ChangeKind.OPENED),
        (Rule.CAMERA_OFFLINE, ChangeKind.OPENED),
        (Rule.CAMERA_OFFLINE, ChangeKind.CLEARED),
    ]
    assert (Rule.QUEUE_LONG, "queue") in pipeline.rules_state.open_alerts()
    pipeline.finish()
    rows, cams = pipeline.pop_rows(None)
    # the gap runs from the last frame (59.8 s) to the first one back (120 s): offline, not zero people
    assert sum(c.seconds_offline for c in cams) == pytest.approx(60.2, abs=0.01)
    assert all(r.count_max == 4 for r in rows if r.samples)


def test_an_outage_across_minutes_is_in_each_minute_when_it_is_handed_out(tmp_path: Path) -> None:
    """A live worker hands out finished minutes while the camera is still down: each minute must
    already hold its offline seconds, and no minute may come out twice."""
    people = [{"path": [[0, 0.2, 0.9], [300, 0.2, 0.9]], "size": [0.05, 0.25]}]
    (tmp_path / "scene.yaml").write_text(yaml.safe_dump({"people": people}))
    config = parse_config(
        {
            "units": [{"id": "u", "name": "U", "level": "ulp"}],
            "cameras": [
                {
                    "id": "cam",
                    "unit": "u",
                    "source": "rtsp://camera/stream",
                    "detector": {"type": "replay", "model": str(tmp_path / "scene.yaml")},
                    "zones": [{"id": "queue", "kind": "queue", "points": QUEUE}],
                }
            ],
        }
    )
    pipeline = build_pipeline(config, config.cameras[0], tmp_path)
    image = np.zeros((180, 320, 3), np.uint8)
    for i in range(250):  # 0 to 49.8 s
        pipeline.process_frame(Frame("cam", T0 + timedelta(seconds=i / 5), i, image.copy(), i / 5))
    pipeline.handle_source_event(SourceEvent("cam", SourceEventKind.OFFLINE, T0 + timedelta(seconds=52), "timeout"))
    handed_out = [pipeline.pop_rows(T0 + timedelta(seconds=s)) for s in (70, 110, 130)]
    first_rows, first_cams = handed_out[0]  # at 70 s the first minute is complete
    assert [c.minute for c in first_cams] == [T0]
    assert [c.minute for c in handed_out[2][1]] == [T0 + timedelta(minutes=1)]  # at 130 s the second
    assert first_cams[0].seconds_offline == pytest.approx(10.2, abs=0.01)  # 49.8 s to 60 s
    assert first_rows[0].samples == 250 and first_rows[0].seconds_offline == pytest.approx(10.2, abs=0.01)
    pipeline.handle_source_event(SourceEvent("cam", SourceEventKind.ONLINE, T0 + timedelta(seconds=140)))
    for i in range(700, 750):  # 140 to 149.8 s
        pipeline.process_frame(Frame("cam", T0 + timedelta(seconds=i / 5), i, image.copy(), i / 5))
    pipeline.finish()
    handed_out.append(pipeline.pop_rows(None))
    cams = [c for _, batch in handed_out for c in batch]
    minutes = [c.minute for c in cams]
    assert len(minutes) == len(set(minutes)) == 3  # each minute handed out once
    offline = {c.minute: c.seconds_offline for c in cams}
    assert offline == pytest.approx({T0: 10.2, T0 + timedelta(minutes=1): 60.0, T0 + timedelta(minutes=2): 20.0})
    rows = [r for batch, _ in handed_out for r in batch]
    assert sum(r.samples for r in rows) == 300


def test_a_recording_that_ends_during_an_alert_clears_it_at_its_last_frame(tmp_path: Path) -> None:
    """Nothing is known after a recording's last frame: its open conditions end there, so its alerts do
    not stay open for ever (issue 16, item 2)."""
    from cvmon.pipeline.runner import process_recording
    from cvmon.sources.file import FileSource
    from tests.conftest import make_blank_video
    from tests.pipeline.test_replay_pipeline import ListSink

    people = [{"path": [[0, 0.1 * i, 0.9], [300, 0.1 * i, 0.9]], "size": [0.05, 0.25]} for i in range(1, 5)]
    (tmp_path / "scene.yaml").write_text(yaml.safe_dump({"people": people}))
    video = make_blank_video(tmp_path / "blank.mp4", 40)
    config = parse_config(
        {
            "units": [
                {
                    "id": "u",
                    "name": "U",
                    "level": "ulp",
                    "service_hours": {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                }
            ],
            "defaults": {"rules": {"queue_long": {"threshold": 3, "for_s": 10}}},
            "cameras": [
                {
                    "id": "cam",
                    "unit": "u",
                    "source": str(video),
                    "detector": {"type": "replay", "model": str(tmp_path / "scene.yaml")},
                    "zones": [{"id": "queue", "kind": "queue", "points": QUEUE}],
                }
            ],
        }
    )
    pipeline = build_pipeline(config, config.cameras[0], tmp_path)
    sink = ListSink()
    process_recording(pipeline, FileSource("cam", video, 5, start=T0), sink)
    queue = [(c.kind, round((c.ts - T0).total_seconds(), 1)) for c in sink.alerts if c.rule is Rule.QUEUE_LONG]
    assert queue[0] == (ChangeKind.OPENED, 10.0)
    assert queue[-1] == (ChangeKind.CLEARED, 39.8)
    assert pipeline.rules_state.open_alerts() == []

"""A live camera's pipeline keeps no more state after 40 minutes than after a quarter of an hour: visits,
held staff samples, rule tracks, track births, open minutes and pending alert changes are bounded by
the people in view, not by the length of the run (a `cvmon run` runs for months)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel

from cvmon.config import parse_config
from cvmon.pipeline.camera import RECENT_ZONE_EVENTS, CameraPipeline, FrameResult
from cvmon.pipeline.people import BORN_KEPT_PER_LIVE, MIN_BORN_KEPT
from cvmon.pipeline.runner import build_pipeline, run_live
from cvmon.sources.base import SourceItem
from cvmon.tracking import IDS_REMEMBERED
from cvmon.types import Frame, SourceEvent, SourceEventKind
from tests.conftest import T0
from tests.pipeline.test_replay_pipeline import ListSink

QUEUE = [[0.0, 0.5], [0.5, 0.5], [0.5, 1.0], [0.0, 1.0]]
STAFF = [[0.6, 0.1], [0.9, 0.1], [0.9, 0.45], [0.6, 0.45]]
CUSTOMER = [[0.55, 0.5], [0.95, 0.5], [0.95, 0.95], [0.55, 0.95]]
FPS = 1
MINUTES = 40
OUTAGE_EVERY_S, OUTAGE_S = 600, 20  # the camera drops for 20 s every 10 minutes


def scene(minutes: int) -> list[dict[str, Any]]:
    """A customer every 30 s waits 70 s in the queue and 40 s at the counter (queue_long and long_wait
    alerts open and clear all the time); the staff member takes a 40 s break every 5 minutes."""
    people: list[dict[str, Any]] = []
    for start in range(0, minutes * 60, 30):
        x = 0.05 + 0.4 * ((start // 30) % 8) / 8
        people.append({"path": [[start, x, 0.9], [start + 70, x, 0.9]], "size": [0.04, 0.2]})
        people.append({"path": [[start + 72, 0.7, 0.8], [start + 112, 0.7, 0.8]], "size": [0.05, 0.25]})
    for start in range(0, minutes * 60, 300):
        people.append({"path": [[start, 0.75, 0.3], [start + 260, 0.75, 0.3]], "size": [0.06, 0.2]})
    return people


def make_pipeline(tmp_path: Path) -> CameraPipeline:
    (tmp_path / "scene.yaml").write_text(yaml.safe_dump({"people": scene(MINUTES)}))
    config = parse_config(
        {
            "units": [{"id": "u", "name": "U", "level": "ulp"}],
            "defaults": {
                "analysis_fps": FPS,
                "rules": {
                    "queue_long": {"threshold": 2, "for_s": 10},
                    "long_wait": {"sla_s": 40},
                },
            },
            "cameras": [
                {
                    "id": "cam",
                    "unit": "u",
                    "source": "rtsp://camera/stream",
                    "detector": {"type": "replay", "model": str(tmp_path / "scene.yaml")},
                    "zones": [
                        {"id": "queue", "kind": "queue", "points": QUEUE, "capacity": 3},
                        {"id": "cust", "kind": "counter_customer", "points": CUSTOMER, "queue": "queue"},
                        {"id": "staff", "kind": "counter_staff", "points": STAFF, "counter": "cust"},
                    ],
                }
            ],
        }
    )
    return build_pipeline(config, config.cameras[0], tmp_path)


def container_sizes(obj: object) -> dict[str, int]:
    """The length of every list, dict, deque, set and tuple reachable from ``obj`` through cvmon's own
    objects (stages, states, their fields and the values they hold), by path, the largest where a path
    names many: a container added later is measured too, without naming it here. Configuration
    (pydantic models) is constant and skipped."""
    sizes: dict[str, int] = {}
    _measure(obj, "pipeline", 0, sizes)
    return sizes


def _measure(value: object, where: str, depth: int, sizes: dict[str, int]) -> None:
    if depth > 8:
        return
    if isinstance(value, list | dict | deque | set | frozenset | tuple):
        sizes[where] = max(sizes.get(where, 0), len(value))
        for item in value.values() if isinstance(value, dict) else value:
            _measure(item, f"{where}[]", depth + 1, sizes)
        return
    if isinstance(value, BaseModel) or not type(value).__module__.startswith("cvmon"):
        return
    fields = getattr(value, "__dict__", None) or {n: getattr(value, n) for n in getattr(type(value), "__slots__", ())}
    for name, field_value in fields.items():
        _measure(field_value, f"{where}.{name}", depth + 1, sizes)


class SyntheticStream:
    """A live camera's items: frames at ``FPS`` with a drop (offline, then online) every 10 minutes."""

    def __init__(self) -> None:
        self.last: datetime = T0

    def __iter__(self) -> Iterator[SourceItem]:
        image = np.zeros((180, 320, 3), np.uint8)
        for i in range(MINUTES * 60 * FPS):
            t = i / FPS
            self.last = T0 + timedelta(seconds=t)
            into_outage = t % OUTAGE_EVERY_S - (OUTAGE_EVERY_S - OUTAGE_S)
            if into_outage == 0:
                yield SourceEvent("cam", SourceEventKind.OFFLINE, self.last, "read timeout")
            if into_outage >= 0:
                continue
            if t > 0 and t % OUTAGE_EVERY_S == 0:
                yield SourceEvent("cam", SourceEventKind.ONLINE, self.last)
            yield Frame("cam", self.last, i, image, t)

    def close(self) -> None:
        pass


def test_a_long_live_run_keeps_bounded_state(tmp_path: Path) -> None:
    pipeline = make_pipeline(tmp_path)
    stream = SyntheticStream()
    sink = ListSink()
    sizes: dict[int, dict[str, int]] = {}  # per minute of the run, the largest size of each container

    def measure(result: FrameResult) -> None:
        minute = int(result.video_s // 60)
        seen = sizes.setdefault(minute, {})
        walked = container_sizes(pipeline) if result.frame_index % 20 == 0 else {}  # the walk costs more
        for name, size in {**pipeline.retained(), **walked}.items():
            seen[name] = max(seen.get(name, 0), size)

    run_live(pipeline, stream, sink, threading.Event(), on_frame=measure, clock=lambda: stream.last)  # type: ignore[arg-type]

    assert len(sizes) == MINUTES
    assert {a.rule.value for a in sink.alerts} >= {"queue_long", "long_wait"}
    assert [e.kind for e in sink.events].count(SourceEventKind.OFFLINE) == MINUTES * 60 // OUTAGE_EVERY_S
    assert len({(r.zone_id, r.minute) for r in sink.rows}) == 3 * MINUTES  # every minute written, once
    names = set().union(*sizes.values())
    early = {name: max(sizes[m].get(name, 0) for m in range(5, 15)) for name in names}
    late = {name: max(sizes[m].get(name, 0) for m in range(15, MINUTES)) for name in names}
    assert "pipeline.occupancy.state.zones[].visits" in names  # the walk reaches into the stages' state
    capped = {  # kept up to a cap, so they may still grow after the first quarter of an hour, up to it
        "zone_events": RECENT_ZONE_EVENTS,  # a window of the latest
        "pipeline.zone_events": RECENT_ZONE_EVENTS,
        "track_births": BORN_KEPT_PER_LIVE * max(late["tracks"], MIN_BORN_KEPT),  # dead ids forgotten past it
        "pipeline.tracking._born": BORN_KEPT_PER_LIVE * max(late["tracks"], MIN_BORN_KEPT),
        # each id's look, usual height and alias (memory only), dead ids forgotten past the cap
        "pipeline.tracking.tracker._looks": IDS_REMEMBERED + 1,
        "pipeline.tracking.tracker._heights": IDS_REMEMBERED + 1,
        "pipeline.tracking.tracker._alias": IDS_REMEMBERED + 1,
    }
    for name in early:
        assert late[name] <= capped.get(name, early[name]), (name, early[name], late[name])
    assert late["open_minutes"] <= 3 * 4  # the zones' and the camera's current minutes, and a few before
    assert late["alert_changes_pending"] <= 4  # taken by the runner after every frame

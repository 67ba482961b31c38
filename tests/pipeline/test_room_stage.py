"""The room stage on real frames: the opening verdict, a change during the day, people never a change."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from bench.room_scenes import PERSON_FRAMES, REGIONS, frames, reference
from cvmon.config.models import Config
from cvmon.pipeline.room import RoomStage
from cvmon.types import CAMERA_ZONE, ChangeKind, Rule
from cvmon.types.room import counts_findings
from tests.conftest import ONE_BY_ONE

pytestmark = pytest.mark.skipif(not ONE_BY_ONE.is_file(), reason="needs the shared footage")

WITA = ZoneInfo("Asia/Makassar")
DAY = datetime(2026, 11, 23, tzinfo=WITA)  # a Monday: service 08:00-15:00
EMPTY = 880


def config(**room: object) -> Config:
    regions = [{"id": r.id, "points": [list(p) for p in r.points]} for r in REGIONS]
    return Config.model_validate(
        {
            "units": [{"id": "ulp", "name": "ULP", "level": "ulp"}],
            "cameras": [
                {"id": "hall", "unit": "ulp", "source": "x.mp4", "room": {"regions": regions, "persist_s": 300, **room}}
            ],
        }
    )


def with_box() -> np.ndarray:
    image = frames((EMPTY,))[EMPTY].copy()
    image[320:380, 620:690] = 25  # a dark box on the floor right of the table
    return image


def stage(**room: object) -> RoomStage:
    cfg = config(**room)
    ref = reference()
    return RoomStage(cfg, cfg.cameras[0], reference=lambda: ref)


def feed(
    room: RoomStage, at: datetime, image: np.ndarray, people: np.ndarray | None = None
) -> list[tuple[Rule, str, ChangeKind]]:
    boxes = np.zeros((0, 4), np.float32) if people is None else people
    t = (at - DAY).total_seconds()
    return [(c.rule, c.zone_id, c.kind) for c in room.on_frame(image, boxes, t, at)]


def at(hh: int, mm: int) -> datetime:
    return DAY + timedelta(hours=hh, minutes=mm)


def test_a_box_left_overnight_makes_the_room_not_ready_at_opening_until_it_is_removed() -> None:
    room = stage()
    assert feed(room, at(7, 0), with_box()) == []  # before the opening window: no check
    assert room.checks == 0
    assert feed(room, at(7, 35), with_box()) == []  # the window: the change's timer starts, nothing judged
    assert feed(room, at(7, 45), with_box()) == []
    assert feed(room, at(8, 0), with_box()) == [(Rule.ROOM_NOT_READY, CAMERA_ZONE, ChangeKind.OPENED)]
    picture, evidence = room.pop_snapshots()
    assert picture.kind == "room_opening"
    # The alert's evidence is the same picture, its change outlined.
    assert (evidence.kind, evidence.alert_key) == ("open", ("room_not_ready", CAMERA_ZONE, at(8, 0)))
    assert evidence.jpeg == picture.jpeg
    ready, _, regions = counts_findings(picture.counts)
    assert (
        not ready and regions["lantai-kanan"].value == "changed" and regions["meja-informasi"].value == "as_reference"
    )
    assert feed(room, at(8, 5), frames((EMPTY,))[EMPTY]) == [(Rule.ROOM_NOT_READY, CAMERA_ZONE, ChangeKind.CLEARED)]
    (picture,) = room.pop_snapshots()
    assert picture.kind == "room_check" and counts_findings(picture.counts)[0]


def test_a_change_during_the_day_counts_once_it_persisted_and_a_short_one_never() -> None:
    room = stage()
    assert feed(room, at(7, 50), frames((EMPTY,))[EMPTY]) == []
    assert feed(room, at(8, 0), frames((EMPTY,))[EMPTY]) == []  # ready at opening
    assert [s.kind for s in room.pop_snapshots()] == ["room_opening"]
    assert feed(room, at(9, 0), with_box()) == []  # a bag put down ...
    assert feed(room, at(9, 2), frames((EMPTY,))[EMPTY]) == []  # ... and taken away again
    assert feed(room, at(10, 0), with_box()) == []
    assert feed(room, at(10, 3), with_box()) == []
    assert feed(room, at(10, 5), with_box()) == [(Rule.ROOM_CHANGED, "lantai-kanan", ChangeKind.OPENED)]
    assert feed(room, at(10, 30), frames((EMPTY,))[EMPTY]) == [(Rule.ROOM_CHANGED, "lantai-kanan", ChangeKind.CLEARED)]


def test_checks_wait_while_people_stand_in_the_regions_and_a_person_is_never_a_change() -> None:
    room = stage(persist_s=0)
    assert feed(room, at(8, 0), frames((EMPTY,))[EMPTY]) == []
    person = PERSON_FRAMES[2]  # someone at the table
    box = np.array([[330, 60, 470, 420]], np.float32)  # where they stand (the table region is behind them)
    checks = room.checks
    assert feed(room, at(9, 0), frames((person,))[person], box) == []
    assert room.checks == checks  # not empty enough: no check
    assert feed(room, at(9, 2), frames((EMPTY,))[EMPTY]) == []
    assert room.checks == checks + 1


def test_the_checks_run_at_most_every_every_s() -> None:
    room = stage(every_s=120)
    for minute in range(10):
        feed(room, at(9, minute), frames((EMPTY,))[EMPTY])
    assert room.checks == 5

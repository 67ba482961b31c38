"""What a room-readiness check finds: the room's condition and each region's status against its reference."""

from __future__ import annotations

import enum
from dataclasses import dataclass

Point = tuple[float, float]

WHOLE_ROOM = "room"  # region id of the whole image, for a camera that names no regions


class RoomCondition(enum.StrEnum):
    """Whether the picture can be compared with the reference at all."""

    OK = "ok"
    LIGHTS_OFF = "lights_off"
    CAMERA_MOVED = "camera_moved"
    COVERED = "covered"


class RegionStatus(enum.StrEnum):
    """A region against the reference."""

    AS_REFERENCE = "as_reference"
    CHANGED = "changed"  # something added, moved or missing
    NOT_VISIBLE = "not_visible"  # people (or the room's condition) hide too much of it


@dataclass(frozen=True, slots=True)
class RegionFinding:
    """One region's status, with the outlines of what changed (relative 0..1 polygons)."""

    region_id: str
    status: RegionStatus
    changed_share: float = 0.0  # share of the region's visible area that changed
    outlines: tuple[tuple[Point, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class RoomFindings:
    """A check's result: the room's condition, how well the picture matches, and every region."""

    condition: RoomCondition
    match: float  # mean structural similarity outside people, -1..1
    shift_px: float  # global shift against the reference, in pixels of the compared image
    regions: tuple[RegionFinding, ...]

    @property
    def ready(self) -> bool:
        """The room is as its reference: a clear picture and no region changed."""
        return self.condition is RoomCondition.OK and all(r.status is not RegionStatus.CHANGED for r in self.regions)

    def region(self, region_id: str) -> RegionFinding:
        return next(r for r in self.regions if r.region_id == region_id)


STATUS_CODES = {RegionStatus.AS_REFERENCE: 0, RegionStatus.CHANGED: 1, RegionStatus.NOT_VISIBLE: 2}
CONDITION_CODES = {
    RoomCondition.OK: 0,
    RoomCondition.LIGHTS_OFF: 1,
    RoomCondition.CAMERA_MOVED: 2,
    RoomCondition.COVERED: 3,
}
REGION_PREFIX = "region:"


def findings_counts(found: RoomFindings) -> dict[str, int]:
    """A check's findings as the measured values of its evidence snapshot (``counts``)."""
    counts = {"ready": int(found.ready), "condition": CONDITION_CODES[found.condition]}
    counts.update({REGION_PREFIX + r.region_id: STATUS_CODES[r.status] for r in found.regions})
    return counts


def counts_findings(counts: dict[str, int]) -> tuple[bool, RoomCondition, dict[str, RegionStatus]]:
    """Back from ``findings_counts``: ready, the condition and each region's status."""
    conditions = {v: k for k, v in CONDITION_CODES.items()}
    statuses = {v: k for k, v in STATUS_CODES.items()}
    regions = {
        key.removeprefix(REGION_PREFIX): statuses.get(value, RegionStatus.NOT_VISIBLE)
        for key, value in counts.items()
        if key.startswith(REGION_PREFIX)
    }
    return bool(counts.get("ready", 0)), conditions.get(counts.get("condition", 0), RoomCondition.OK), regions

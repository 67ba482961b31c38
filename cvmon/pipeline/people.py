"""Tracking: stable ids for the people detected, the confirmed tracks hidden for a moment, and when each
id was born (so a zone can tell a lost person's new id from a newcomer). Ids stay in memory."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import supervision as sv

from cvmon.tracking import PersonTracker
from cvmon.types import Detections
from cvmon.zones.geometry import Zone, membership
from cvmon.zones.state import PersonInZone

HELD_TRACK_DUPLICATE_IOU = 0.6  # a held track this close to a detection is that detection, not a hidden person
BORN_KEPT_PER_LIVE = 4  # birth times kept per live track (at least for MIN_BORN_KEPT) before the dead are forgotten
MIN_BORN_KEPT = 16


@dataclass(frozen=True, slots=True)
class TrackedPeople:
    """The tracks of one frame."""

    tracked: Detections  # the detections with tracker ids (-1: not yet confirmed)
    held: Detections  # confirmed tracks the detector missed just now, where the tracker expects them
    matched: frozenset[int]  # ids matched to a detection now
    in_zones: dict[str, list[PersonInZone]]  # per zone, the confirmed tracks standing in it
    feet: dict[int, tuple[float, float]]  # where each confirmed track matched now stands (relative x, y)


class TrackingStage:
    """A camera's tracker and the birth time of each live id (memory only)."""

    def __init__(self, tracker: PersonTracker, zones: list[Zone], hold_unseen_s: float) -> None:
        self.tracker = tracker
        self.zones = zones
        self.hold_unseen_s = hold_unseen_s
        self._born: dict[int, float] = {}

    def update(
        self, found: Detections, counted: Detections, t: float, width: int, height: int, image: np.ndarray | None = None
    ) -> TrackedPeople:
        """Track ``found`` at video time ``t`` in the (privacy-masked) ``image``, from which the tracker
        keeps each id's look in memory; ``counted`` (the detections counted) decides which hidden tracks
        are held (one that stands where a counted detection is, is that person)."""
        tracked = self.tracker.update(found, t, image)
        held = self._held_tracks(counted)
        assert tracked.tracker_id is not None
        matched = frozenset(int(i) for i in tracked.tracker_id if i >= 0)
        self._note_births(matched, t)
        return TrackedPeople(tracked, held, matched, *self._people_in_zones(tracked, width, height))

    def predicted_boxes(self) -> np.ndarray:
        """Where the tracker expects every live track now (to blur people the detector missed)."""
        return self.tracker.predicted_boxes()

    def reset(self) -> None:
        """Forget every track (after a gap, ids start afresh)."""
        self.tracker.reset()
        self._born = {}

    @property
    def retained(self) -> dict[str, int]:
        """Sizes of what the stage keeps: the tracker's tracks and the birth times."""
        return {"tracks": len(self.tracker.predicted_boxes()), "track_births": len(self._born)}

    def _held_tracks(self, detections: Detections) -> Detections:
        if self.hold_unseen_s <= 0:
            return Detections.empty()
        held = self.tracker.held_unseen(self.hold_unseen_s)
        if len(held) == 0 or len(detections) == 0:
            return held
        overlap = sv.box_iou_batch(held.xyxy, detections.xyxy).max(axis=1)
        return held[overlap < HELD_TRACK_DUPLICATE_IOU]

    def _note_births(self, matched: frozenset[int], t: float) -> None:
        """Remember when each id was first confirmed; forget ids the tracker no longer holds."""
        for tid in matched:
            self._born.setdefault(tid, t)
        if len(self._born) > BORN_KEPT_PER_LIVE * max(len(matched), MIN_BORN_KEPT):
            live = self.tracker.live_ids()
            self._born = {tid: born for tid, born in self._born.items() if tid in live}

    def _people_in_zones(
        self, tracked: Detections, width: int, height: int
    ) -> tuple[dict[str, list[PersonInZone]], dict[int, tuple[float, float]]]:
        assert tracked.tracker_id is not None
        confirmed = tracked[tracked.tracker_id >= 0]
        inside = membership(self.zones, confirmed, width, height)
        feet = confirmed.bottom_centres() / np.array([width, height], dtype=np.float32)
        box_w = (confirmed.xyxy[:, 2] - confirmed.xyxy[:, 0]) / width
        assert confirmed.tracker_id is not None
        ids = [int(i) for i in confirmed.tracker_id]
        in_zones = {
            zone_id: [
                PersonInZone(
                    ids[i],
                    float(feet[i, 0]),
                    float(feet[i, 1]),
                    float(box_w[i]),
                    self._born.get(ids[i], -np.inf),
                    self.tracker.look(ids[i]),
                )
                for i in np.nonzero(mask)[0]
            ]
            for zone_id, mask in inside.items()
        }
        return in_zones, {tid: (float(feet[i, 0]), float(feet[i, 1])) for i, tid in enumerate(ids)}

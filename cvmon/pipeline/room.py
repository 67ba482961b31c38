"""Room readiness stage: now and then, while nobody stands in the room's regions, compare the frame
with the camera's reference (``cvmon.zones.room_compare``), confirm changes that persist
(``cvmon.zones.room_watch``) and run the room rules (``cvmon.alerts.room_rules``).

Checks run from ``room.opening_check_min`` before the day's first service hour until service ends,
at most every ``room.every_s``; the opening verdict is given at the first check from the opening
on. Each verdict, and every check whose confirmed findings differ from the last one, leaves a
picture (anonymised, the changes outlined) for the runner to store as evidence (``room_opening``,
``room_check``); its counts carry the findings (``cvmon.types.room.findings_counts``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cvmon.alerts.room_rules import RoomPhase, evaluate_room_rules
from cvmon.alerts.rules import RulesState, close_open_alerts
from cvmon.config.models import CameraConfig, Config
from cvmon.evidence.room_picture import check_picture, decode_picture, reference_picture
from cvmon.pipeline.evidence_capture import PendingSnapshot
from cvmon.types import AlertChange, AnonymisedJpeg, ChangeKind, Image
from cvmon.types.room import RoomFindings, findings_counts
from cvmon.zones.room_compare import CompareSettings, Region, compare_room
from cvmon.zones.room_watch import RoomWatch, watch

ReferenceLoader = Callable[[], Image | None]
CandidateWriter = Callable[[AnonymisedJpeg], object]


def reference_file(path: Path) -> ReferenceLoader:
    """A loader of the reference stored at ``path``: read again only when the file changed."""
    seen: list[tuple[float, Image | None]] = []

    def load() -> Image | None:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        if not seen or seen[0][0] != mtime:
            seen[:] = [(mtime, decode_picture(path.read_bytes()))]
        return seen[0][1]

    return load


class RoomStage:
    """A camera's room checks: when the next is due, the confirmed findings, and the room rules' state."""

    def __init__(
        self,
        config: Config,
        camera: CameraConfig,
        reference: ReferenceLoader | None = None,
        candidate: CandidateWriter | None = None,
    ) -> None:
        self.config = config
        self.camera = camera
        self.room = camera.room
        self.rules = config.rules_for(camera)
        self.reference = reference
        self.candidate = candidate  # where a picture of the room with nobody in view goes, for an admin to mark
        self._last_candidate_t: float | None = None
        self.tz = config.unit_timezone(camera.unit)
        room = self.room
        self.regions = [Region(r.id, tuple(r.points)) for r in room.regions] if room is not None else []
        self.settings = (
            CompareSettings(width=room.width, ssim_below=room.sensitivity, min_area=room.min_area)
            if room is not None
            else CompareSettings()
        )
        self.watch = RoomWatch()
        self.state = RulesState()
        self.last: RoomFindings | None = None  # the last confirmed findings
        self.checks = 0
        self._last_check_t: float | None = None
        self._verdict_day: date | None = None
        self.pending: list[PendingSnapshot] = []  # pictures not yet taken by the runner

    def on_frame(self, image: Image, people_xyxy: npt.NDArray[np.float32], t: float, ts: datetime) -> list[AlertChange]:
        """Check the room when due; returns the room rules' changes."""
        room = self.room
        if room is None or not room.enabled:
            return []
        self._offer_candidate(image, people_xyxy, t)
        if self.reference is None:
            return []
        if self._last_check_t is not None and 0 <= t - self._last_check_t < room.every_s:
            return []
        window = self._window(ts)
        if window is None or self._people_in_regions(people_xyxy, image.shape[1], image.shape[0]):
            return []
        reference = self.reference()
        if reference is None:
            return []
        self._last_check_t = t
        self.checks += 1
        raw = compare_room(reference, image, people_xyxy, self.regions, self.settings)
        self.watch, found = watch(self.watch, raw, t, room.persist_s)
        day = ts.astimezone(self.tz).date()
        changes: list[AlertChange] = []
        kind = None
        if window == "open" and self._verdict_day != day:
            self._verdict_day = day
            self.state, changes = evaluate_room_rules(self.state, found, RoomPhase.OPENING, self.rules, t, ts)
            kind = "room_opening"
        elif window == "open":
            self.state, changes = evaluate_room_rules(self.state, found, RoomPhase.DAY, self.rules, t, ts)
            if self.last is None or _summary(found) != _summary(self.last):
                kind = "room_check"
        if kind is not None:
            jpeg = check_picture(
                image,
                people_xyxy,
                self.camera.privacy_masks,
                room.regions,
                found,
                ts=ts,
                tz=self.tz,
                camera_id=self.camera.id,
                margin=self.config.evidence_for(self.camera).margin,
            )
            counts = findings_counts(found)
            self.pending.append(PendingSnapshot(kind, ts, jpeg, counts))
            # A room alert's evidence is this picture, its changes outlined (not the capture's frame).
            self.pending += [
                PendingSnapshot("open", ts, jpeg, counts, (c.rule.value, c.zone_id, c.opened_at))
                for c in changes
                if c.kind is ChangeKind.OPENED
            ]
        self.last = found
        return changes

    def _offer_candidate(self, image: Image, people_xyxy: npt.NDArray[np.float32], t: float) -> None:
        """At most every ``every_s``, the frame with nobody in view as the room's candidate reference."""
        assert self.room is not None
        if self.candidate is None or len(people_xyxy) > 0:
            return
        if self._last_candidate_t is not None and 0 <= t - self._last_candidate_t < self.room.every_s:
            return
        self._last_candidate_t = t
        self.candidate(reference_picture(image, people_xyxy, self.camera.privacy_masks))

    def pop_snapshots(self) -> list[PendingSnapshot]:
        out, self.pending = self.pending, []
        return out

    def close_all(self, wall: datetime) -> list[AlertChange]:
        self.state, changes = close_open_alerts(self.state, wall)
        return changes

    def _window(self, ts: datetime) -> str | None:
        """ "before": within ``opening_check_min`` before the day's first service hour (checks start the
        change timers, nothing is judged yet); "open": from the opening until service ends; None else."""
        assert self.room is not None
        local = ts.astimezone(self.tz)
        intervals = self.config.unit_service_hours(self.camera.unit).intervals(local.weekday())
        if not intervals:
            return None
        opening = datetime.combine(local.date(), intervals[0][0], self.tz)
        closing = datetime.combine(local.date(), intervals[-1][1], self.tz)
        if local < opening - timedelta(minutes=self.room.opening_check_min) or local >= closing:
            return None
        return "before" if local < opening else "open"

    def _people_in_regions(self, people_xyxy: npt.NDArray[np.float32], width: int, height: int) -> bool:
        """Whether a person's box overlaps a region's bounding box (the room is not empty enough)."""
        boxes = np.asarray(people_xyxy, dtype=np.float32).reshape(-1, 4) / [width, height, width, height]
        if len(boxes) == 0:
            return False
        if not self.regions:
            return True
        for region in self.regions:
            pts = np.asarray(region.points)
            x1, y1 = pts.min(axis=0)
            x2, y2 = pts.max(axis=0)
            if np.any((boxes[:, 0] < x2) & (boxes[:, 2] > x1) & (boxes[:, 1] < y2) & (boxes[:, 3] > y1)):
                return True
        return False


def _summary(found: RoomFindings) -> tuple[object, ...]:
    return (found.condition, tuple((r.region_id, r.status) for r in found.regions))


def reference_from_image(config: Config, camera: CameraConfig, image: Image, model_dir: Path) -> AnonymisedJpeg:
    """An image an admin gives as the room's reference, anonymised as any snapshot: the camera's
    detector finds people down to its evidence score, they are pixelated; privacy masks are filled."""
    from cvmon.detectors.base import create_detector
    from cvmon.types import Frame

    wanted = config.detector_for(camera)
    detector = create_detector(wanted.model_copy(update={"confidence": wanted.evidence_confidence}), model_dir)
    people = detector.detect(Frame(camera.id, datetime.now(config.unit_timezone(camera.unit)), 0, image)).xyxy
    return reference_picture(image, people, camera.privacy_masks)


def reference_from_candidate(camera: CameraConfig, data: bytes) -> AnonymisedJpeg | None:
    """The camera's latest picture of its room with nobody in view (already anonymised by the camera's
    worker), anonymised again as it becomes the reference; None when it is not a readable image."""
    image = decode_picture(data)
    if image is None:
        return None
    return reference_picture(image, np.zeros((0, 4), np.float32), camera.privacy_masks)

"""A camera worker's evidence snapshots: when the latest frame and periodic ones are due, and taking them.

A worker builds an ``EvidenceFrame`` from the frame the pipeline just analysed (its image is
already privacy-masked by ``CameraPipeline``) and calls ``EvidenceRecorder.step`` now and then; alert
rules call ``EvidenceRecorder.record`` with their own kind.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from cvmon.config.models import PrivacyMask, ZoneConfig
from cvmon.errors import EvidenceError
from cvmon.evidence.anonymise import Point, anonymise, boxes_for_evidence, unique_boxes
from cvmon.storage.evidence_files import EvidenceStore, StoredEvidence
from cvmon.types import AnonymisedJpeg, Detections, FloatArray, FrameResult, Image
from cvmon.zones.geometry import Zone

PERIODIC_KIND = "periodic"


@dataclass(frozen=True, slots=True)
class EvidenceFrame:
    """What a snapshot is made from.

    Attributes:
        ts: timezone-aware time of the frame.
        image: BGR uint8 frame, already privacy-masked; never stored as it is.
        boxes: person boxes to hide (N, 4), see ``boxes_for_evidence``.
        counts: people per zone id.
    """

    ts: datetime
    image: Image
    boxes: FloatArray
    counts: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_result(cls, image: Image, result: FrameResult) -> EvidenceFrame:
        """Evidence input from a pipeline result and its (privacy-masked) image.

        ``result.evidence_boxes`` already holds the union of the low-confidence detections and the
        tracker's predicted boxes; exact duplicates are dropped here.
        """
        return cls(result.ts, image, unique_boxes(result.evidence_boxes), dict(result.counts))

    @classmethod
    def from_detections(
        cls,
        ts: datetime,
        image: Image,
        detections_low_conf: Detections,
        tracked: Detections,
        counts: Mapping[str, int],
    ) -> EvidenceFrame:
        """Evidence input from the low-confidence detections and the tracker's boxes."""
        return cls(ts, image, boxes_for_evidence(detections_low_conf, tracked), dict(counts))


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one ``EvidenceRecorder.step`` wrote: the latest frame's path, a periodic snapshot."""

    latest: str | None = None
    periodic: StoredEvidence | None = None


class EvidenceRecorder:
    """Timers and settings of one camera's evidence; renders with ``anonymise``, writes to a store.

    Args:
        store: where snapshots go.
        camera_id: the camera.
        zones: zones outlined on snapshots.
        masks: privacy masks filled again on snapshots (the pipeline has already filled them).
        tz: time zone of the unit, for captions.
        latest_every_s: seconds between refreshes of the latest frame.
        periodic_every_min: minutes between periodic snapshots during service hours; None disables
            them. Periods are aligned to the clock (every 30 min: at :00 and :30).
        margin: see ``anonymise``.
        jpeg_quality: see ``anonymise``.
    """

    def __init__(
        self,
        store: EvidenceStore,
        camera_id: str,
        *,
        zones: Sequence[ZoneConfig | Zone] = (),
        masks: Sequence[PrivacyMask | Sequence[Point]] = (),
        tz: tzinfo | None = None,
        latest_every_s: float = 5.0,
        periodic_every_min: float | None = None,
        margin: float = 0.15,
        jpeg_quality: int = 85,
    ) -> None:
        if not latest_every_s > 0:
            raise EvidenceError(f"latest_every_s must be positive, not {latest_every_s}")
        if periodic_every_min is not None and not periodic_every_min > 0:
            raise EvidenceError(f"periodic_every_min must be positive or None, not {periodic_every_min}")
        self.store = store
        self.camera_id = camera_id
        self.zones = list(zones)
        self.masks = list(masks)
        self.tz = tz
        self.latest_every_s = latest_every_s
        self.periodic_every_min = periodic_every_min
        self.margin = margin
        self.jpeg_quality = jpeg_quality
        self._last_latest: datetime | None = None
        self._last_periodic_slot: int | None = None

    def latest_due(self, now: datetime) -> bool:
        """Whether the latest frame is ``latest_every_s`` old (or missing, or from the future)."""
        if self._last_latest is None:
            return True
        elapsed = (now - self._last_latest).total_seconds()
        return elapsed >= self.latest_every_s or elapsed < 0

    def periodic_due(self, now: datetime, in_service_hours: bool) -> bool:
        """Whether a periodic snapshot is due: enabled, in service hours, none yet in this period."""
        slot = self._periodic_slot(now)
        return slot is not None and in_service_hours and slot != self._last_periodic_slot

    def render(self, frame: EvidenceFrame) -> AnonymisedJpeg:
        """The anonymised snapshot of a frame, with this camera's zones, masks and caption."""
        return anonymise(
            frame.image,
            frame.boxes,
            masks=self.masks,
            zones=self.zones,
            counts=frame.counts,
            ts=frame.ts,
            tz=self.tz,
            camera_id=self.camera_id,
            margin=self.margin,
            jpeg_quality=self.jpeg_quality,
        )

    def record_latest(self, frame: EvidenceFrame, jpeg: AnonymisedJpeg | None = None) -> str:
        """Replace the camera's latest frame and restart its timer; returns the relative path."""
        path = self.store.write_latest(self.camera_id, jpeg or self.render(frame))
        self._last_latest = frame.ts
        return path

    def record_periodic(self, frame: EvidenceFrame, jpeg: AnonymisedJpeg | None = None) -> StoredEvidence:
        """Store a periodic snapshot and mark its period as done."""
        stored = self.record(frame, PERIODIC_KIND, jpeg)
        self._last_periodic_slot = self._periodic_slot(frame.ts)
        return stored

    def mark_periodic(self, ts: datetime) -> None:
        """Mark the period of ``ts`` as done without writing (the caller stores the snapshot later)."""
        self._last_periodic_slot = self._periodic_slot(ts)

    def record(self, frame: EvidenceFrame, kind: str, jpeg: AnonymisedJpeg | None = None) -> StoredEvidence:
        """Store a snapshot of ``kind`` (for example ``alert``); no timer changes."""
        return self.store.write(self.camera_id, frame.ts, kind, jpeg or self.render(frame))

    def step(self, frame: EvidenceFrame, in_service_hours: bool) -> StepResult:
        """Write whatever is due at the frame's time, rendering the snapshot at most once."""
        latest_due = self.latest_due(frame.ts)
        periodic_due = self.periodic_due(frame.ts, in_service_hours)
        if not (latest_due or periodic_due):
            return StepResult()
        jpeg = self.render(frame)
        return StepResult(
            latest=self.record_latest(frame, jpeg) if latest_due else None,
            periodic=self.record_periodic(frame, jpeg) if periodic_due else None,
        )

    def _periodic_slot(self, now: datetime) -> int | None:
        if self.periodic_every_min is None:
            return None
        return math.floor(now.timestamp() / (self.periodic_every_min * 60.0))

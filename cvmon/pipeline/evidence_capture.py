"""Which anonymised snapshots a camera takes, frame by frame: at an alert's opening and at its peak,
periodically in service hours, and the latest frame for the viewer.

An alert's peak snapshot is held in memory and replaced as the value climbs (a count that rises is
rendered at once; a duration that grows every frame, at most every ``peak_every_s``); it is handed
out when the alert clears or the run ends, so each alert keeps one snapshot of its worst moment.

Snapshots tied to alerts and periodic ones are returned as ``PendingSnapshot``s for the caller to
store with their database rows (at once for a live camera, at the end for a recording, so a
failed recording leaves no files behind). The latest frame is replaced in place right away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from cvmon.config.models import EvidenceConfig
from cvmon.evidence import EvidenceFrame, EvidenceRecorder
from cvmon.types import AnonymisedJpeg, ChangeKind, FrameResult, Rule

AlertKey = tuple[str, str, datetime]  # rule, zone, opened_at


@dataclass(frozen=True, slots=True)
class PendingSnapshot:
    kind: str  # open, peak or periodic
    ts: datetime
    jpeg: AnonymisedJpeg
    counts: dict[str, int]
    alert_key: AlertKey | None = None


class EvidenceCapture:
    """Decides and renders a camera's snapshots."""

    def __init__(self, recorder: EvidenceRecorder, settings: EvidenceConfig) -> None:
        self.recorder = recorder
        self.settings = settings
        self._held_peaks: dict[AlertKey, PendingSnapshot] = {}

    def on_frame(self, image: np.ndarray, result: FrameResult, in_service: bool) -> list[PendingSnapshot]:
        frame = EvidenceFrame.from_result(image, result)
        rendered: list[AnonymisedJpeg] = []

        def jpeg() -> AnonymisedJpeg:
            if not rendered:
                rendered.append(self.recorder.render(frame))
            return rendered[0]

        out: list[PendingSnapshot] = []
        for change in result.alert_changes:
            key: AlertKey = (change.rule.value, change.zone_id, change.opened_at)
            if change.rule in ROOM_RULES:  # their pictures come from the room stage (changes outlined)
                continue
            if change.kind is ChangeKind.OPENED:
                out.append(PendingSnapshot("open", result.ts, jpeg(), dict(result.counts), key))
            elif change.kind is ChangeKind.PEAK and self._peak_due(change.rule, key, result.ts):
                self._held_peaks[key] = PendingSnapshot("peak", result.ts, jpeg(), dict(result.counts), key)
            elif change.kind is ChangeKind.CLEARED and key in self._held_peaks:
                out.append(self._held_peaks.pop(key))
        if self.recorder.periodic_due(result.ts, in_service):
            out.append(PendingSnapshot("periodic", result.ts, jpeg(), dict(result.counts)))
            self.recorder.mark_periodic(result.ts)
        if self.recorder.latest_due(result.ts):
            self.recorder.record_latest(frame, jpeg())
        return out

    def flush(self) -> list[PendingSnapshot]:
        """The peak snapshots of alerts still open (end of a recording, worker stopping)."""
        held, self._held_peaks = list(self._held_peaks.values()), {}
        return held

    def _peak_due(self, rule: Rule, key: AlertKey, ts: datetime) -> bool:
        if rule in COUNT_RULES:
            return True
        held = self._held_peaks.get(key)
        return held is None or (ts - held.ts).total_seconds() >= self.settings.peak_every_s


# Rules whose value is a head count: it rises in steps, each worth a snapshot.
COUNT_RULES = frozenset({Rule.QUEUE_LONG, Rule.OVER_CAPACITY})
ROOM_RULES = frozenset({Rule.ROOM_NOT_READY, Rule.ROOM_CHANGED})

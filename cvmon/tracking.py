"""Person tracking with ByteTrack from the maintained ``trackers`` package."""

from __future__ import annotations

import warnings

import numpy as np
import supervision as sv
from trackers import ByteTrackTracker

from cvmon.config.models import TrackerConfig
from cvmon.types import Detections

# trackers expresses the lost-track buffer in frames of a 30 fps video.
_TRACKERS_REFERENCE_FPS = 30.0


class PersonTracker:
    """Assigns stable ids to person detections over time.

    Settings are in seconds; the tracker is driven by the frames' video time, so it behaves the
    same at any analysis frame rate and across dropped frames.
    """

    def __init__(self, config: TrackerConfig, fps: float) -> None:
        self.config = config
        self.fps = fps
        self.reset()

    def reset(self) -> None:
        """Forget every track (after a camera gap, ids start afresh)."""
        self._tracker = ByteTrackTracker(
            lost_track_buffer=max(1, round(self.config.lost_track_s * _TRACKERS_REFERENCE_FPS)),
            frame_rate=self.fps,
            track_activation_threshold=self.config.activation_confidence,
            minimum_consecutive_frames=2,
            minimum_iou_threshold=self.config.min_iou,
            high_conf_det_threshold=self.config.high_confidence,
        )

    def predicted_boxes(self) -> np.ndarray:
        """Boxes (N, 4) where the tracker expects every live track now, including tracks it lost
        for a moment (used to blur people the detector missed in an evidence snapshot)."""
        tracks = self._tracker.tracks
        if not tracks:
            return np.zeros((0, 4), np.float32)
        return np.asarray([t.get_state_bbox() for t in tracks], dtype=np.float32).reshape(-1, 4)

    def live_ids(self) -> set[int]:
        """Ids of every confirmed track the tracker still holds (seen now or lost for a moment)."""
        return {int(t.tracker_id) for t in self._tracker.tracks if t.tracker_id >= 0}

    def held_unseen(self, max_unseen_s: float) -> Detections:
        """Confirmed tracks the detector missed in the last update, unseen for at most ``max_unseen_s``,
        as boxes where the tracker expects them (confidence 0), with their ids."""
        held = [
            t
            for t in self._tracker.tracks
            if t.tracker_id >= 0 and t.time_since_update > 0 and t.time_since_update_seconds <= max_unseen_s
        ]
        if not held:
            return Detections.empty().with_tracker_id(np.zeros(0, np.int64))
        return Detections(
            xyxy=np.asarray([t.get_state_bbox() for t in held], np.float32).reshape(-1, 4),
            confidence=np.zeros(len(held), np.float32),
            class_id=np.zeros(len(held), np.int64),
            tracker_id=np.asarray([t.tracker_id for t in held], np.int64),
        )

    def update(self, detections: Detections, t: float) -> Detections:
        """Detections with ``tracker_id`` set (-1 for a track not yet confirmed), at video time t."""
        sv_dets = sv.Detections(
            xyxy=detections.xyxy.astype(np.float32),
            confidence=detections.confidence.astype(np.float32),
            class_id=detections.class_id.astype(int),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tracked = self._tracker.update(sv_dets, timestamp=t)
        if len(tracked) == 0:
            return Detections.empty().with_tracker_id(np.zeros(0, np.int64))
        return Detections(
            xyxy=np.asarray(tracked.xyxy, np.float32),
            confidence=np.asarray(tracked.confidence, np.float32),
            class_id=np.asarray(tracked.class_id, np.int64),
            tracker_id=np.asarray(tracked.tracker_id, np.int64),
        )

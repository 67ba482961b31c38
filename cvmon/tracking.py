"""Person tracking with ByteTrack from the maintained ``trackers`` package.

ByteTrack matches boxes by overlap only, so two people who cross can leave with each other's ids.
Given the frame, the tracker also keeps each id's look (``cvmon.appearance``, memory only) and
swaps two ids back when, right after their boxes overlapped, each one looks like the other's.

A person standing behind someone nearer the camera is often found as the upper body only: the
box's bottom (where cvmon puts the feet) jumps up, out of the zone the person stands in. The
tracker keeps each id's usual box height, and a box cut short from below by a nearer person's box
is given back that height, so the feet stay where the person stands. Likewise a person walking in
at the side of the picture is found as the part inside it: the box's centre (and so the feet) lies
nearer the middle than the person does, by up to half their width. A box that touches the left or
right edge and is narrower than the camera's usual width for its height is widened past that edge.

A track is matched to a detection by height-modulated IoU (``HeightModulatedIoU``, from Hybrid-SORT):
the boxes' IoU times the overlap of their vertical extents. A passer-by walking in front of someone
standing still is nearer the camera, so their box is taller and reaches lower: plain IoU can still
hand the standing person's track to the passer's box (and the standing person a new id, splitting
their visit), the height term refuses it.
"""

from __future__ import annotations

import warnings

import numpy as np
import supervision as sv
from trackers import ByteTrackTracker
from trackers.utils.iou import BaseIoU, IoU

from cvmon import appearance
from cvmon.config.models import TrackerConfig
from cvmon.types import Detections

# trackers expresses the lost-track buffer in frames of a 30 fps video.
IDS_REMEMBERED = 64  # per-id looks and heights kept before those of dead ids are forgotten (bounded memory)
_TRACKERS_REFERENCE_FPS = 30.0

APPEARANCE_WEIGHT = 0.1  # how much one clean sighting moves an id's running look
CROSSING_MEMORY_S = 2.0  # two ids whose boxes overlapped this recently may have been swapped
CUT_SHORT = 0.8  # a box below this share of its id's usual height, with a nearer box below it, is cut short
FEET_MARGIN = 0.1  # feet this close (share of box height) are side by side: neither hides the other cleanly
SWAP_MARGIN = 0.15  # a swap must explain both looks better than no swap by this much (Hellinger distance)
EDGE_PX = 2.0  # a box this close to the picture's left or right edge may be cut by it
ASPECT_WEIGHT = 0.05  # how much one whole box moves the camera's usual width-to-height ratio


class HeightModulatedIoU(BaseIoU):
    """IoU times the IoU of the boxes' vertical extents (HMIoU, Yang et al., Hybrid-SORT, AAAI 2024)."""

    def _compute(self, boxes_1: np.ndarray, boxes_2: np.ndarray) -> np.ndarray:
        iou = sv.box_iou_batch(boxes_1, boxes_2)
        top = np.maximum(boxes_1[:, None, 1], boxes_2[None, :, 1])
        bottom = np.minimum(boxes_1[:, None, 3], boxes_2[None, :, 3])
        lowest = np.maximum(boxes_1[:, None, 3], boxes_2[None, :, 3])
        span = lowest - np.minimum(boxes_1[:, None, 1], boxes_2[None, :, 1])
        height_iou = np.clip(bottom - top, 0.0, None) / np.maximum(span, 1e-9)
        return np.asarray(iou * height_iou)


ASSOCIATION: dict[str, type[BaseIoU]] = {"hmiou": HeightModulatedIoU, "iou": IoU}


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
        self._alias: dict[int, int] = {}  # ByteTrack's id -> the id given out, after swaps
        self._looks: dict[int, np.ndarray] = {}  # id given out -> running torso histogram
        self._heights: dict[int, float] = {}  # id given out -> usual box height (pixels) when seen whole
        self._overlapped: dict[tuple[int, int], float] = {}  # pair of ids given out -> last time boxes overlapped
        self._aspect: float | None = None  # usual width / height of a whole person's box in this camera
        self._tracker = ByteTrackTracker(
            lost_track_buffer=max(1, round(self.config.lost_track_s * _TRACKERS_REFERENCE_FPS)),
            frame_rate=self.fps,
            track_activation_threshold=self.config.activation_confidence,
            minimum_consecutive_frames=2,
            minimum_iou_threshold=self.config.min_iou,
            high_conf_det_threshold=self.config.high_confidence,
            iou=ASSOCIATION[self.config.association](),
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
        return {self._id(t.tracker_id) for t in self._tracker.tracks if t.tracker_id >= 0}

    def look(self, track_id: int) -> np.ndarray | None:
        """The running torso histogram of a track id, if it was ever seen unhidden (memory only)."""
        return self._looks.get(track_id)

    def _id(self, internal: int) -> int:
        return self._alias.get(int(internal), int(internal))

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
            tracker_id=np.asarray([self._id(t.tracker_id) for t in held], np.int64),
        )

    def update(self, detections: Detections, t: float, image: np.ndarray | None = None) -> Detections:
        """Detections with ``tracker_id`` set (-1 for a track not yet confirmed), at video time t.

        With the frame's ``image``, each id's look is updated and ids swapped by a crossing are swapped back.
        """
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
        xyxy = np.asarray(tracked.xyxy, np.float32)
        internal = np.asarray(tracked.tracker_id, np.int64)
        if image is not None:
            self._follow_looks(image, xyxy, internal, t)
        ids = [self._id(i) if i >= 0 else -1 for i in internal]
        return Detections(
            xyxy=self._whole_boxes(xyxy, ids, None if image is None else image.shape[1]),
            confidence=np.asarray(tracked.confidence, np.float32),
            class_id=np.asarray(tracked.class_id, np.int64),
            tracker_id=np.asarray(ids, np.int64),
        )

    def _whole_boxes(self, xyxy: np.ndarray, ids: list[int], width: int | None = None) -> np.ndarray:
        """The boxes, those cut short from below by a nearer person given their id's usual height back, and
        (given the picture's ``width``) those cut by its left or right edge widened to the camera's usual
        width for their height; the usual heights and widths learnt from boxes that are not cut."""
        out = xyxy.copy()
        for k, tid in enumerate(ids):
            if tid < 0:
                continue
            height = float(xyxy[k, 3] - xyxy[k, 1])
            usual = self._heights.get(tid)
            cut_below = _cut_from_below(xyxy, k)
            if cut_below:
                if usual is not None and height < CUT_SHORT * usual:
                    out[k, 3] = xyxy[k, 1] + usual
            else:
                self._heights[tid] = height if usual is None else 0.9 * usual + 0.1 * height
            if width is not None:
                self._widen_at_edge(out, k, width, learn=not cut_below)
        if len(self._heights) > IDS_REMEMBERED:
            live = self.live_ids()
            self._heights = {tid: h for tid, h in self._heights.items() if tid in live}
        return out

    def _widen_at_edge(self, out: np.ndarray, k: int, width: int, *, learn: bool) -> None:
        """Widen box ``k`` past the picture's edge it touches when it is narrower than usual; learn the usual
        width-to-height ratio from boxes clear of both edges (and not cut from below: ``learn``)."""
        x1, y1, x2, y2 = (float(v) for v in out[k])
        height = y2 - y1
        if height <= 0:
            return
        at_left, at_right = x1 <= EDGE_PX, x2 >= width - EDGE_PX
        if not (at_left or at_right):
            if learn:
                ratio, usual = (x2 - x1) / height, self._aspect
                self._aspect = ratio if usual is None else (1 - ASPECT_WEIGHT) * usual + ASPECT_WEIGHT * ratio
            return
        if self._aspect is None or at_left == at_right:
            return  # no usual width yet, or the box spans the picture
        whole = self._aspect * height
        if x2 - x1 < CUT_SHORT * whole:
            if at_right:
                out[k, 2] = x1 + whole
            else:
                out[k, 0] = x2 - whole

    def _follow_looks(self, image: np.ndarray, xyxy: np.ndarray, internal: np.ndarray, t: float) -> None:
        """Note which confirmed boxes overlap, swap back ids a crossing swapped, fold in clean sightings
        (not those of ids that crossed someone in the last ``CROSSING_MEMORY_S``: they may be swapped)."""
        confirmed = [k for k in range(len(internal)) if internal[k] >= 0]
        front = _unhidden(xyxy)
        seen: dict[int, np.ndarray] = {}
        for k in confirmed:
            if front[k]:
                hist = appearance.torso_histogram(image, xyxy[k])
                if hist is not None:
                    seen[k] = hist
        for a in confirmed:
            for b in confirmed:
                if a < b and _overlap(xyxy[a], xyxy[b]):
                    self._overlapped[_pair(self._id(internal[a]), self._id(internal[b]))] = t
        self._overlapped = {p: at for p, at in self._overlapped.items() if t - at <= CROSSING_MEMORY_S}
        by_id = {self._id(internal[k]): k for k in seen}
        for ida, idb in list(self._overlapped):
            ka, kb = by_id.get(ida), by_id.get(idb)
            if ka is None or kb is None or _overlap(xyxy[ka], xyxy[kb]):
                continue  # both must be seen apart again
            if self._swapped(ida, idb, seen[ka], seen[kb]):
                ia, ib = int(internal[ka]), int(internal[kb])
                self._alias[ia], self._alias[ib] = idb, ida
                del self._overlapped[(ida, idb)]
        crossing = {tid for pair in self._overlapped for tid in pair}
        for k, hist in seen.items():
            tid = self._id(internal[k])
            if tid not in crossing or tid not in self._looks:  # who is who is unsure right after a crossing
                self._looks[tid] = appearance.blend(self._looks.get(tid), hist, APPEARANCE_WEIGHT)
        if len(self._looks) > IDS_REMEMBERED:
            live = self.live_ids()
            self._looks = {tid: h for tid, h in self._looks.items() if tid in live}
            self._alias = {i: e for i, e in self._alias.items() if e in live}

    def _swapped(self, ida: int, idb: int, now_a: np.ndarray, now_b: np.ndarray) -> bool:
        """Whether the person now under ``ida`` looks like ``idb`` did before, and the other way round."""
        look_a, look_b = self._looks.get(ida), self._looks.get(idb)
        if look_a is None or look_b is None:
            return False
        own_a, own_b = appearance.distance(now_a, look_a), appearance.distance(now_b, look_b)
        cross_a, cross_b = appearance.distance(now_a, look_b), appearance.distance(now_b, look_a)
        if max(own_a, own_b) < appearance.DIFFERENT_LOOK:
            return False  # both still look like themselves: two people dressed alike are never swapped
        return max(cross_a, cross_b) <= appearance.SAME_LOOK and cross_a + cross_b + SWAP_MARGIN < own_a + own_b


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1]))


def _cut_from_below(xyxy: np.ndarray, k: int) -> bool:
    """Whether a box with lower feet (a person nearer the camera) covers the bottom edge of box ``k``."""
    x1, y1, x2, y2 = xyxy[k]
    band = np.array([x1, y2 - 0.1 * (y2 - y1), x2, y2 + 0.1 * (y2 - y1)])
    return any(j != k and other[3] > y2 and _overlap(band, other) for j, other in enumerate(xyxy))


def _unhidden(xyxy: np.ndarray) -> np.ndarray:
    """Per box, whether no box about as near the camera or nearer (feet at most ``FEET_MARGIN`` of its height
    higher, or lower) covers the middle of its torso."""
    out = np.ones(len(xyxy), bool)
    for k, (x1, y1, x2, y2) in enumerate(xyxy):
        w, h = x2 - x1, y2 - y1
        (r1, r2), (c1, c2) = appearance.TORSO_ROWS, appearance.TORSO_COLS
        torso = np.array([x1 + c1 * w, y1 + r1 * h, x1 + c2 * w, y1 + r2 * h])
        for j, other in enumerate(xyxy):
            if j != k and other[3] >= y2 - FEET_MARGIN * h and _overlap(torso, other):
                out[k] = False
                break
    return out

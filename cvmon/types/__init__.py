"""Core value types that stages exchange (see DESIGN.md, data flow); every package may import them.

Each lives in a small submodule; import them from here: ``from cvmon.types import MinuteRow``.
"""

from cvmon.types.alerts import CAMERA_ZONE, AlertChange, ChangeKind, Rule
from cvmon.types.evidence import AnonymisedJpeg
from cvmon.types.frames import Detections, FloatArray, Frame, Image, IntArray
from cvmon.types.minutes import COVERAGE_FIELDS, COVERAGE_SUMS, CameraMinute, MinuteRow
from cvmon.types.pose import KEYPOINT_NAMES, GreetingOutcome, Keypoints
from cvmon.types.results import FrameResult
from cvmon.types.sources import SourceEvent, SourceEventKind
from cvmon.types.zones import ZoneEvent, ZoneEventKind, ZoneKind

__all__ = [
    "CAMERA_ZONE",
    "COVERAGE_FIELDS",
    "COVERAGE_SUMS",
    "KEYPOINT_NAMES",
    "AlertChange",
    "AnonymisedJpeg",
    "CameraMinute",
    "ChangeKind",
    "Detections",
    "FloatArray",
    "Frame",
    "FrameResult",
    "GreetingOutcome",
    "Image",
    "IntArray",
    "Keypoints",
    "MinuteRow",
    "Rule",
    "SourceEvent",
    "SourceEventKind",
    "ZoneEvent",
    "ZoneEventKind",
    "ZoneKind",
]

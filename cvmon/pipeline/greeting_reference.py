"""A staff zone's reference greeting: learned from a clip of a staff member greeting there, and used by
the camera's greeting stage in place of the rules.

The clip is read frame by frame at the camera's analysis rate; in each frame the person whose feet
stand in the staff zone (the largest, if several) is given to the pose model. Only the normalised
keypoints of the learned reference are kept (``cvmon.behaviour.reference``); the clip is not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cvmon.behaviour.greeting import GreetingDecision, PoseSample
from cvmon.behaviour.reference import GreetingReference, recognise
from cvmon.config.behaviour import BehaviourConfig
from cvmon.config.models import CameraConfig, Config
from cvmon.config.pose import GreetingConfig, GreetingReferenceConfig
from cvmon.detectors.base import create_detector
from cvmon.detectors.pose_backend import OnnxPoseEstimator
from cvmon.errors import ConfigError
from cvmon.pipeline.camera import CameraPipeline
from cvmon.pipeline.greeting import Recogniser
from cvmon.sources.file import FileSource
from cvmon.storage.database import Database
from cvmon.storage.greetings import load_references
from cvmon.types import Frame
from cvmon.zones.geometry import Zone


def parse_mark(text: str) -> tuple[float, float]:
    """``START-END`` in seconds of the clip, START before END."""
    try:
        start, end = (float(part) for part in text.split("-", 1))
    except ValueError:
        raise ConfigError(f"--mark: '{text}' is not START-END in seconds, e.g. 3.5-5.0") from None
    if not 0 <= start < end:
        raise ConfigError(f"--mark: '{text}' must start at 0 or later and end after it starts")
    return start, end


def clip_poses(config: Config, camera: CameraConfig, zone_id: str, video: Path, model_dir: Path) -> list[PoseSample]:
    """The poses of the person standing in ``zone_id`` through a clip (video seconds from its start).

    Raises:
        ConfigError: the zone is not a staff zone of the camera.
    """
    zones = {z.id: z for z in camera.zones}
    if zone_id not in zones or not zones[zone_id].kind.measures_staffing:
        staff = ", ".join(z.id for z in camera.zones if z.kind.measures_staffing) or "none"
        raise ConfigError(f"--zone: '{zone_id}' is not a counter_staff or post zone of {camera.id} (those: {staff})")
    zone = Zone.from_config(zones[zone_id])
    behaviour = camera.behaviour or BehaviourConfig()
    detector = create_detector(config.detector_for(camera), model_dir)
    pose = OnnxPoseEstimator(behaviour.pose, model_dir)
    samples: list[PoseSample] = []
    for frame in FileSource(camera.id, video, config.fps_for(camera)):
        if not isinstance(frame, Frame):
            continue
        found = detector.detect(frame)
        if len(found) == 0:
            continue
        feet = found.bottom_centres() / np.array([frame.width, frame.height], dtype=np.float32)
        inside = zone.contains(feet.astype(np.float32))
        if not inside.any():
            continue
        boxes = found.xyxy[inside]
        box = boxes[int(np.argmax((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])))]
        keypoints = pose.estimate(frame.image, (float(box[0]), float(box[1]), float(box[2]), float(box[3])))
        if keypoints is not None:
            samples.append(PoseSample(frame.video_s, keypoints))
    return samples


def reference_recogniser(references: dict[str, GreetingReference], match: GreetingReferenceConfig) -> Recogniser:
    """Judge each staff zone by its reference greeting where it has one, else by the rules."""

    def judge(samples: list[PoseSample], arrival_t: float, config: GreetingConfig, zone_id: str) -> GreetingDecision:
        return recognise(samples, arrival_t, config, references.get(zone_id), match)

    return judge


def use_stored_references(pipeline: CameraPipeline, db: Database) -> int:
    """Give the camera's greeting stage its stored reference greetings; how many it has."""
    behaviour = pipeline.camera.behaviour
    if behaviour is None or not behaviour.enabled:
        return 0
    stored = load_references(db, pipeline.camera.id)
    references = {zone_id: GreetingReference.from_json(s.reference_json) for zone_id, s in stored.items()}
    if references:
        pipeline.greeting.recogniser = reference_recogniser(references, behaviour.reference)
    return len(references)

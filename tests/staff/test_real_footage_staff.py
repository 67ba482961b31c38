"""The staff model on real footage: the real detector (YOLOX nano) finds the worker in the hi-vis vest
(fixtures/annotations/worker_vest.yaml); the model learns his look while he stands at a post zone, and
classifies him where he walked before; people of three other clips, whom nothing marks as staff, are
never staff. Those clips are other cameras, a weaker contrast than customers of the worker's camera
(the only shared clip with a uniform has no one else in it); their people wear grey, black, olive,
teal, brown and dark blue, none of them orange.

The clip lasts 4.3 s, so the test shortens standing_s (0.5 s), example_every_s (every frame),
min_examples (10) and vote_every_s (0.1 s); every other setting is the default.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import av
import numpy as np
import pytest
import shapely
import yaml

from cvmon.config.models import DetectorConfig, TrackerConfig
from cvmon.config.staff import StaffConfig
from cvmon.detectors.base import Detector, create_detector
from cvmon.staff import StaffModel, TrackRoles, torso_look
from cvmon.tracking import PersonTracker
from cvmon.types.people import PersonRole
from tests.conftest import FOOTAGE_DIR, MODEL_DIR, REPO_ROOT

ANNOTATION = yaml.safe_load((REPO_ROOT / "fixtures" / "annotations" / "worker_vest.yaml").read_text())
CONFIG = StaffConfig(standing_s=0.5, example_every_s=0.0, min_examples=10, vote_every_s=0.1)
FPS = 16.667
OTHER_CLIPS = [  # (clip, every how many frames analysed)
    ("intel_one-by-one-person-detection.mp4", 10),  # 139 s at 10 fps: analysed at 1 fps
    ("intel_store-aisle-detection.mp4", 1),
    ("intel_classroom.mp4", 1),
]
MIN_WORKER_STAFF_SHARE = 0.9  # of the worker's clear sightings away from the post that vote staff
MAX_OTHERS_STAFF_SHARE = 0.01  # of other people's clear sightings that vote staff


@dataclass(frozen=True, slots=True)
class Sighting:
    index: int
    t: float
    look: np.ndarray | None  # None: cut by the picture's edge
    at_post: bool


def frames(clip: str, step: int = 1) -> Iterator[tuple[int, float, np.ndarray]]:
    """(index, video time, BGR image) of every ``step``-th decoded frame."""
    with av.open(str(FOOTAGE_DIR / clip)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index % step == 0:
                assert frame.time is not None
                yield index, float(frame.time), frame.to_ndarray(format="bgr24")


def vest_point(index: int) -> np.ndarray:
    """The annotated vest point, linearly interpolated between the annotated frames."""
    keys = ANNOTATION["vest"]
    xs = [k["index"] for k in keys]
    return np.array([np.interp(index, xs, [k["at"][axis] for k in keys]) for axis in (0, 1)])


def in_post(box: np.ndarray, width: int, height: int) -> bool:
    """Whether the box's feet (bottom centre) stand in the annotated post zone."""
    feet = shapely.Point((box[0] + box[2]) / 2 / width, box[3] / height)
    return bool(shapely.Polygon(ANNOTATION["post"]["points"]).contains(feet))


@pytest.fixture(scope="module")
def detector() -> Detector:
    return create_detector(DetectorConfig(model="yolox_nano_416", confidence=0.3), MODEL_DIR)


@pytest.fixture(scope="module")
def worker(detector: Detector) -> list[Sighting]:
    """The worker's detection on every frame where the detector finds him: the one box holding the vest point."""
    out = []
    for index, t, image in frames(ANNOTATION["clip"]):
        found = detector.detect_image(image)
        x, y = vest_point(index)
        holds = [b for b in found.xyxy if b[0] <= x <= b[2] and b[1] <= y <= b[3]]
        assert len(holds) == len(found) <= 1, f"frame {index}: a detection that is not the worker"
        if holds:
            box = holds[0]
            out.append(Sighting(index, t, torso_look(image, box), in_post(box, image.shape[1], image.shape[0])))
    return out


@pytest.fixture(scope="module")
def learned(worker: list[Sighting]) -> StaffModel:
    """The model as the pipeline would teach it: the worker's track, observed frame by frame at the post."""
    model = StaffModel(CONFIG)
    roles = TrackRoles(CONFIG, model)
    for s in worker:
        roles.observe(1, s.t, s.look, in_staff_zone=s.at_post)
    assert roles.role(1).role is PersonRole.STAFF  # he stood at the post
    return model


def test_the_annotation_covers_the_clip(worker: list[Sighting]) -> None:
    keyframes = {k["index"] for k in ANNOTATION["vest"]}
    assert keyframes <= {s.index for s in worker}  # the detector found him on every annotated frame
    assert len(worker) >= 65
    cut = {k["index"] for k in ANNOTATION["vest"] if k["cut"]}
    assert all(s.look is None for s in worker if s.index in cut)  # cut by the edge: no look to learn from


def test_the_worker_is_learned_at_the_post_and_recognised_where_he_walked(
    worker: list[Sighting], learned: StaffModel
) -> None:
    taught = [s for s in worker if s.at_post and s.look is not None]
    assert learned.ready and len(learned.established()) == 1
    assert learned.staff_examples >= CONFIG.min_examples
    away = [s for s in worker if not s.at_post and s.look is not None]
    assert max(s.index for s in away) < min(s.index for s in taught)  # no frame both taught and tested
    scores = [learned.score(s.look) for s in away if s.look is not None]
    staff_share = sum(1 for p in scores if p is not None and p >= CONFIG.staff_vote) / len(scores)
    roles = TrackRoles(CONFIG, learned)
    for s in worker:
        if not s.at_post:
            roles.observe(2, s.t, s.look, learn=False)
    verdict = roles.role(2)
    print(f"\nworker: {len(away)} clear sightings away from the post, {staff_share:.1%} vote staff "
          f"(scores {min(scores):.3f}..{max(scores):.3f}); verdict {verdict}")  # fmt: skip
    assert len(away) >= 15
    assert staff_share >= MIN_WORKER_STAFF_SHARE
    assert verdict.role is PersonRole.STAFF and verdict.confidence >= 0.85


@pytest.mark.parametrize(("clip", "step"), OTHER_CLIPS)
def test_people_of_other_clips_are_never_staff(detector: Detector, learned: StaffModel, clip: str, step: int) -> None:
    tracker = PersonTracker(TrackerConfig(), fps=10.0 / step if "one-by-one" in clip else FPS / step)
    roles = TrackRoles(CONFIG, learned)
    scores: list[float] = []
    seen: set[int] = set()
    for _, t, image in frames(clip, step):
        tracked = tracker.update(detector.detect_image(image), t, image)
        assert tracked.tracker_id is not None
        for box, tid in zip(tracked.xyxy, tracked.tracker_id, strict=True):
            if tid < 0:
                continue
            look = torso_look(image, box)
            if look is not None:
                score = learned.score(look)
                assert score is not None
                scores.append(score)
            roles.observe(int(tid), t, look, learn=False)
            seen.add(int(tid))
    verdicts = [roles.role(tid) for tid in sorted(seen)]
    by_role = {role: sum(1 for v in verdicts if v.role is role) for role in PersonRole}
    staff_share = sum(1 for p in scores if p >= CONFIG.staff_vote) / len(scores)
    print(f"\n{clip}: {len(scores)} clear sightings, {staff_share:.1%} vote staff (highest score {max(scores):.2g}); "
          f"tracks {by_role}")  # fmt: skip
    assert len(scores) >= 40
    assert staff_share <= MAX_OTHERS_STAFF_SHARE
    assert by_role[PersonRole.STAFF] == 0 and by_role[PersonRole.CUSTOMER] >= 1

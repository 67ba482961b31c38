"""The real detector and tracker on real footage, against hand-made annotations (fixtures/annotations)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest
import yaml

from cvmon.config import parse_config
from cvmon.config.models import DetectorConfig
from cvmon.detectors.base import create_detector
from cvmon.pipeline.runner import build_pipeline, process_recording
from cvmon.sources.file import FileSource
from cvmon.types import ZoneEventKind
from tests.conftest import FOOTAGE_DIR, MODEL_DIR, REPO_ROOT

ANNOTATIONS = REPO_ROOT / "fixtures" / "annotations"
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def count_error(found: int, count: int, partial: int) -> int:
    """0 when the detector's count lies between the full people and full plus partial ones."""
    if count <= found <= count + partial:
        return 0
    return min(abs(found - count), abs(found - count - partial))


@pytest.fixture(scope="module")
def counts_annotation() -> dict:
    return yaml.safe_load((ANNOTATIONS / "counts.yaml").read_text())


@pytest.mark.parametrize(("model", "confidence", "max_mae"), [("yolox_nano_416", 0.3, 0.5)])
def test_person_count_error_on_annotated_frames(
    counts_annotation: dict, model: str, confidence: float, max_mae: float
) -> None:
    detector = create_detector(DetectorConfig(model=model, confidence=confidence), MODEL_DIR)
    errors: dict[str, list[int]] = {}
    for clip, info in counts_annotation["clips"].items():
        wanted = {f["index"]: (f["count"], f.get("partial", 0)) for f in info["frames"]}
        with av.open(str(FOOTAGE_DIR / clip)) as container:
            for i, frame in enumerate(container.decode(video=0)):
                if i in wanted:
                    found = len(detector.detect_image(frame.to_ndarray(format="bgr24")))
                    errors.setdefault(clip, []).append(count_error(found, *wanted[i]))
        assert len(errors[clip]) == len(wanted), f"{clip}: annotated frames missing from the video"
    all_errors = [e for errs in errors.values() for e in errs]
    mae = float(np.mean(all_errors))
    assert len(all_errors) >= 60
    assert mae <= max_mae, {clip: float(np.mean(e)) for clip, e in errors.items()}
    # sparse scenes (at most 5 people) each stay within the goal too
    for clip, errs in errors.items():
        assert float(np.mean(errs)) <= max_mae, clip


@pytest.mark.slow
@pytest.mark.parametrize("fps", [5, 2])
def test_visits_at_the_table_match_the_annotation(tmp_path: Path, fps: float) -> None:
    """Six people stop at the table one by one: six visits, each duration within 10 %."""
    ann = yaml.safe_load((ANNOTATIONS / "one_by_one_visits.yaml").read_text())
    video = FOOTAGE_DIR / ann["clip"]
    config = parse_config(
        {
            "units": [{"id": "ulp", "name": "ULP", "level": "ulp"}],
            "defaults": {"analysis_fps": fps},
            "cameras": [
                {
                    "id": "cam",
                    "unit": "ulp",
                    "source": str(video),
                    "zones": [{"id": "table", "kind": "counter_customer", "points": ann["zone"]["points"]}],
                }
            ],
        }
    )
    cam = config.cameras[0]
    pipeline = build_pipeline(config, cam, MODEL_DIR)
    result = process_recording(pipeline, FileSource(cam.id, video, fps, start=START), None)
    exits = [e for e in pipeline.zone_events if e.kind is ZoneEventKind.EXITED]
    assert result.summary["zones"]["table"]["visits"] == len(ann["visits"]) == len(exits)
    for event, visit in zip(sorted(exits, key=lambda e: e.ts), ann["visits"], strict=True):
        truth = visit["exit_s"] - visit["enter_s"]
        assert event.duration_s == pytest.approx(truth, rel=0.10), visit
        entered = (event.ts - START).total_seconds() - event.duration_s
        assert entered == pytest.approx(visit["enter_s"], abs=1.0), visit

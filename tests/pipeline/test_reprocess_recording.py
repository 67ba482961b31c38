"""A recording is one write part: processing it again (``cvmon process`` twice on a file) replaces its
rows instead of adding to them. On the whole pipeline with replayed, scripted detections."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from cvmon.pipeline.outputs import DatabaseOutputs
from cvmon.pipeline.runner import build_pipeline, process_recording
from cvmon.pipeline.write_sources import recording_source
from cvmon.sources.file import FileSource
from cvmon.storage import open_database
from cvmon.storage.config_history import sync_config
from cvmon.storage.minutes import MinuteRepository
from cvmon.types import CameraMinute, MinuteRow
from tests.conftest import T0, make_blank_video
from tests.pipeline.test_replay_pipeline import STAFF_BACK, STAFF_MEMBER, WAITER_A, WAITER_B, ListSink, config_for


def test_a_recording_is_one_part_and_processing_it_again_leaves_identical_rows(tmp_path: Path) -> None:
    """A recording is written once, as the part of its own source (camera, start, file name): processed
    again, it replaces that part instead of adding to it or to what other sources wrote."""
    fixture = tmp_path / "script.yaml"
    fixture.write_text(yaml.safe_dump({"people": [WAITER_A, WAITER_B, STAFF_MEMBER, STAFF_BACK]}))
    video = make_blank_video(tmp_path / "blank.mp4", 120)
    config = config_for(fixture, video)
    cam = config.cameras[0]
    with open_database(f"sqlite:///{tmp_path / 'cvmon.db'}") as db:
        sync_config(db, config)

        def process() -> tuple[list[MinuteRow], list[CameraMinute]]:
            pipeline = build_pipeline(config, cam, tmp_path)
            process_recording(pipeline, FileSource(cam.id, video, 5, start=T0), DatabaseOutputs(db))
            return MinuteRepository(db).minute_rows(), MinuteRepository(db).camera_minutes()

        rows, coverage = process()
        assert len(rows) == 4 and len(coverage) == 2
        [source] = {s for parts in MinuteRepository(db).minute_parts().values() for s in parts}
        assert source == recording_source(cam.id, T0, video) == f"recording:cam:{T0.isoformat()}:{source[-12:]}"
        assert str(tmp_path) not in source and "blank" not in source  # the file name is hashed

        again_rows, again_coverage = process()
        assert [figures_of(r) for r in again_rows] == [figures_of(r) for r in rows]
        assert [replace(c, inference_ms_sum=0.0, inference_ms_max=0.0) for c in again_coverage] == [
            replace(c, inference_ms_sum=0.0, inference_ms_max=0.0) for c in coverage
        ]  # the detector's milliseconds are measured anew
        counts = db.count_rows()
        assert (counts["minute_parts"], counts["camera_minute_parts"]) == (4, 2)


def figures_of(row: MinuteRow) -> tuple[object, ...]:
    return (row.zone_id, row.minute, row.t_first_s, row.t_last_s, row.figures)


def test_a_recording_that_is_not_a_file_needs_its_write_source_named(tmp_path: Path) -> None:
    fixture = tmp_path / "script.yaml"
    fixture.write_text(yaml.safe_dump({"people": []}))
    video = make_blank_video(tmp_path / "blank.mp4", 2)
    config = config_for(fixture, video)
    pipeline = build_pipeline(config, config.cameras[0], tmp_path)
    frames = list(FileSource("cam", video, 5, start=T0))
    with pytest.raises(ValueError, match="write source"):
        process_recording(pipeline, iter(frames), ListSink())  # type: ignore[arg-type]
    sink = ListSink()
    process_recording(pipeline, iter(frames), sink, write_source="recording:cam:test")  # type: ignore[arg-type]
    assert sink.sources == ["recording:cam:test"] and len(sink.rows) == 2

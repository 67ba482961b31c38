"""The real `cvmon` console script on bad input: exit code, one line on stderr, nothing written."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("CVMON_SHARED_DIR", REPO_ROOT.parent / "shared"))
MODEL_DIR = Path(os.environ.get("CVMON_MODEL_DIR", SHARED / "models"))
FOOTAGE_DIR = Path(os.environ.get("CVMON_FOOTAGE_DIR", SHARED / "footage"))
CLASSROOM = FOOTAGE_DIR / "intel_classroom.mp4"
ONE_BY_ONE = FOOTAGE_DIR / "intel_one-by-one-person-detection.mp4"
EXAMPLE_CONFIG = REPO_ROOT / "cameras.yaml"
CVMON = Path(sys.executable).parent / "cvmon"  # the [project.scripts] entry point: cvmon.cli:main
START = "2026-11-23T09:00:00+08:00"

EXAMPLE: dict[str, Any] = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
ZONE_KEYS = {"kind", "mean_count", "max_count", "visits", "wait_p50_s", "wait_p90_s", "staffed_ratio"}


@pytest.fixture(autouse=True)
def _real_parts() -> None:
    for path in (CLASSROOM, ONE_BY_ONE, MODEL_DIR / "yolox_nano_416_coco.onnx"):
        if not path.is_file():
            pytest.skip(f"not found: {path} (set CVMON_FOOTAGE_DIR / CVMON_MODEL_DIR)")


def run_cvmon(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CVMON_DATA_DIR": str(tmp_path / "data"),
        "CVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "CVMON_MODEL_DIR": str(MODEL_DIR),
        "CVMON_FOOTAGE_DIR": str(FOOTAGE_DIR),
    }
    return subprocess.run(
        [str(CVMON), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False
    )


def minute_rows(tmp_path: Path) -> int:
    """Rows in minute_stats of the test database; 0 when the file or the table does not exist."""
    db = tmp_path / "x.db"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'minute_stats'").fetchone():
            return 0
        return int(conn.execute("SELECT count(*) FROM minute_stats").fetchone()[0])


def write_config(tmp_path: Path, video: Path, change: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """A copy of the example cameras.yaml whose cameras read ``video``, changed by ``change``."""
    data = copy.deepcopy(EXAMPLE)
    for cam in data["cameras"]:
        cam["source"] = str(video)
    if change is not None:
        change(data)
    path = tmp_path / "cameras.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def assert_one_error_line(result: subprocess.CompletedProcess[str], exit_code: int, fragment: str) -> str:
    assert result.returncode == exit_code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cvmon: error: "), lines[0]
    assert fragment in lines[0], lines[0]
    return lines[0]


# -- videos -----------------------------------------------------------------------------------------


def missing_video(tmp_path: Path) -> Path:
    return tmp_path / "no-such-video.mp4"


def random_bytes_video(tmp_path: Path) -> Path:
    path = tmp_path / "random.mp4"
    path.write_bytes(os.urandom(64 * 1024))
    return path


def truncated_video(tmp_path: Path) -> Path:
    data = ONE_BY_ONE.read_bytes()
    path = tmp_path / "truncated.mp4"
    path.write_bytes(data[: int(len(data) * 0.3)])
    return path


@pytest.mark.parametrize(
    ("make_video", "extra", "fragment"),
    [
        pytest.param(missing_video, [], "video file not found", id="missing"),
        pytest.param(random_bytes_video, [], "not a readable video", id="random-bytes"),
        pytest.param(
            truncated_video,
            ["--no-progress"],
            "truncated.mp4",
            id="truncated",
        ),
    ],
)
def test_process_bad_video(tmp_path: Path, make_video: Callable[[Path], Path], extra: list[str], fragment: str) -> None:
    video = make_video(tmp_path)
    config = write_config(tmp_path, video, lambda data: data["defaults"].update(analysis_fps=1))  # less model time
    result = run_cvmon(
        ["process", str(video), "--config", str(config), "--camera", "ampenan-loket", "--start", START, *extra],
        tmp_path,
    )
    line = assert_one_error_line(result, 1, fragment)
    assert str(video.name) in line
    assert result.stdout == ""
    assert minute_rows(tmp_path) == 0


# -- configurations and arguments -------------------------------------------------------------------


def unknown_key(data: dict[str, Any]) -> None:
    data["cameras"][0]["colour"] = "red"


def two_point_polygon(data: dict[str, Any]) -> None:
    data["cameras"][1]["zones"][0]["points"] = [[0.1, 0.1], [0.9, 0.9]]


def unknown_unit(data: dict[str, Any]) -> None:
    data["cameras"][1]["unit"] = "ulp-nowhere"


def text_model(layout: str | None) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["defaults"]["detector"]["model"] = "model.onnx"  # relative: resolved in the working folder
        if layout:
            data["defaults"]["detector"]["layout"] = layout

    return change


@pytest.mark.parametrize(
    ("change", "args", "exit_code", "fragment"),
    [
        pytest.param(unknown_key, [], 2, "cameras[0].colour: unknown key", id="unknown-key"),
        pytest.param(
            two_point_polygon, [], 2, "cameras[1].zones[0].points: a polygon needs at least 3 points", id="two-points"
        ),
        pytest.param(unknown_unit, [], 2, "cameras[1].unit: unknown unit 'ulp-nowhere'", id="unknown-unit"),
        pytest.param(None, ["--camera", "no-such-camera"], 2, "no camera 'no-such-camera'", id="unknown-camera"),
        pytest.param(
            text_model(None), [], 1, "model.onnx: unknown model file; set detector.layout", id="model-no-layout"
        ),
        pytest.param(text_model("yolox"), [], 1, "model.onnx: not a loadable ONNX model", id="model-corrupt"),
        pytest.param(None, ["--start", "2026-11-23T09:00:00"], 2, "needs a time zone offset", id="start-naive"),
        pytest.param(None, ["--start", "yesterday"], 2, "--start: 'yesterday' is not an ISO time", id="start-garbage"),
        pytest.param(None, ["--format", "xml"], 2, "--format: 'xml'", id="bad-format"),
    ],
)
def test_process_bad_config_or_argument(
    tmp_path: Path,
    change: Callable[[dict[str, Any]], None] | None,
    args: list[str],
    exit_code: int,
    fragment: str,
) -> None:
    (tmp_path / "model.onnx").write_text("this is a text file, not a model\n", encoding="utf-8")
    config = write_config(tmp_path, CLASSROOM, change)
    defaults = {"--camera": "ampenan-hall", "--start": START}
    for option in args[::2]:
        defaults.pop(option, None)
    rest = [item for pair in defaults.items() for item in pair]
    result = run_cvmon(["process", str(CLASSROOM), "--config", str(config), *rest, *args], tmp_path)
    assert_one_error_line(result, exit_code, fragment)
    assert result.stdout == ""
    assert minute_rows(tmp_path) == 0


def test_process_missing_config_file(tmp_path: Path) -> None:
    result = run_cvmon(["process", str(CLASSROOM), "--config", str(tmp_path / "nope.yaml")], tmp_path)
    assert_one_error_line(result, 2, "configuration file not found")
    assert minute_rows(tmp_path) == 0


# -- a good run -------------------------------------------------------------------------------------


def test_process_json_prints_one_object(tmp_path: Path) -> None:
    result = run_cvmon(
        [
            "process",
            str(CLASSROOM),
            "--config",
            str(EXAMPLE_CONFIG),
            "--camera",
            "ampenan-hall",
            "--start",
            START,
            "--format",
            "json",
        ],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.endswith("\n")
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    summary = json.loads(lines[0])
    assert set(summary) == {"camera", "frames_analysed", "frames_detected", "zones"}
    assert summary["camera"] == "ampenan-hall"
    assert summary["frames_analysed"] > 0  # 2.7 s at 5 fps: 14 frames
    hall = next(c for c in EXAMPLE["cameras"] if c["id"] == "ampenan-hall")
    assert list(summary["zones"]) == [z["id"] for z in hall["zones"]]
    for zone_id, zone in summary["zones"].items():
        assert set(zone) >= ZONE_KEYS, zone_id
        assert zone["kind"] == next(z["kind"] for z in hall["zones"] if z["id"] == zone_id)
        assert 0 <= zone["mean_count"] <= zone["max_count"]
        assert isinstance(zone["visits"], int) and zone["visits"] >= 0
    assert summary["zones"]["satpam-post"]["staffed_ratio"] is not None
    assert summary["zones"]["waiting-seats"]["staffed_ratio"] is None
    assert summary["zones"]["entrance"]["wait_p50_s"] is None
    assert summary["zones"]["waiting-seats"]["max_count"] >= 1  # the classroom clip has people seated
    assert minute_rows(tmp_path) > 0


# -- config check -----------------------------------------------------------------------------------


def test_config_check_example_is_ok(tmp_path: Path) -> None:
    result = run_cvmon(["config", "check", str(EXAMPLE_CONFIG)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "ok (3 units, 2 cameras, 7 zones)" in result.stdout


def _field_problems(data: dict[str, Any]) -> None:
    unknown_key(data)
    two_point_polygon(data)
    data["units"][0]["timezone"] = "Mars/Olympus"
    data["units"][0]["service_hours"]["mon"] = ["15:00-08:00"]
    data["defaults"]["detector"]["confidence"] = 1.5
    data["cameras"][0]["zones"][1]["kind"] = "lounge"


def _crossref_problems(data: dict[str, Any]) -> None:
    unknown_unit(data)
    data["cameras"][1]["zones"][0]["queue"] = "no-such-queue"


FIELD_LINES = [
    "units[0].timezone: unknown time zone 'Mars/Olympus'",
    "units[0].service_hours.mon: '15:00-08:00': the end must come after the start",
    "defaults.detector.confidence: Input should be less than 1",
    "cameras[0].zones[1].kind: Input should be 'queue'",
    "cameras[0].colour: unknown key",
    "cameras[1].zones[0].points: a polygon needs at least 3 points",
]
CROSSREF_LINES = [
    "cameras[1].unit: unknown unit 'ulp-nowhere'",
    "cameras[1].zones[0].queue: unknown zone 'no-such-queue' in camera 'ampenan-loket'",
]


def _changes(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for c in changes:
            c(data)

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(_field_problems, FIELD_LINES, id="field-problems"),
        pytest.param(_crossref_problems, CROSSREF_LINES, id="cross-references"),
        pytest.param(
            _changes(_field_problems, _crossref_problems),
            FIELD_LINES + CROSSREF_LINES,
            id="both",
        ),
    ],
)
def test_config_check_lists_every_problem(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], expected: list[str]
) -> None:
    config = write_config(tmp_path, CLASSROOM, change)
    result = run_cvmon(["config", "check", str(config)], tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected), result.stderr
    for want in expected:
        assert sum(line.startswith(want) for line in lines) == 1, (want, result.stderr)


def test_config_check_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "cameras.yaml"
    path.write_text("units: [\n  - id: x\n", encoding="utf-8")
    result = run_cvmon(["config", "check", str(path)], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{path}: invalid YAML at line "), lines[0]

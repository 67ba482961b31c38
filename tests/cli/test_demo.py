"""`cvmon demo` as a new user runs it: nothing in the data folder yet, the mirror beside the project."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import SHARED

CVMON = Path(sys.executable).parent / "cvmon"


def test_demo_fetches_what_it_lacks_and_fills_the_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CVMON_")}
    env.update({"CVMON_DATA_DIR": str(tmp_path / "data"), "CVMON_MIRROR_DIR": str(SHARED)})
    result = subprocess.run([str(CVMON), "demo"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    model = tmp_path / "data" / "models" / "yolox_nano_416_coco.onnx"
    assert hashlib.sha256(model.read_bytes()).hexdigest().startswith("d39bee73")
    assert (tmp_path / "data" / "footage" / "intel_one-by-one-person-detection.mp4").is_file()
    assert "camera ampenan-loket: 697 frames analysed" in result.stdout
    assert "camera ampenan-hall" in result.stdout
    db = tmp_path / "data" / "cvmon.db"
    assert f"database: sqlite:///{db}" in result.stdout
    with sqlite3.connect(db) as conn:
        (rows,) = conn.execute("select count(*) from minute_stats").fetchone()
        (visits,) = conn.execute(
            "select sum(visits) from minute_stats where camera_id = 'ampenan-loket' and zone_id = 'loket-1-customer'"
        ).fetchone()
    assert rows > 0
    assert visits == 6  # six customers stop at the counter in the sample clip

    again = subprocess.run([str(CVMON), "demo"], env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(db) as conn:
        (rows_again,) = conn.execute("select count(*) from minute_stats").fetchone()
        (visits_again,) = conn.execute(
            "select sum(visits) from minute_stats where camera_id = 'ampenan-loket' and zone_id = 'loket-1-customer'"
        ).fetchone()
    assert (rows_again, visits_again) == (rows, visits)  # a re-run does not count twice

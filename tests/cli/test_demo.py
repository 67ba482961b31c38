"""`cvmon demo` as a new user runs it: nothing in the data folder yet, the mirror beside the project."""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.cli.cli_run import on_terminal
from tests.conftest import SHARED
from tests.net import free_port

CVMON = Path(sys.executable).parent / "cvmon"  # the console script, called by its path as the README says
PASSWORD = "kopi tubruk pagi hari"


@dataclass(frozen=True)
class Demo:
    env: dict[str, str]
    data: Path
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """One run of `cvmon demo` in a fresh data folder, in an 80-column terminal's width."""
    tmp_path = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CVMON_")}
    env.update({"CVMON_DATA_DIR": str(tmp_path / "data"), "CVMON_MIRROR_DIR": str(SHARED), "COLUMNS": "80"})
    result = subprocess.run([str(CVMON), "demo"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return Demo(env, tmp_path / "data", result)


def test_demo_fetches_what_it_lacks_and_fills_the_database(demo: Demo) -> None:
    result = demo.result
    assert "Traceback" not in result.stderr
    model = demo.data / "models" / "yolox_nano_416_coco.onnx"
    assert hashlib.sha256(model.read_bytes()).hexdigest().startswith("d39bee73")
    assert (demo.data / "footage" / "intel_one-by-one-person-detection.mp4").is_file()
    assert "camera ampenan-loket: 697 frames analysed" in result.stdout
    assert "camera ampenan-hall" in result.stdout
    db = demo.data / "cvmon.db"
    assert f"database: sqlite:///{db}" in result.stdout
    with sqlite3.connect(db) as conn:
        (rows,) = conn.execute("select count(*) from minute_stats").fetchone()
        (visits,) = conn.execute(
            "select sum(visits) from minute_stats where camera_id = 'ampenan-loket' and zone_id = 'loket-1-customer'"
        ).fetchone()
    assert rows > 0
    assert visits == 6  # six customers stop at the counter in the sample clip

    again = subprocess.run([str(CVMON), "demo"], env=demo.env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(db) as conn:
        (rows_again,) = conn.execute("select count(*) from minute_stats").fetchone()
        (visits_again,) = conn.execute(
            "select sum(visits) from minute_stats where camera_id = 'ampenan-loket' and zone_id = 'loket-1-customer'"
        ).fetchone()
    assert (rows_again, visits_again) == (rows, visits)  # a re-run does not count twice


def _table(stdout: str, camera: str) -> list[str]:
    """The lines of a camera's table: its title up to the line before the next title or the legend."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"camera {camera}:"))
    end = next(i for i in range(start + 1, len(lines)) if re.match(r"camera |mean, max:", lines[i]))
    return lines[start:end]


def test_demo_tables_fit_80_columns_and_name_their_columns_in_words(demo: Demo) -> None:
    for camera in ("ampenan-hall", "ampenan-loket"):
        table = _table(demo.result.stdout, camera)
        assert all(len(line.rstrip()) <= 80 for line in table), "\n".join(table)
        header = next(line for line in table if line.startswith("zone "))
        assert [c.strip() for c in header.split("│")] == [
            "zone",
            "kind",
            "mean",
            "max",
            "visits",
            "wait p50",
            "wait p90",
            "staffed",
        ]
        assert "loket-1-customer" in demo.result.stdout  # an id is never cut to make room
    words = " ".join(demo.result.stdout.split())
    assert "wait p50, p90: seconds a visit to a queue or waiting zone lasted" in words
    assert "p50 s" not in demo.result.stdout


@pytest.mark.parametrize("columns", [80, 120])
def test_the_tables_take_the_width_of_columns(demo: Demo, columns: int) -> None:
    """The same tables read back by `cvmon stats`: within COLUMNS, and at 120 nothing needs to wrap."""
    stats = subprocess.run(
        [str(CVMON), "stats"], env={**demo.env, "COLUMNS": str(columns)}, capture_output=True, text=True, timeout=60
    )
    assert stats.returncode == 0, stats.stderr
    table = _table(stats.stdout, "ampenan-loket")
    assert all(len(line.rstrip()) <= columns for line in table), "\n".join(table)
    one_line = any(re.match(r"loket-1-customer +│counter customer +│", line) for line in table)
    assert one_line == (columns == 120), "\n".join(table)


def test_demo_closing_hint_works_as_printed(demo: Demo) -> None:
    """The two commands the demo ends with, run as printed: the admin it adds signs in to the server it starts."""
    lines = demo.result.stdout.splitlines()
    at = lines.index("Web viewer: add an admin (you will choose a password), then start the server:")
    add, serve = lines[at + 1].strip(), lines[at + 2].strip()
    assert lines[at + 3] == "and open http://127.0.0.1:8000 to sign in as admin."
    on_path = shutil.which("cvmon", path=demo.env.get("PATH"))
    cvmon = "cvmon" if on_path and Path(on_path).resolve() == CVMON.resolve() else shlex.quote(str(CVMON))
    assert add == f"{cvmon} users add admin --role admin --unit uiw-ntb"
    assert serve.startswith(f"CVMON_ENVIRONMENT=development {cvmon} serve --config ")

    code, shown = on_terminal(
        ["bash", "-c", add], demo.env, [("Password:", PASSWORD), ("Repeat for confirmation:", PASSWORD)]
    )
    assert code == 0 and "added admin: admin, units uiw-ntb, active" in shown, shown

    port = free_port()
    server = subprocess.Popen(
        ["bash", "-c", f"{serve} --port {port}"],
        env=demo.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the shell and the server it starts: one group to stop
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the printed serve command did not answer"
            time.sleep(0.3)
        login = httpx.post(f"{base}/api/login", json={"username": "admin", "password": PASSWORD}, timeout=30)
        assert login.status_code == 200, login.text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

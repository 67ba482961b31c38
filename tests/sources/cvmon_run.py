"""`cvmon run` in a subprocess for the live tests: its output lines, and small helpers around it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import yaml


class Output:
    """The lines a stream of the subprocess printed so far, read in a thread."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self.thread.start()

    def _drain(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def starting(self, prefix: str) -> list[str]:
        return [line for line in list(self.lines) if line.startswith(prefix)]


def wait_until(predicate: Callable[[], object], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


def pid_of(line: str) -> int:
    return int(line.rsplit("pid ", 1)[1])


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, ended but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def write_config(path: Path, data: dict[str, Any]) -> None:
    """Save as an editor does: a new file moved over the old one."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(data))
    os.replace(tmp, path)


class CvmonRun:
    """``cvmon run ARGS`` started with ``env``; its stdout and stderr collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        cvmon = Path(sys.executable).parent / "cvmon"
        self.proc = subprocess.Popen(
            [str(cvmon), "run", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.out, self.err = Output(self.proc.stdout), Output(self.proc.stderr)

    @property
    def lines(self) -> tuple[list[str], list[str]]:
        """What it printed so far (stdout, stderr): the message of a failed wait."""
        return self.out.lines, self.err.lines

    def stop(self, timeout_s: float = 60) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code once all output is read."""
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=timeout_s)
        self.out.thread.join(timeout=5)
        self.err.thread.join(timeout=5)
        return self.proc.returncode


SQUARE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]


def standing_person(folder: Path, x: float = 0.5) -> Path:
    """A replay fixture: one person standing with their feet at (x, 0.9) the whole time."""
    scene = folder / "scene.yaml"
    scene.write_text(yaml.safe_dump({"people": [{"path": [[0, x, 0.9], [1e6, x, 0.9]], "size": [0.1, 0.4]}]}))
    return scene


def hall_camera(camera_id: str, source: str, zones: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A camera of unit ulp-a whose one zone, the waiting hall, is the whole frame (unless ``zones``)."""
    zones = zones or [{"id": "hall", "kind": "waiting", "points": SQUARE}]
    return {"id": camera_id, "unit": "ulp-a", "source": source, "zones": zones}


def live_config(cameras: list[dict[str, Any]], detector: dict[str, Any] | None = None) -> dict[str, Any]:
    """One ULP with these cameras at 5 fps, with short RTSP timeouts for tests."""
    defaults: dict[str, Any] = {
        "analysis_fps": 5,
        "rtsp_open_timeout_s": 5,
        "rtsp_read_timeout_s": 3,
        "reconnect_max_s": 1,
    }
    if detector is not None:
        defaults["detector"] = detector
    return {"units": [{"id": "ulp-a", "name": "ULP A", "level": "ulp"}], "defaults": defaults, "cameras": cameras}

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

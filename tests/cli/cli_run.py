"""Running this checkout's ``cvmon`` as a user does: in a subprocess, on a pipe or on a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CVMON = [sys.executable, "-m", "cvmon"]  # the same main() as the console script, from this checkout


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh user: its own data folder and database, no CVMON_* of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CVMON_")}
    env.update(
        {
            "PYTHONPATH": str(REPO_ROOT),
            "CVMON_DATA_DIR": str(tmp_path / "data"),
            "CVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'cvmon.db'}",
            "COLUMNS": "80",
        }
    )
    env.update(extra)
    return env


def cvmon(
    args: Sequence[str], env: dict[str, str], stdin: str = "", cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``cvmon ARGS`` with stdin a pipe (empty unless given): output captured, never a terminal."""
    return subprocess.run(
        [*CVMON, *args], input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False
    )


def on_terminal(
    command: Sequence[str], env: dict[str, str], answers: Sequence[tuple[str, str]], timeout: float = 60
) -> tuple[int, str]:
    """Run ``command`` on a pseudo-terminal of its own (as a person types): each time the output
    shows a prompt of ``answers``, type its reply and Enter, once the terminal has stopped echoing
    (the prompts are for passwords). Returns the exit code and everything the terminal showed."""
    main, child = pty.openpty()
    # A session of its own: no controlling terminal to reach for, only this pseudo-terminal.
    process = subprocess.Popen(
        list(command), stdin=child, stdout=child, stderr=child, env=env, start_new_session=True, close_fds=True
    )
    os.close(child)
    shown, answered, pending = "", 0, list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk.decode(errors="replace")
            if pending and pending[0][0] in shown[answered:] and not _echoes(main):
                _, reply = pending.pop(0)
                answered = len(shown)
                os.write(main, reply.encode() + b"\n")
            elif process.poll() is not None and not ready:
                break
        else:
            raise AssertionError(f"{command} did not finish on the terminal; it showed: {shown!r}")
        return process.wait(timeout=10), shown
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)


def _echoes(terminal: int) -> bool:
    """Whether the terminal shows what is typed (a password prompt turns that off before it reads)."""
    return bool(termios.tcgetattr(terminal)[3] & termios.ECHO)

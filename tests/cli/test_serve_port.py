"""`cvmon serve` on a port another program holds: one line, before any part of the server starts."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.cli.cli_run import cli_env, cvmon


def test_a_busy_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = cvmon(["serve", "--port", str(port)], cli_env(tmp_path, CVMON_ENVIRONMENT="development"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("cvmon:")]
    assert errors == [
        f"cvmon: error: cannot listen on 127.0.0.1:{port}: the port is in use (another cvmon serve?); "
        "stop that or choose another --port"
    ], result.stderr
    assert "startup" not in result.stderr.lower() and "uvicorn" not in result.stderr.lower(), result.stderr
    assert result.stdout == ""


def test_an_unknown_host_is_a_one_line_error(tmp_path: Path) -> None:
    result = cvmon(["serve", "--host", "no-such-host.invalid"], cli_env(tmp_path, CVMON_ENVIRONMENT="development"))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1:] == [
        "cvmon: error: --host: 'no-such-host.invalid' is not an address (a name or IP of this machine)"
    ]
    assert "startup" not in result.stderr.lower()

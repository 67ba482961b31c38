"""`cvmon serve` as a user starts it: the viewer on a real port with the example configuration, and bad input."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.net import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
CVMON = Path(sys.executable).parent / "cvmon"
SECRET = "serve-test-secret-" + "y" * 40


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CVMON_DATA_DIR": str(tmp_path / "data"),
        "CVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "CVMON_SECRET_KEY": SECRET,
        "CVMON_ENVIRONMENT": "development",
    }


def test_serve_shows_the_notice_of_the_configured_units(tmp_path: Path) -> None:
    port = free_port()
    args = [str(CVMON), "serve", "--port", str(port), "--config", str(REPO_ROOT / "cameras.yaml")]
    server = subprocess.Popen(args, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "cvmon serve did not answer"
            time.sleep(0.3)
        notice = httpx.get(f"{base}/privacy", timeout=10)
        assert notice.status_code == 200
        assert '<tr data-unit="ulp-ampenan">' in notice.text
        login = httpx.get(f"{base}/", timeout=10)
        assert login.status_code == 303 and login.headers["location"] == "/login?next=/"
        css = httpx.get(f"{base}/static/cvmon.css", timeout=10)
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_serve_with_a_missing_config_says_so_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(CVMON), "serve", "--config", str(tmp_path / "nope.yaml")],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cvmon: error: ") and "nope.yaml" in lines[0]

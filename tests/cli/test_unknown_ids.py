"""An id the database or the configuration does not know is one line, `cvmon: error: ...`, on every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvmon.config import load_config
from cvmon.storage.config_history import sync_config
from cvmon.storage.database import open_database
from tests.cli.cli_run import REPO_ROOT, cli_env, cvmon

EXAMPLE = REPO_ROOT / "cameras.yaml"
VIDEO = REPO_ROOT / "README.md"  # never opened: the camera is looked up first

CASES = [
    pytest.param(["stats", "--camera", "nope"], "nope", id="stats-camera"),
    pytest.param(["stats", "--camera", "nope", "--format", "json"], "nope", id="stats-camera-json"),
    pytest.param(["evidence", "list", "--camera", "nope"], "nope", id="evidence-camera"),
    pytest.param(["evidence", "list", "--alert", "999"], "999", id="evidence-alert"),
    pytest.param(["alerts", "list", "--unit", "nope"], "nope", id="alerts-unit"),
    pytest.param(["alerts", "ack", "999"], "999", id="alerts-ack"),
    pytest.param(["alerts", "resolve", "999", "--category", "other", "--note", "x"], "999", id="alerts-resolve"),
    pytest.param(
        ["report", "--unit", "nope", "--from", "2026-11-01", "--to", "2026-11-02", "--config", str(EXAMPLE)],
        "nope",
        id="report-unit",
    ),
    pytest.param(["process", str(VIDEO), "--camera", "nope", "--config", str(EXAMPLE)], "nope", id="process-camera"),
    pytest.param(["run", str(EXAMPLE), "--camera", "nope"], "nope", id="run-camera"),
    pytest.param(["users", "add", "budi", "--role", "pic", "--unit", "nope"], "nope", id="users-add-unit"),
    pytest.param(["users", "set-units", "admin.ntb", "--unit", "nope"], "nope", id="users-set-units-unit"),
    pytest.param(["users", "set-password", "nobody"], "nobody", id="users-set-password"),
    pytest.param(["users", "disable", "nobody"], "nobody", id="users-disable"),
    pytest.param(["users", "enable", "nobody"], "nobody", id="users-enable"),
    pytest.param(["users", "set-role", "nobody", "viewer"], "nobody", id="users-set-role"),
    pytest.param(["users", "set-units", "nobody", "--unit", "uiw-ntb"], "nobody", id="users-set-units-user"),
    pytest.param(["users", "unlock", "nobody"], "nobody", id="users-unlock"),
]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    """A database holding the example configuration's units and cameras, and one admin."""
    tmp_path = tmp_path_factory.mktemp("unknown-ids")
    env = cli_env(tmp_path)
    with open_database(env["CVMON_DATABASE_URL"]) as db:
        sync_config(db, load_config(EXAMPLE))
    added = cvmon(
        ["users", "add", "admin.ntb", "--role", "admin", "--unit", "uiw-ntb", "--password-stdin"],
        env,
        stdin="kopi tubruk pagi hari\n",
    )
    assert added.returncode == 0, added.stderr
    return env, tmp_path


@pytest.mark.parametrize(("args", "unknown"), CASES)
def test_an_unknown_id_is_a_one_line_error(stored: tuple[dict[str, str], Path], args: list[str], unknown: str) -> None:
    env, cwd = stored
    result = cvmon(args, env, cwd=cwd)
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cvmon: error: ") and unknown in lines[0], lines[0]
    assert result.stdout == ""
    assert "Password" not in result.stderr  # refused before anything is asked for


def test_a_known_camera_is_not_an_error(stored: tuple[dict[str, str], Path]) -> None:
    env, cwd = stored
    result = cvmon(["stats", "--camera", "ampenan-loket"], env, cwd=cwd)
    assert (result.returncode, result.stderr, result.stdout) == (0, "", "no stored figures in this period\n")

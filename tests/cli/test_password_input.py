"""The password of `cvmon users add` / `set-password`: typed at a terminal, or piped with --password-stdin."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvmon.config import load_config
from cvmon.storage.config_history import sync_config
from cvmon.storage.database import open_database
from cvmon.storage.users import UserNotFound, UserRepository
from tests.cli.cli_run import CVMON, REPO_ROOT, cli_env, cvmon, on_terminal

PASSWORD = "kopi tubruk pagi hari"
ADD = ["users", "add", "budi", "--role", "pic", "--unit", "ulp-ampenan"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = cli_env(tmp_path)
    with open_database(env["CVMON_DATABASE_URL"]) as db:
        sync_config(db, load_config(REPO_ROOT / "cameras.yaml"))
    return env


def _users(env: dict[str, str]) -> UserRepository:
    return UserRepository(open_database(env["CVMON_DATABASE_URL"]))


@pytest.mark.parametrize("args", [ADD, ["users", "set-password", "budi"]], ids=["add", "set-password"])
def test_a_piped_password_without_password_stdin_is_a_one_line_error(env: dict[str, str], args: list[str]) -> None:
    if args[1] == "set-password":
        assert cvmon([*ADD, "--password-stdin"], env, stdin=PASSWORD + "\n").returncode == 0
    result = cvmon(args, env, stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "cvmon: error: the password is typed at a terminal; to give it on stdin (a pipe, a file), add --password-stdin"
    ]
    assert result.stdout == ""
    if args[1] == "add":
        with pytest.raises(UserNotFound):
            _users(env).get("budi")


def test_with_password_stdin_the_piped_password_is_the_password(env: dict[str, str]) -> None:
    result = cvmon([*ADD, "--password-stdin"], env, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "added budi: pic, units ulp-ampenan, active\n"
    outcome, user = _users(env).authenticate("budi", PASSWORD)
    assert user is not None and user.username == "budi", outcome


def test_at_a_terminal_the_password_is_typed_twice_and_not_shown(env: dict[str, str]) -> None:
    code, shown = on_terminal([*CVMON, *ADD], env, [("Password:", PASSWORD), ("Repeat for confirmation:", PASSWORD)])
    assert code == 0, shown
    assert "added budi: pic, units ulp-ampenan, active" in shown
    assert PASSWORD not in shown and "Warning" not in shown
    outcome, user = _users(env).authenticate("budi", PASSWORD)
    assert user is not None, outcome

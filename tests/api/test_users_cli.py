"""`cvmon users add|list|disable|enable|set-role|set-units|set-password` (typer's CliRunner on users_app)."""

from __future__ import annotations

import getpass
import json

from typer.testing import CliRunner

from cvmon.cli_server import users_app
from cvmon.storage.audit import AuditRepository
from cvmon.storage.users import UserError, UserExists, UserNotFound, UserRepository
from tests.api.conftest import Api

runner = CliRunner()


def test_users_commands_change_users_and_are_audited(api: Api, database_url: str) -> None:
    db = ["--database", database_url]
    added = runner.invoke(
        users_app,
        [
            "add",
            "Kepala.ULP",
            "--role",
            "admin",
            "--unit",
            "ulp-ampenan",
            "--unit",
            "ulp-bima",
            "--password-stdin",
            *db,
        ],
        input="a long first password\n",
    )
    assert added.exit_code == 0, added.output
    assert added.output == "added kepala.ulp: admin, units ulp-ampenan, ulp-bima, active\n"
    # The new admin signs in to the API with that password.
    client, _ = api.login("kepala.ulp", "a long first password")
    assert client.get("/api/me").json()["scope"] == ["ulp-ampenan", "ulp-bima"]

    # (The password typed at a terminal: tests/cli/test_password_input.py, on a pseudo-terminal.)
    piped = runner.invoke(
        users_app,
        ["add", "tamu", "--role", "viewer", "--unit", "up3-bima", "--password-stdin", *db],
        input="tamu pagi sore malam\n",
    )
    assert piped.exit_code == 0, piped.output
    assert "tamu pagi" not in piped.output

    for args in (
        ["set-role", "kepala.ulp", "manager"],
        ["set-units", "kepala.ulp", "--unit", "up3-mataram"],
        ["disable", "tamu"],
        ["enable", "tamu"],
        ["disable", "tamu"],
    ):
        result = runner.invoke(users_app, [*args, *db])
        assert result.exit_code == 0, result.output
    assert client.get("/api/me").status_code == 401  # the role change ended the session
    changed = runner.invoke(
        users_app, ["set-password", "kepala.ulp", "--password-stdin", *db], input="another long one\n"
    )
    assert changed.exit_code == 0, changed.output

    listed = runner.invoke(users_app, ["list", "--format", "json", *db])
    users = {u["username"]: u for u in json.loads(listed.output)}
    assert users["kepala.ulp"] == {
        "username": "kepala.ulp",
        "role": "manager",
        "units": ["up3-mataram"],
        "disabled": False,
    }
    assert users["tamu"]["disabled"] is True
    table = runner.invoke(users_app, ["list", *db])
    assert "kepala.ulp" in table.output and "disabled" in table.output

    actor = f"cli:{getpass.getuser()}"
    rows = [(e.action, e.target, e.details) for e in AuditRepository(api.seeded.db).find(actor=actor)]
    assert rows[::-1] == [
        ("user.add", "user:kepala.ulp", {"role": "admin", "units": ["ulp-ampenan", "ulp-bima"]}),
        ("user.add", "user:tamu", {"role": "viewer", "units": ["up3-bima"]}),
        ("user.set_role", "user:kepala.ulp", {"from": "admin", "to": "manager"}),
        ("user.set_units", "user:kepala.ulp", {"from": ["ulp-ampenan", "ulp-bima"], "to": ["up3-mataram"]}),
        ("user.disable", "user:tamu", {}),
        ("user.enable", "user:tamu", {}),
        ("user.disable", "user:tamu", {}),
        ("user.set_password", "user:kepala.ulp", {}),
    ]
    assert {e.client_addr for e in AuditRepository(api.seeded.db).find(actor=actor)} == {"local"}
    api.login("kepala.ulp", "another long one")


STRONG = "kopi tubruk pagi hari\n"
BAD_INPUT: list[tuple[list[str], str, type[Exception], str]] = [
    (["add", "x", "--role", "pic", "--unit", "ulp-ampenan"], STRONG, UserError, "username 'x'"),
    (["add", "budi", "--role", "boss", "--unit", "ulp-ampenan"], STRONG, UserError, "role 'boss'"),
    (
        ["add", "budi", "--role", "pic", "--unit", "ulp-mars"],
        STRONG,
        UserError,
        "unknown unit(s): ulp-mars",
    ),
    (["add", "budi", "--role", "pic", "--unit", "ulp-ampenan"], "short\n", UserError, "at least 10 characters"),
    # The operator's tool refuses weak passwords too, with zxcvbn's reason.
    (["add", "budi", "--role", "pic", "--unit", "ulp-ampenan"], "aaaaaaaaaaaa\n", UserError, "too easy to guess"),
    (["add", "budi", "--role", "pic", "--unit", "ulp-ampenan"], "budi123456\n", UserError, "strength"),
    (["set-password", "pic-a", "--password-stdin"], "password1234\n", UserError, "too easy to guess"),
    (["add", "pic-a", "--role", "pic", "--unit", "ulp-ampenan"], STRONG, UserExists, "already exists"),
    (["disable", "nobody"], "", UserNotFound, "no user 'nobody'"),
    (["set-role", "pic-a", "root"], "", UserError, "role 'root'"),
    (["set-units", "pic-a", "--unit", " "], "", UserError, "at least one unit"),
]


def test_users_commands_refuse_bad_input(api: Api, database_url: str) -> None:
    for args, stdin, error, message in BAD_INPUT:
        extra = ["--password-stdin"] if args[0] == "add" else []
        result = runner.invoke(users_app, [*args, *extra, "--database", database_url], input=stdin)
        assert isinstance(result.exception, error), (args, result.output, result.exception)
        assert message in str(result.exception)
        assert "\n" not in str(result.exception)
    assert (UserError.exit_code, UserNotFound.exit_code) == (2, 1)
    assert len(UserRepository(api.seeded.db).all_users()) == 6
    assert AuditRepository(api.seeded.db).count() == 6


def test_the_password_is_never_an_argument() -> None:
    result = runner.invoke(users_app, ["add", "--help"])
    assert "--password-stdin" in result.output
    assert "--password " not in result.output.replace("--password-stdin", "")

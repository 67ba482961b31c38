"""Command-line parts of the API: ``cvmon users ...``, ``cvmon audit verify`` and ``cvmon serve``.

Registered in ``cvmon.cli``; errors are raised as cvmon exceptions and turned into one-line
messages and exit codes there. Heavy imports (FastAPI, uvicorn, argon2) happen inside the commands.
"""

from __future__ import annotations

import gc
import getpass
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmon.errors import ConfigError

if TYPE_CHECKING:
    from cvmon.storage.audit import AuditActor
    from cvmon.storage.database import Database
    from cvmon.storage.users import User

users_app = typer.Typer(no_args_is_help=True, help="Users of the web viewer and API: roles and units.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit log: check its hash chain.")

DatabaseOption = Annotated[str | None, typer.Option(help="Database URL (default CVMON_DATABASE_URL).")]
UnitsOption = Annotated[
    list[str], typer.Option("--unit", help="A unit the user sees, with the units below it (repeatable).")
]


def _open(database: str | None) -> Database:
    from cvmon.settings import get_settings
    from cvmon.storage.database import open_database

    return open_database(database or get_settings().resolved_database_url)


def _cli_actor() -> AuditActor:
    from cvmon.storage.audit import AuditActor

    return AuditActor(f"cli:{getpass.getuser()}", "local")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _describe(user: User) -> str:
    state = "disabled" if user.disabled else "active"
    return f"{user.username}: {user.role.value}, units {', '.join(user.units)}, {state}"


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name (lower case letters, digits, '.', '_', '@', '-').")],
    role: Annotated[str, typer.Option(help="admin, manager, pic, auditor or viewer.")],
    unit: UnitsOption,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Create a user (the first admin too); the password is prompted for, or read from stdin, never an argument."""
    from cvmon.storage.users import UserRepository, check_password, check_role, check_username

    name = check_username(username)
    check_role(role)
    password = check_password(_read_password(password_stdin), name)
    with _open(database) as db:
        user = UserRepository(db).add(username, password, role, unit, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"added {_describe(user)}")


@users_app.command("list")
def users_list(
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    database: DatabaseOption = None,
) -> None:
    """Every user with their role, units and state."""
    from cvmon.storage.users import UserRepository

    if fmt not in ("table", "json"):
        raise ConfigError(f"--format: '{fmt}' is not one of table, json")
    with _open(database) as db:
        users = UserRepository(db).all_users()
    if fmt == "json":
        rows = [
            {"username": u.username, "role": u.role.value, "units": list(u.units), "disabled": u.disabled}
            for u in users
        ]
        typer.echo(json.dumps(rows))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(users)} user(s)")
    for col in ("username", "role", "units", "state", "updated (UTC)"):
        table.add_column(col)
    for u in users:
        state = "disabled" if u.disabled else "active"
        table.add_row(u.username, u.role.value, ", ".join(u.units), state, f"{u.updated_at:%Y-%m-%d %H:%M}")
    Console(highlight=False, width=160).print(table)


@users_app.command("disable")
def users_disable(
    username: Annotated[str, typer.Argument(help="Login name.")], database: DatabaseOption = None
) -> None:
    """Disable a user; their sessions end at once."""
    from cvmon.storage.users import UserRepository

    with _open(database) as db:
        user = UserRepository(db).set_disabled(username, True, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"disabled {_describe(user)}")


@users_app.command("enable")
def users_enable(username: Annotated[str, typer.Argument(help="Login name.")], database: DatabaseOption = None) -> None:
    """Enable a disabled user again."""
    from cvmon.storage.users import UserRepository

    with _open(database) as db:
        user = UserRepository(db).set_disabled(username, False, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"enabled {_describe(user)}")


@users_app.command("set-role")
def users_set_role(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Argument(help="admin, manager, pic, auditor or viewer.")],
    database: DatabaseOption = None,
) -> None:
    """Change a user's role; their sessions end."""
    from cvmon.storage.users import UserRepository

    with _open(database) as db:
        user = UserRepository(db).set_role(username, role, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"changed {_describe(user)}")


@users_app.command("set-units")
def users_set_units(
    username: Annotated[str, typer.Argument(help="Login name.")], unit: UnitsOption, database: DatabaseOption = None
) -> None:
    """Replace the units a user is bound to; their sessions end."""
    from cvmon.storage.users import UserRepository

    with _open(database) as db:
        user = UserRepository(db).set_units(username, unit, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"changed {_describe(user)}")


@users_app.command("set-password")
def users_set_password(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
    database: DatabaseOption = None,
) -> None:
    """Set a new password (prompted for, or read from stdin); the user's sessions end."""
    from cvmon.storage.users import UserRepository, check_password

    password = check_password(_read_password(password_stdin), username)
    with _open(database) as db:
        user = UserRepository(db).set_password(username, password, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"new password for {user.username}")


@users_app.command("unlock")
def users_unlock(username: Annotated[str, typer.Argument(help="Login name.")], database: DatabaseOption = None) -> None:
    """Lift a user's lock-outs after failed logins (their failure counts start again)."""
    from cvmon.storage.audit import AuditAction, AuditRepository
    from cvmon.storage.users import UserRepository

    with _open(database) as db:
        user = UserRepository(db).get(username)
        AuditRepository(db).record(
            datetime.now(UTC), _cli_actor(), AuditAction.LOGIN_UNLOCK, f"user:{user.username}", {"lifted": "all"}
        )
    typer.echo(f"lifted the lock-outs of {user.username}")


@audit_app.command("verify")
def audit_verify(database: DatabaseOption = None) -> None:
    """Check the audit log's hash chain: the first broken row and exit 1, or "intact" and exit 0."""
    from cvmon.storage.audit import AuditRepository

    with _open(database) as db:
        report = AuditRepository(db).verify()
    if report.broken is not None:
        typer.echo(
            f"audit log BROKEN at row {report.broken.id}: {report.broken.reason} "
            f"({report.rows} row(s) before it intact)"
        )
        raise typer.Exit(1)
    head = f", last hash {report.head}" if report.head else ""
    typer.echo(f"audit log intact: {report.rows} row(s){head}")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    config: Annotated[
        Path | None,
        typer.Option(help="cameras.yaml for the data-protection notice (retention, contacts); default CVMON_CONFIG."),
    ] = None,
) -> None:
    """Serve the web viewer and the JSON API with uvicorn; settings from CVMON_* variables."""
    import uvicorn
    from pydantic import ValidationError

    from cvmon.api.app import create_app
    from cvmon.api.settings import ApiSettings

    try:
        settings = ApiSettings()
        if config is not None:
            settings = settings.model_copy(update={"config": config})
    except ValidationError as err:
        first = err.errors()[0]
        field = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"CVMON_{field}: {first['msg']}") from None
    app = create_app(settings)
    # Everything imported so far lives as long as the server: moving it out of the collector's sight
    # spares each full collection (set off by a request loading a few thousand rows) about 90 ms.
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
    )

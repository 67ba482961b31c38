"""The server's commands: ``cvmon serve``, its users (``cvmon users ...``) and its audit log (``cvmon audit verify``).

Registered in ``cvmon.cli``; errors are raised as cvmon exceptions and turned into one-line
messages and exit codes there. Heavy imports (FastAPI, uvicorn, argon2) happen inside the commands.
"""

from __future__ import annotations

import errno
import gc
import getpass
import json
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmon.cli_params import DatabaseOption, TableFormat, TableOrJson, argument
from cvmon.errors import ConfigError, CvmonError

if TYPE_CHECKING:
    from cvmon.storage.audit import AuditActor
    from cvmon.storage.database import Database
    from cvmon.storage.users import User

users_app = typer.Typer(no_args_is_help=True, help="Users of the web viewer and API: roles and units.")
audit_app = typer.Typer(no_args_is_help=True, help="The audit log: check its hash chain.")

UnitsOption = Annotated[
    list[str], typer.Option("--unit", metavar="ID", help="A unit the user sees, with the units below it (repeatable).")
]
RoleOption = Annotated[str, typer.Option(metavar="admin|manager|pic|auditor|viewer", help="What the user may do.")]
PasswordStdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin (for scripts).")
]
UsernameArgument = Annotated[str, argument("USERNAME")]


def _open(database: str | None) -> Database:
    from cvmon.settings import get_settings
    from cvmon.storage.database import open_database

    return open_database(database or get_settings().resolved_database_url)


def _cli_actor() -> AuditActor:
    from cvmon.storage.audit import AuditActor

    return AuditActor(f"cli:{getpass.getuser()}", "local")


def _read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin with --password-stdin, else typed twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ConfigError(
            "the password is typed at a terminal; to give it on stdin (a pipe, a file), add --password-stdin"
        )
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _check_new_user(db: Database, username: str, units: list[str]) -> None:
    """A taken username or an unknown unit is an error before the password is asked for (the
    repository checks both again when it writes)."""
    from cvmon.read.scope import UnitNotFound, stored_subtree
    from cvmon.storage.users import UserExists, UserNotFound, UserRepository, unknown_units

    try:
        UserRepository(db).get(username)
    except UserNotFound:
        pass
    else:
        raise UserExists(f"user '{username}' already exists")
    missing = []
    for unit_id in sorted({u.strip() for u in units if u.strip()}):
        try:
            stored_subtree(db, unit_id)
        except UnitNotFound:
            missing.append(unit_id)
    if missing:
        raise unknown_units(missing)


def _describe(user: User) -> str:
    state = "disabled" if user.disabled else "active"
    return f"{user.username}: {user.role.value}, units {', '.join(user.units)}, {state}"


@users_app.command("add")
def users_add(
    username: UsernameArgument,
    role: RoleOption,
    unit: UnitsOption,
    password_stdin: PasswordStdinOption = False,
    database: DatabaseOption = None,
) -> None:
    """Create the user USERNAME (the first admin too).

    USERNAME: lower case letters, digits, '.', '_', '@', '-'. The password is typed twice at the
    terminal, or read from stdin with --password-stdin; never an argument."""
    from cvmon.storage.users import UserRepository, check_password, check_role, check_username

    name = check_username(username)
    check_role(role)
    with _open(database) as db:
        _check_new_user(db, name, unit)
        password = check_password(_read_password(password_stdin), name)
        user = UserRepository(db).add(username, password, role, unit, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"added {_describe(user)}")


@users_app.command("list")
def users_list(
    fmt: TableOrJson = TableFormat.TABLE,
    database: DatabaseOption = None,
) -> None:
    """Every user with their role, units and state."""
    from cvmon.storage.users import UserRepository

    with _open(database) as db:
        users = UserRepository(db).all_users()
    if fmt is TableFormat.JSON:
        rows = [
            {"username": u.username, "role": u.role.value, "units": list(u.units), "disabled": u.disabled}
            for u in users
        ]
        typer.echo(json.dumps(rows))
        return
    from cvmon.cli_tables import new_table, show

    columns = ("username", "role", "units", "state", "updated (UTC)")
    table = new_table(f"{len(users)} user(s)", columns, left=len(columns))
    for u in users:
        state = "disabled" if u.disabled else "active"
        table.add_row(u.username, u.role.value, ", ".join(u.units), state, f"{u.updated_at:%Y-%m-%d %H:%M}")
    show(table)


@users_app.command("disable")
def users_disable(username: UsernameArgument, database: DatabaseOption = None) -> None:
    """Disable the user USERNAME; their sessions end at once."""
    from cvmon.storage.users import UserRepository

    with _open(database) as db:
        user = UserRepository(db).set_disabled(username, True, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"disabled {_describe(user)}")


@users_app.command("enable")
def users_enable(username: UsernameArgument, database: DatabaseOption = None) -> None:
    """Enable the disabled user USERNAME again."""
    from cvmon.storage.users import UserRepository

    with _open(database) as db:
        user = UserRepository(db).set_disabled(username, False, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"enabled {_describe(user)}")


@users_app.command("set-role")
def users_set_role(
    username: UsernameArgument,
    role: Annotated[str, argument("ROLE")],
    database: DatabaseOption = None,
) -> None:
    """Give USERNAME the role ROLE (admin, manager, pic, auditor or viewer); their sessions end."""
    from cvmon.storage.users import UserRepository

    with _open(database) as db:
        user = UserRepository(db).set_role(username, role, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"changed {_describe(user)}")


@users_app.command("set-units")
def users_set_units(username: UsernameArgument, unit: UnitsOption, database: DatabaseOption = None) -> None:
    """Replace the units USERNAME is bound to; their sessions end."""
    from cvmon.storage.users import UserRepository

    with _open(database) as db:
        user = UserRepository(db).set_units(username, unit, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"changed {_describe(user)}")


@users_app.command("set-password")
def users_set_password(
    username: UsernameArgument,
    password_stdin: PasswordStdinOption = False,
    database: DatabaseOption = None,
) -> None:
    """Set a new password for USERNAME (typed at the terminal, or read from stdin with
    --password-stdin); their sessions end."""
    from cvmon.storage.users import UserRepository, check_password

    with _open(database) as db:
        users = UserRepository(db)
        users.get(username)  # an unknown user is an error before the password is asked for
        password = check_password(_read_password(password_stdin), username)
        user = users.set_password(username, password, actor=_cli_actor(), now=datetime.now(UTC))
    typer.echo(f"new password for {user.username}")


@users_app.command("unlock")
def users_unlock(username: UsernameArgument, database: DatabaseOption = None) -> None:
    """Lift the lock-outs of USERNAME after failed logins (their failure counts start again)."""
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
    host: Annotated[str, typer.Option(metavar="ADDRESS", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, metavar="PORT", help="Port to listen on.")] = 8000,
    config: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="cameras.yaml for the data-protection notice (retention, contacts); default CVMON_CONFIG.",
        ),
    ] = None,
) -> None:
    """Serve the web viewer and the JSON API.

    uvicorn on ADDRESS:PORT; the settings come from CVMON_* variables (CVMON_SECRET_KEY at least, or
    CVMON_ENVIRONMENT=development for a trial on this machine)."""
    import uvicorn
    from pydantic import ValidationError

    from cvmon.api.settings import ApiSettings
    from cvmon.server import create_app

    try:
        settings = ApiSettings()
        if config is not None:
            settings = settings.model_copy(update={"config": config})
    except ValidationError as err:
        first = err.errors()[0]
        field = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"CVMON_{field}: {first['msg']}") from None
    listener = _listen(host, port)  # before anything starts: a busy port is one line, not a server that stops
    app = create_app(settings)
    # Everything imported so far lives as long as the server: moving it out of the collector's sight
    # spares each full collection (set off by a request loading a few thousand rows) about 90 ms.
    gc.collect()
    gc.freeze()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            server_header=False,
        )
    )
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"cvmon: serving on http://{shown}:{listener.getsockname()[1]} (Ctrl-C stops it)", err=True)
    with listener:
        server.run(sockets=[listener])
    if not server.started:
        raise CvmonError("the server did not start (see the messages above)")


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, or a one-line error saying why there cannot be one."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError):
        raise ConfigError(f"--host: '{host}' is not an address (a name or IP of this machine)") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restart at once
        sock.bind(address)
        sock.listen(2048)
        return sock
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise CvmonError(
                f"cannot listen on {host}:{port}: the port is in use (another cvmon serve?); "
                "stop that or choose another --port"
            ) from None
        if e.errno == errno.EACCES:
            raise CvmonError(
                f"cannot listen on {host}:{port}: permission denied (ports below 1024 need root)"
            ) from None
        raise CvmonError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None

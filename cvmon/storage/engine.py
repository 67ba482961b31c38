"""Create SQLAlchemy engines for SQLite or PostgreSQL, with errors that never show a password."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from cvmon.errors import StorageError

# Execution option that makes a transaction on SQLite start with BEGIN IMMEDIATE (take the write lock).
SQLITE_IMMEDIATE = "cvmon_sqlite_immediate"
SQLITE_BUSY_TIMEOUT_S = 30.0
POSTGRES_CONNECT_TIMEOUT_S = 10

_USERINFO_PASSWORD = re.compile(r"(://[^:/@?#]*:)[^@/?#]*@")
_QUERY_PASSWORD = re.compile(r"((?:^|[?&;\s])password=)[^&;\s]*", re.IGNORECASE)


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***``, also for a URL SQLAlchemy cannot parse."""
    try:
        text = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        text = _USERINFO_PASSWORD.sub(r"\1***@", url)
    return _QUERY_PASSWORD.sub(r"\1***", text)


def _secrets(url: str) -> list[str]:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        match = re.search(r"://[^:/@?#]*:([^@/?#]*)@", url)
        return [match.group(1)] if match and match.group(1) else []
    found = [str(parsed.password)] if parsed.password else []
    query_password = parsed.query.get("password")
    if isinstance(query_password, str) and query_password:
        found.append(query_password)
    return found


def describe_error(err: BaseException, url: str) -> str:
    """One line saying why a database operation failed, with the URL's passwords masked."""
    cause: BaseException = err.orig if isinstance(err, DBAPIError) and err.orig is not None else err
    text = " ".join(line.strip() for line in str(cause).splitlines() if line.strip()) or type(cause).__name__
    for secret in _secrets(url):
        text = text.replace(secret, "***")
    return text


def storage_error(action: str, err: BaseException, url: str) -> StorageError:
    """A StorageError ``"<action> <masked url>: <reason>"`` on one line."""
    return StorageError(f"{action} {mask_url(url)}: {describe_error(err, url)}")


def _prepare_sqlite_path(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:") or url.query.get("uri"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_hooks(engine: Engine) -> None:
    """Foreign keys on, WAL journal, and transactions begun by SQLAlchemy (so DDL and SELECTs are transactional)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite the file's folder is created. Nothing is connected yet.

    Raises:
        StorageError: the URL is malformed, its driver is not installed or the folder cannot be made.
    """
    try:
        parsed = make_url(url)
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            _prepare_sqlite_path(parsed)
            connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_S
        elif parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
        engine = create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)
    except NoSuchModuleError as err:
        raise storage_error("unknown database dialect or driver in", err, url) from None
    except ImportError as err:
        raise storage_error("database driver not installed for", err, url) from None
    except ArgumentError as err:
        raise StorageError(f"invalid database URL {mask_url(url)}: {describe_error(err, url)}") from None
    except OSError as err:
        raise storage_error("cannot create the folder of", err, url) from None
    if engine.dialect.name == "sqlite":
        _install_sqlite_hooks(engine)
    return engine

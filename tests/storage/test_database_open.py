"""open_database: folders made, failures as one-line StorageErrors that never show a password."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from cvmon.errors import StorageError
from cvmon.storage import open_database
from cvmon.storage.engine import mask_url


def test_sqlite_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "cvmon.db"
    with open_database(f"sqlite:///{path}") as db:
        assert db.count_rows() == dict.fromkeys(db.count_rows(), 0)
    assert path.is_file()


def test_unreachable_postgres_raises_one_line_with_password_masked() -> None:
    url = "postgresql+psycopg://cvmon:s3cret-pw@127.0.0.1:1/cvmon"
    with pytest.raises(StorageError) as info:
        open_database(url)
    message = str(info.value)
    assert "\n" not in message
    assert "s3cret-pw" not in message
    assert "cvmon:***@127.0.0.1:1/cvmon" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a database url", "invalid database URL"),
        ("nosuchdb://user:pw-secret@host/db", "unknown database dialect or driver"),
        ("postgresql+nosuchdriver://user:pw-secret@host/db", "unknown database dialect or driver"),
    ],
)
def test_bad_url_raises_storage_error(url: str, expected: str) -> None:
    with pytest.raises(StorageError, match=expected) as info:
        open_database(url)
    assert "pw-secret" not in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_driver_raises_storage_error() -> None:
    if importlib.util.find_spec("pg8000") is not None:
        pytest.skip("pg8000 is installed here")
    with pytest.raises(StorageError, match="driver not installed") as info:
        open_database("postgresql+pg8000://user:pw-secret@127.0.0.1/db")
    assert "pw-secret" not in str(info.value)


def test_unwritable_sqlite_path_raises_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="cannot create the folder") as info:
        open_database(f"sqlite:///{blocker / 'sub' / 'cvmon.db'}")
    assert "\n" not in str(info.value)


def test_file_that_is_not_a_database_raises_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not an SQLite database file, only some text of some length" * 20)
    with pytest.raises(StorageError, match="cannot open database"):
        open_database(f"sqlite:///{path}")


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql+psycopg://u:pw@h:5432/db", "postgresql+psycopg://u:***@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db?password=pw", "postgresql+psycopg://u@h/db?password=***"),
        ("sqlite:////var/lib/cvmon/cvmon.db", "sqlite:////var/lib/cvmon/cvmon.db"),
        ("garbage://u:pw@h/db with spaces", "garbage://u:***@h/db with spaces"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked

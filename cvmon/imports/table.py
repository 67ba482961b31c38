"""Rows of an import as text fields with their line: from a CSV file or from JSON objects, columns checked.

Every import names its columns; a column that would carry a person (a customer's or shopper's name,
number, address) or their words (a comment, a note) refuses the whole file, and so does any column
the import does not know, so that nothing personal is stored by accident. A CSV file is UTF-8 (a
byte-order mark, as spreadsheets write, is fine) with a header line; its fields are separated by
commas, or by semicolons, as a spreadsheet set to Indonesian writes them, and then a decimal comma
(``4,5``) is read as a decimal point.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvmon.errors import ImportRejected

MAX_ROWS = 200_000
MAX_BYTES = 64 * 1024 * 1024
MAX_PROBLEMS = 50  # problems listed before "and N more"
# Column names (or parts of them) that would hold a person's identity or words.
PERSONAL_WORDS = (
    "name",
    "nama",
    "email",
    "phone",
    "telp",
    "telepon",
    "mobile",
    "no_hp",
    "address",
    "alamat",
    "nik",
    "ktp",
    "idpel",
    "pelanggan",
    "customer",
    "comment",
    "komentar",
    "catatan",
    "note",
    "notes",
    "saran",
    "feedback",
    "review",
    "ulasan",
    "remark",
    "verbatim",
    "text",
    "shopper",
    "evaluator",
    "petugas",
)


@dataclass(frozen=True, slots=True)
class Record:
    """One row to import: where it is (``line 12`` of a file, ``row 3`` of a request) and its fields."""

    where: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns an import knows: those every row needs and those it may have."""

    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def known(self) -> tuple[str, ...]:
        return (*self.required, *self.optional)


def column_name(header: str) -> str:
    """A header as compared: lower case, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _personal(name: str) -> bool:
    parts = set(name.split("_"))
    return any(word in parts or (len(word) > 4 and word in name) for word in PERSONAL_WORDS)


def check_columns(names: Iterable[str], columns: Columns, where: str) -> None:
    """Refuse personal, unknown, repeated or missing columns (ImportRejected, one problem each)."""
    problems: list[str] = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append(f"{where}: column '{name}' appears twice")
        seen.add(name)
        if name in columns.known:
            continue
        if _personal(name):
            problems.append(
                f"{where}: column '{name}' would hold a person's identity or words; cvmon imports aggregate "
                "figures only: remove the column"
            )
        else:
            problems.append(f"{where}: unknown column '{name}' (known: {', '.join(columns.known)})")
    problems += [f"{where}: missing column '{name}'" for name in columns.required if name not in seen]
    if problems:
        raise ImportRejected(f"{len(problems)} problem(s) with the columns; nothing was stored", problems)


def csv_records(path: Path, columns: Columns) -> list[Record]:
    """The rows of a CSV file, each with its line number (the header is line 1).

    Raises:
        ImportRejected: the file cannot be read, is not UTF-8, is empty or too large, or has bad columns.
    """
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImportRejected(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MiB; split it")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(f"{path}: not UTF-8 text; save the file as CSV UTF-8") from None
    except OSError as err:
        raise ImportRejected(f"{path}: cannot read: {err.strerror or err}") from None
    return text_records(text, columns, str(path))


def text_records(text: str, columns: Columns, name: str) -> list[Record]:
    """The rows of CSV text (see ``csv_records``)."""
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        names = [column_name(h) for h in next(reader)]
    except StopIteration:
        raise ImportRejected(f"{name}: empty file; the first line names the columns") from None
    except csv.Error as err:
        raise ImportRejected(f"{name}: line 1: {err}") from None
    check_columns(names, columns, f"{name}: line 1")
    records: list[Record] = []
    problems: list[str] = []
    try:
        start = reader.line_num + 1
        for values in reader:
            where = f"line {start}"
            start = reader.line_num + 1
            if not any(v.strip() for v in values):
                continue  # a blank line
            if len(values) != len(names):
                problems.append(f"{where}: {len(values)} fields, the header names {len(names)}")
                continue
            fields = {n: _decimal(v.strip(), delimiter) for n, v in zip(names, values, strict=True)}
            records.append(Record(where, fields))
            if len(records) > MAX_ROWS:
                raise ImportRejected(f"{name}: more than {MAX_ROWS} rows; split the file")
    except csv.Error as err:
        problems.append(f"line {reader.line_num}: {err}")
    reject_if(problems, name)
    if not records:
        raise ImportRejected(f"{name}: no rows below the header; nothing was stored")
    return records


def json_records(rows: Sequence[Mapping[str, Any]], columns: Columns) -> list[Record]:
    """JSON objects as rows (``row 1`` is the first), their keys checked like a file's columns."""
    if not rows:
        raise ImportRejected("no rows; nothing was stored")
    if len(rows) > MAX_ROWS:
        raise ImportRejected(f"more than {MAX_ROWS} rows; split the import")
    names = sorted({column_name(k) for row in rows for k in row})
    check_columns(names, columns, "rows")
    return [Record(f"row {i}", {column_name(k): v for k, v in row.items()}) for i, row in enumerate(rows, 1)]


def _decimal(value: str, delimiter: str) -> str:
    """A decimal comma as a point, in a semicolon-separated file (``4,5`` is 4.5 there)."""
    if delimiter == ";" and re.fullmatch(r"-?\d+,\d+", value):
        return value.replace(",", ".")
    return value


def reject_if(problems: list[str], name: str) -> None:
    """Raise ImportRejected listing the problems (the first MAX_PROBLEMS and how many more), if any."""
    if not problems:
        return
    shown = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"... and {len(problems) - MAX_PROBLEMS} more")
    raise ImportRejected(f"{name}: {len(problems)} bad row(s); nothing was stored", shown)

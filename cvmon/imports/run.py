"""An import from start to end: rows read and checked, units checked against the caller's, stored, audited.

The CLI (``cvmon import ratings|mystery-shopper FILE``) and the API (``POST /api/imports/...``) both
import through these, so a file and a request are checked alike and leave the same audit rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from cvmon.imports.ratings import rating_rows
from cvmon.imports.shopper import shopper_rows
from cvmon.imports.table import Record, reject_if
from cvmon.storage.audit import AuditActor
from cvmon.storage.database import Database
from cvmon.storage.ratings import ImportOutcome, known_units, replace_ratings, replace_shopper_scores
from cvmon.types.ratings import RatingDay, ShopperScore


class _OfUnit(Protocol):
    @property
    def unit_id(self) -> str: ...


R = TypeVar("R", bound=_OfUnit)


def _checked(
    db: Database,
    records: Sequence[Record],
    parse: Callable[[Sequence[Record]], tuple[list[tuple[str, R]], list[str]]],
    scope: Sequence[str],
    source: str,
) -> list[R]:
    rows, problems = parse(records)
    units, allowed = known_units(db), set(scope)
    for where, row in rows:
        if row.unit_id not in units:
            problems.append(f"{where}: unit: no unit '{row.unit_id}' (start cvmon once with the configuration)")
        elif row.unit_id not in allowed:
            problems.append(f"{where}: unit: '{row.unit_id}' is not one of your units")
    problems.sort(key=_order)
    reject_if(problems, source)
    return [row for _, row in rows]


def _order(problem: str) -> tuple[int, str]:
    """Problems in the order of their lines (``line 12: ...``, ``row 3: ...``)."""
    where = problem.split(":", 1)[0].split()
    return (int(where[1]) if len(where) == 2 and where[1].isdigit() else 0, problem)


def import_ratings(
    db: Database, records: Sequence[Record], scope: Sequence[str], actor: AuditActor, now: datetime, source: str
) -> ImportOutcome:
    """Check and store rating rows; ImportRejected (nothing stored) lists every bad row."""
    rows: list[RatingDay] = _checked(db, records, rating_rows, scope, source)
    return replace_ratings(db, rows, scope, actor, now, source)


def import_shopper_scores(
    db: Database, records: Sequence[Record], scope: Sequence[str], actor: AuditActor, now: datetime, source: str
) -> ImportOutcome:
    """Check and store mystery-shopper rows; ImportRejected (nothing stored) lists every bad row."""
    rows: list[ShopperScore] = _checked(db, records, shopper_rows, scope, source)
    return replace_shopper_scores(db, rows, scope, actor, now, source)

"""Customer ratings and mystery-shopper scores: stored by natural key, replaced on re-import, read by scope.

A rating row's key is its unit, local day, channel and service; importing a row with a stored key
replaces that row. A mystery-shopper visit's touchpoint (unit, date, start time, touchpoint) is
replaced whole: its stored aspects give way to the imported ones, so a corrected file that drops an
aspect drops it here too. Importing the same rows twice therefore changes nothing. Each import is one
transaction with its audit rows (one per unit it touches); a unit outside the caller's scope refuses
the whole import.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from cvmon.errors import ImportRejected
from cvmon.storage.audit import AuditAction, AuditActor, add_audit_row
from cvmon.storage.database import Database
from cvmon.storage.models import RatingDayRecord, ShopperScoreRecord, UnitRecord
from cvmon.types.ratings import RATING_FIGURES, RatingDay, ShopperScore


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import did: rows added, rows whose figures changed, rows already stored as they are, and
    (mystery shopper) stored aspects of a re-imported visit that the import no longer has."""

    rows: int
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    units: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "units": list(self.units),
        }


def time_key(moment: time | None) -> str:
    """A visit's start time as stored: ``HH:MM``, or "" when unknown."""
    return "" if moment is None else moment.strftime("%H:%M")


def _time_of(key: str) -> time | None:
    return time.fromisoformat(key) if key else None


def known_units(db: Database) -> set[str]:
    """The ids of every stored unit (``cvmon run``/``serve`` store the configuration's units)."""
    with db.transaction("cannot read units from", write=False) as session:
        return set(session.scalars(select(UnitRecord.id)))


def _check_scope(units: Iterable[str], scope: Sequence[str]) -> tuple[str, ...]:
    touched = tuple(sorted(set(units)))
    outside = [u for u in touched if u not in set(scope)]
    if outside:
        raise ImportRejected(f"not your units: {', '.join(outside)}; nothing was stored")
    return touched


def _audit(
    session: Session,
    now: datetime,
    actor: AuditActor,
    action: AuditAction,
    source: str,
    per_unit: dict[str, dict[str, Any]],
) -> None:
    for unit, details in sorted(per_unit.items()):
        add_audit_row(session, now, actor, action, f"unit:{unit}", {"source": source, **details})


def _days(days: Iterable[date]) -> dict[str, str]:
    ordered = sorted(days)
    return {"from": ordered[0].isoformat(), "to": ordered[-1].isoformat()}


def replace_ratings(
    db: Database, rows: Sequence[RatingDay], scope: Sequence[str], actor: AuditActor, now: datetime, source: str
) -> ImportOutcome:
    """Store the rating rows (one per key; validated by ``cvmon.imports``), replacing stored rows of the same
    key, with one audit row per unit, in one transaction.

    Raises:
        ImportRejected: a row's unit is outside ``scope`` (nothing is stored).
        StorageError: the database failed (nothing is stored).
    """
    units = _check_scope((r.unit_id for r in rows), scope)
    counts: dict[str, dict[str, Any]] = {u: {"rows": 0, "added": 0, "changed": 0, "unchanged": 0} for u in units}
    with db.transaction("cannot store ratings in", write=True) as session:
        r = RatingDayRecord
        keys = [row.key for row in rows]
        stored: dict[tuple[str, date, str, str], RatingDayRecord] = {}
        for chunk in _chunks(keys, 500):
            found = session.scalars(select(r).where(tuple_(r.unit_id, r.day, r.channel, r.service).in_(chunk)))
            stored.update({(x.unit_id, x.day, x.channel, x.service): x for x in found})
        for row in rows:
            figures = {name: getattr(row, name) for name in RATING_FIGURES}
            unit = counts[row.unit_id]
            unit["rows"] += 1
            rec = stored.get(row.key)
            if rec is None:
                session.add(r(unit_id=row.unit_id, day=row.day, channel=row.channel, service=row.service,
                              imported_at=now, **figures))  # fmt: skip
                unit["added"] += 1
            elif any(getattr(rec, name) != value for name, value in figures.items()):
                for name, value in figures.items():
                    setattr(rec, name, value)
                rec.imported_at = now
                unit["changed"] += 1
            else:
                unit["unchanged"] += 1
        for u in units:
            counts[u].update(_days(row.day for row in rows if row.unit_id == u))
        _audit(session, now, actor, AuditAction.RATINGS_IMPORT, source, counts)
    return _outcome(len(rows), counts, units)


def replace_shopper_scores(
    db: Database, rows: Sequence[ShopperScore], scope: Sequence[str], actor: AuditActor, now: datetime, source: str
) -> ImportOutcome:
    """Store the scored aspects (validated by ``cvmon.imports``): each visit's touchpoint in the rows replaces
    the stored one whole, with one audit row per unit, in one transaction.

    Raises:
        ImportRejected: a row's unit is outside ``scope`` (nothing is stored).
        StorageError: the database failed (nothing is stored).
    """
    units = _check_scope((r.unit_id for r in rows), scope)
    counts: dict[str, dict[str, Any]] = {
        u: {"rows": 0, "added": 0, "changed": 0, "unchanged": 0, "removed": 0} for u in units
    }
    by_visit: dict[tuple[str, date, str, str], list[ShopperScore]] = defaultdict(list)
    for row in rows:
        by_visit[(row.unit_id, row.visit_date, time_key(row.visit_time), row.touchpoint)].append(row)
    s = ShopperScoreRecord
    visit_columns = tuple_(s.unit_id, s.visit_date, s.visit_time, s.touchpoint)
    with db.transaction("cannot store mystery-shopper scores in", write=True) as session:
        stored: dict[tuple[str, date, str, str], dict[str, ShopperScoreRecord]] = defaultdict(dict)
        for chunk in _chunks(list(by_visit), 500):
            for x in session.scalars(select(s).where(visit_columns.in_(chunk))):
                stored[(x.unit_id, x.visit_date, x.visit_time, x.touchpoint)][x.aspect] = x
        for visit, scored in by_visit.items():
            unit = counts[visit[0]]
            old = stored.get(visit, {})
            for row in scored:
                unit["rows"] += 1
                rec = old.pop(row.aspect, None)
                if rec is None:
                    session.add(s(unit_id=visit[0], visit_date=visit[1], visit_time=visit[2], touchpoint=visit[3],
                                  aspect=row.aspect, weight=row.weight, score=row.score, imported_at=now))  # fmt: skip
                    unit["added"] += 1
                elif (rec.weight, rec.score) != (row.weight, row.score):
                    rec.weight, rec.score, rec.imported_at = row.weight, row.score, now
                    unit["changed"] += 1
                else:
                    unit["unchanged"] += 1
            for rec in old.values():  # aspects of the visit the import no longer has
                session.delete(rec)
                unit["removed"] += 1
        for u in units:
            counts[u].update(_days(row.visit_date for row in rows if row.unit_id == u))
        _audit(session, now, actor, AuditAction.SHOPPER_IMPORT, source, counts)
    return _outcome(len(rows), counts, units)


def _outcome(rows: int, counts: dict[str, dict[str, Any]], units: tuple[str, ...]) -> ImportOutcome:
    def summed(name: str) -> int:
        return sum(int(c.get(name, 0)) for c in counts.values())

    return ImportOutcome(rows, summed("added"), summed("changed"), summed("unchanged"), summed("removed"), units)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- reading, for reports ---------------------------------------------------------------------------


def rating_days(session: Session, units: Sequence[str], first: date, last: date) -> list[RatingDay]:
    """The rating rows of the units for local days ``first``..``last``, by unit, day, channel, service."""
    r = RatingDayRecord
    stmt = (
        select(r)
        .where(r.unit_id.in_(list(units)), r.day >= first, r.day <= last)
        .order_by(r.unit_id, r.day, r.channel, r.service)
    )
    return [
        RatingDay(x.unit_id, x.day, x.channel, x.service, **{name: getattr(x, name) for name in RATING_FIGURES})
        for x in session.scalars(stmt)
    ]


def shopper_scores(session: Session, units: Sequence[str], first: date, last: date) -> list[ShopperScore]:
    """The scored aspects of the units' visits on dates ``first``..``last``, by unit, date, time, touchpoint."""
    s = ShopperScoreRecord
    stmt = (
        select(s)
        .where(s.unit_id.in_(list(units)), s.visit_date >= first, s.visit_date <= last)
        .order_by(s.unit_id, s.visit_date, s.visit_time, s.touchpoint, s.aspect)
    )
    return [
        ShopperScore(x.unit_id, x.visit_date, _time_of(x.visit_time), x.touchpoint, x.aspect, x.weight, x.score)
        for x in session.scalars(stmt)
    ]


def delete_old_ratings(db: Database, before: date) -> dict[str, int]:
    """Delete rating rows of days and scores of visits before ``before`` (retention)."""
    with db.transaction("cannot delete old ratings from", write=True) as session:
        ratings = session.execute(delete(RatingDayRecord).where(RatingDayRecord.day < before))
        scores = session.execute(delete(ShopperScoreRecord).where(ShopperScoreRecord.visit_date < before))
        return {
            "rating_rows_deleted": int(getattr(ratings, "rowcount", 0) or 0),
            "shopper_rows_deleted": int(getattr(scores, "rowcount", 0) or 0),
        }

"""Retention: roll minute figures up into hours, then delete what the policy no longer keeps.

A run takes these steps in order. Each runs in its own transaction (or several small ones) and
touches old data only, so camera workers keep writing new minutes meanwhile:

1. Roll up: each complete UTC hour that still has its minute rows and is not final, and whose
   hourly row is missing or no longer matches those rows, gets its row recomputed from all of them.
   The recompute is an upsert, so it can run any number of times.
2. Minute rows and camera coverage older than ``minute_rows_days`` are deleted, whole hours only,
   with their parts (``minute_parts``, ``camera_minute_parts``) in the same transaction.
   The transaction that deletes an hour's minute rows (``DELETE ... RETURNING``) also rolls them
   into the hour's row and marks it final. So no minute is deleted before it is rolled up, not
   even one written between steps 1 and 2. A final row is never recomputed. Minute rows that
   arrive late for a final hour are deleted and counted, and the row is left as it is: rolling
   them up would only give a partial sum.
   On PostgreSQL the month partitions of the minute tables are made ahead before step 1, and
   those that step 2 emptied are dropped after it (``cvmon.storage.partitions``).
3. Daily rows are rolled up from the hourly rows (``cvmon.storage.daily``); then hourly rows older
   than ``hourly_rows_days`` and daily rows older than ``daily_rows_days`` are deleted.
4. Evidence older than ``snapshots_days`` is deleted: the row first, then its file. Then the store
   and the rows are reconciled: a file no row points to (left by a crash) is removed once it is
   older than a grace period (a write may still be in flight). A row whose file is gone is
   removed too. ``latest/`` frames are left alone.
5. Alerts untouched for ``alerts_days`` are deleted once no evidence row points to them.
6. Imported customer ratings and mystery-shopper scores of days before ``ratings_days`` are deleted.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Table, and_, delete, exists, func, literal_column, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cvmon.config.models import RetentionConfig
from cvmon.errors import CvmonError
from cvmon.figures import COUNTED, FIGURE_FIELDS, SUMMED_FIGURES, TIMED, ZoneFigures
from cvmon.storage.daily import delete_old_days, roll_up_days
from cvmon.storage.database import Database
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.merge import sum_figures
from cvmon.storage.models import Base
from cvmon.storage.partitions import drop_empty_partitions, ensure_partitions
from cvmon.storage.ratings import delete_old_ratings
from cvmon.storage.room import references_in_use

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
# Minute rows are rolled up and deleted at most this much time per transaction, so a backlog of
# months does not become one huge transaction.
CHUNK = timedelta(days=1)
EVIDENCE_BATCH = 500
# A file without a row that is younger than this may be a write in flight (file first, row next).
ORPHAN_GRACE_S = 600.0

_MINUTES: Table = Base.metadata.tables["minute_stats"]
_CAMERA_MINUTES: Table = Base.metadata.tables["camera_minutes"]
_MINUTE_PARTS: Table = Base.metadata.tables["minute_parts"]
_CAMERA_MINUTE_PARTS: Table = Base.metadata.tables["camera_minute_parts"]
_HOURLY: Table = Base.metadata.tables["hourly_stats"]
_EVIDENCE: Table = Base.metadata.tables["evidence"]
_ALERTS: Table = Base.metadata.tables["alerts"]

_EXACT = ("minutes", *COUNTED, "count_max")

ZoneHour = tuple[str, str, datetime]


@dataclass(frozen=True, slots=True, kw_only=True)
class HourlyRow(ZoneFigures):
    """The figures of one zone for one UTC hour: the sum of the ``minutes`` minute rows rolled into it.

    ``final``: the hour's minute rows are deleted and the row no longer changes.
    """

    camera_id: str
    zone_id: str
    zone_kind: str
    hour: datetime
    minutes: int
    final: bool = False


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What one run rolled up and deleted."""

    hours_rolled_up: int = 0  # hourly rows (re)computed from minute rows that are kept
    hours_finalised: int = 0  # hourly rows computed from the minute rows deleted with them
    minute_rows_deleted: int = 0
    late_minute_rows_dropped: int = 0  # minute rows of an already final hour, deleted without roll-up
    camera_minutes_deleted: int = 0
    hourly_rows_deleted: int = 0
    evidence_deleted: int = 0  # rows older than snapshots_days, deleted with their files
    evidence_files_deleted: int = 0
    orphan_files_deleted: int = 0  # files no row pointed to
    missing_file_rows_deleted: int = 0  # rows whose file was gone
    file_errors: int = 0  # files that could not be deleted (logged; retried next run)
    alerts_deleted: int = 0
    alerts_kept_for_evidence: int = 0  # old alerts kept because evidence still points to them
    days_rolled_up: int = 0  # daily rows (re)computed from hourly rows (cvmon.storage.daily)
    daily_rows_deleted: int = 0
    partitions_made: int = 0  # PostgreSQL: month partitions made ahead (see cvmon.storage.partitions)
    partitions_dropped: int = 0  # PostgreSQL: month partitions emptied by retention, dropped
    rating_rows_deleted: int = 0  # imported customer ratings of days past ratings_days
    shopper_rows_deleted: int = 0  # imported mystery-shopper aspects of visits past ratings_days

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def hour_start(ts: datetime) -> datetime:
    """Start of the UTC hour holding ``ts`` (timezone-aware)."""
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError(f"{ts.isoformat()} must be timezone-aware")
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def run_retention(
    db: Database,
    store: EvidenceStore,
    policy: RetentionConfig,
    now: datetime,
    *,
    orphan_grace_s: float = ORPHAN_GRACE_S,
) -> RetentionReport:
    """Roll minute rows up into hourly rows, then delete data older than ``policy`` allows.

    See the module docstring for the steps. Running it again at once changes nothing.

    Args:
        db: the database.
        store: the evidence store whose files the evidence rows point to.
        policy: the retention periods.
        now: timezone-aware current time; the periods count back from it.
        orphan_grace_s: least age (by the file's modification time, wall clock) of a file without
            a row before it is removed.

    Raises:
        ValueError: ``now`` is naive.
        StorageError: the database failed; steps already done stay done.
    """
    current_hour = hour_start(now)
    minute_cutoff = hour_start(now - timedelta(days=policy.minute_rows_days))
    hourly_cutoff = hour_start(now - timedelta(days=policy.hourly_rows_days))
    counts: dict[str, int] = defaultdict(int)
    with db.transaction("cannot make partitions in", write=True) as session:
        counts["partitions_made"] = len(ensure_partitions(session.connection(), now))
    counts["hours_rolled_up"] = _roll_up_kept_hours(db, max(minute_cutoff, hourly_cutoff), current_hour)
    counts.update(_delete_minutes(db, minute_cutoff, hourly_cutoff))
    with db.transaction("cannot drop partitions in", write=True) as session:
        counts["partitions_dropped"] = len(drop_empty_partitions(session.connection(), minute_cutoff))
    counts["days_rolled_up"] = roll_up_days(db, now, hourly_cutoff)
    with db.transaction("cannot delete hourly figures from", write=True) as session:
        counts["hourly_rows_deleted"] = _rowcount(session, delete(_HOURLY).where(_HOURLY.c.hour < hourly_cutoff))
    counts["daily_rows_deleted"] = delete_old_days(db, (now - timedelta(days=policy.daily_rows_days)).date())
    counts.update(_delete_old_evidence(db, store, now - timedelta(days=policy.snapshots_days)))
    counts.update(_reconcile_evidence(db, store, orphan_grace_s))
    counts.update(_delete_old_alerts(db, now - timedelta(days=policy.alerts_days)))
    counts.update(delete_old_ratings(db, (now - timedelta(days=policy.ratings_days)).date()))
    report = RetentionReport(**counts)
    log.info("retention: %s", ", ".join(f"{k}={v}" for k, v in report.as_dict().items() if v))
    return report


def hourly_rows(
    db: Database, camera_id: str | None = None, start: datetime | None = None, end: datetime | None = None
) -> list[HourlyRow]:
    """Stored hourly rows, optionally of one camera and of hours in ``[start, end)``, by camera, zone, hour."""
    stmt = select(_HOURLY).order_by(_HOURLY.c.camera_id, _HOURLY.c.zone_id, _HOURLY.c.hour)
    if camera_id is not None:
        stmt = stmt.where(_HOURLY.c.camera_id == camera_id)
    if start is not None:
        stmt = stmt.where(_HOURLY.c.hour >= _aware(start, "start"))
    if end is not None:
        stmt = stmt.where(_HOURLY.c.hour < _aware(end, "end"))
    with db.transaction("cannot read hourly figures from", write=False) as session:
        return [_hourly_row(row._mapping) for row in session.execute(stmt)]


# --- roll-up -------------------------------------------------------------------------------------


def roll_up(minutes: Sequence[Any]) -> dict[str, Any]:
    """The hourly figures of the minute rows of one zone and hour (MinuteRow objects or result rows)."""
    if not minutes:
        raise ValueError("no minute rows to roll up")
    return {**sum_figures(minutes, "minute"), "minutes": len(minutes)}


def _roll_up_kept_hours(db: Database, first_hour: datetime, current_hour: datetime) -> int:
    """Recompute the hourly rows of complete hours in ``[first_hour, current_hour)`` that are out of date."""
    if first_hour >= current_hour:
        return 0
    with db.transaction("cannot read minute figures from", write=False) as session:
        sums = _hour_sums(session, first_hour, current_hour)
        stored_stmt = select(_HOURLY).where(_HOURLY.c.hour >= first_hour, _HOURLY.c.hour < current_hour)
        stored = {(r.camera_id, r.zone_id, r.hour): r._mapping for r in session.execute(stored_stmt)}
    stale: dict[ZoneHour, None] = {}
    for key, figures in sums.items():
        row = stored.get(key)
        if row is None or (not row["final"] and not _same_figures(row, figures)):
            stale[key] = None
    rolled = 0
    for start, end, keys in _chunks(sorted(stale, key=lambda k: k[2])):
        with db.transaction("cannot write hourly figures to", write=True) as session:
            stmt = select(_MINUTES).where(_MINUTES.c.minute >= start, _MINUTES.c.minute < end)
            groups = _by_zone_hour(r for r in session.execute(stmt) if _zone_hour(r) in keys)
            rolled += _upsert_hourly(session, [_hourly_values(key, rows, final=False) for key, rows in groups.items()])
    return rolled


def _delete_minutes(db: Database, cutoff: datetime, hourly_cutoff: datetime) -> dict[str, int]:
    """Delete minute rows of hours before ``cutoff``, rolling each hour's rows into its final hourly row."""
    counts: dict[str, int] = defaultdict(int)
    while True:
        with db.transaction("cannot delete minute figures from", write=True) as session:
            first = session.scalar(select(func.min(_MINUTES.c.minute)).where(_MINUTES.c.minute < cutoff))
            if first is None:
                break
            start = hour_start(first)
            end = min(start + CHUNK, cutoff)
            deleted = session.execute(
                delete(_MINUTES).where(_MINUTES.c.minute >= start, _MINUTES.c.minute < end).returning(*_MINUTES.c)
            ).all()
            session.execute(delete(_MINUTE_PARTS).where(_MINUTE_PARTS.c.minute >= start, _MINUTE_PARTS.c.minute < end))
            final_stmt = select(_HOURLY.c.camera_id, _HOURLY.c.zone_id, _HOURLY.c.hour).where(
                _HOURLY.c.hour >= start, _HOURLY.c.hour < end, _HOURLY.c.final.is_(True)
            )
            final = {(c, z, h) for c, z, h in session.execute(final_stmt)}
            values = []
            for key, rows in _by_zone_hour(deleted).items():
                if key in final:
                    counts["late_minute_rows_dropped"] += len(rows)
                elif key[2] >= hourly_cutoff:
                    values.append(_hourly_values(key, rows, final=True))
            counts["hours_finalised"] += _upsert_hourly(session, values)
            counts["minute_rows_deleted"] += len(deleted)
    with db.transaction("cannot delete camera coverage from", write=True) as session:
        stmt = delete(_CAMERA_MINUTES).where(_CAMERA_MINUTES.c.minute < cutoff)
        counts["camera_minutes_deleted"] = _rowcount(session, stmt)
        session.execute(delete(_CAMERA_MINUTE_PARTS).where(_CAMERA_MINUTE_PARTS.c.minute < cutoff))
    return counts


def _hour_sums(session: Session, start: datetime, end: datetime) -> dict[ZoneHour, dict[str, Any]]:
    """Per zone and hour in ``[start, end)``: the minute count and the sums, computed by the database."""
    hour = _hour_of(session, _MINUTES.c.minute)
    m = _MINUTES.c
    stmt = (
        select(
            m.camera_id,
            m.zone_id,
            hour.label("hour"),
            func.count().label("minutes"),
            func.max(m.count_max).label("count_max"),
            *(func.sum(m[name]).label(name) for name in SUMMED_FIGURES),
        )
        .where(m.minute >= start, m.minute < end)
        .group_by(m.camera_id, m.zone_id, hour)
    )
    out = {}
    for row in session.execute(stmt):
        values = dict(row._mapping)
        out[(values.pop("camera_id"), values.pop("zone_id"), _utc_hour(values.pop("hour")))] = values
    return out


def _hour_of(session: Session, column: Any) -> ColumnElement[Any]:
    """SQL for the start of the UTC hour of a timestamp column, as literal text so GROUP BY matches it."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc(literal_column("'hour'"), func.timezone(literal_column("'UTC'"), column))
    return func.strftime(literal_column("'%Y-%m-%d %H:00:00'"), column)


def _utc_hour(value: Any) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _same_figures(stored: Any, figures: dict[str, Any]) -> bool:
    """Whether a stored hourly row has the minute count and sums the database computed."""
    if any(int(stored[name]) != int(figures[name] or 0) for name in _EXACT):
        return False
    return all(math.isclose(stored[n], figures[n] or 0.0, rel_tol=1e-9, abs_tol=1e-6) for n in TIMED)


def _chunks(keys: Sequence[ZoneHour]) -> Iterable[tuple[datetime, datetime, set[ZoneHour]]]:
    """Keys sorted by hour, cut into time ranges of at most ``CHUNK``."""
    i = 0
    while i < len(keys):
        start = keys[i][2]
        j = i
        while j < len(keys) and keys[j][2] < start + CHUNK:
            j += 1
        yield start, keys[j - 1][2] + HOUR, set(keys[i:j])
        i = j


def _zone_hour(row: Any) -> ZoneHour:
    return (row.camera_id, row.zone_id, hour_start(row.minute))


def _by_zone_hour(rows: Iterable[Any]) -> dict[ZoneHour, list[Any]]:
    groups: dict[ZoneHour, list[Any]] = defaultdict(list)
    for row in rows:
        groups[_zone_hour(row)].append(row)
    return groups


def _hourly_values(key: ZoneHour, minutes: Sequence[Any], *, final: bool) -> dict[str, Any]:
    camera_id, zone_id, hour = key
    return {"camera_id": camera_id, "zone_id": zone_id, "hour": hour, **roll_up(minutes), "final": final}


def _upsert_hourly(session: Session, values: list[dict[str, Any]]) -> int:
    """Insert or replace hourly rows, leaving final ones alone; returns how many were given."""
    if not values:
        return 0
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(_HOURLY)
    keys = ("camera_id", "zone_id", "hour")
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={c.name: stmt.excluded[c.name] for c in _HOURLY.c if c.name not in keys},
        where=_HOURLY.c.final.is_(False),
    )
    session.execute(stmt, values)
    return len(values)


def _hourly_row(values: Any) -> HourlyRow:
    key = {name: values[name] for name in ("camera_id", "zone_id", "zone_kind", "hour", "minutes")}
    figures = ZoneFigures.from_columns(values)
    return HourlyRow(**key, final=bool(values["final"]), **{name: getattr(figures, name) for name in FIGURE_FIELDS})


# --- evidence and alerts -------------------------------------------------------------------------


def _delete_old_evidence(db: Database, store: EvidenceStore, cutoff: datetime) -> dict[str, int]:
    """Delete evidence taken before ``cutoff``: rows in batches, each batch's files after its commit. A
    camera's room reference in use is kept however old it is."""
    counts: dict[str, int] = defaultdict(int)
    while True:
        with db.transaction("cannot delete evidence from", write=True) as session:
            stmt = (
                select(_EVIDENCE.c.id, _EVIDENCE.c.path)
                .where(_EVIDENCE.c.ts < cutoff, _EVIDENCE.c.id.not_in(references_in_use()))
                .limit(EVIDENCE_BATCH)
            )
            batch = session.execute(stmt).all()
            if not batch:
                break
            session.execute(delete(_EVIDENCE).where(_EVIDENCE.c.id.in_([id_ for id_, _ in batch])))
        counts["evidence_deleted"] += len(batch)
        for _, path in batch:
            deleted = _delete_file(store, path, counts)
            counts["evidence_files_deleted"] += deleted
    return counts


def _reconcile_evidence(db: Database, store: EvidenceStore, grace_s: float) -> dict[str, int]:
    """Remove files no row points to (once older than ``grace_s``) and rows whose file is gone.

    Rows are read before the files are listed and again after: a row is written after its file, so
    a row of the first read whose file is not listed lost its file, and a listed file that no row
    of the second read points to has no row.
    """
    counts: dict[str, int] = defaultdict(int)
    with db.transaction("cannot read evidence from", write=False) as session:
        rows_before = {path: id_ for id_, path in session.execute(select(_EVIDENCE.c.id, _EVIDENCE.c.path))}
    files = set(store.list_files())
    with db.transaction("cannot read evidence from", write=False) as session:
        rows_after = set(session.scalars(select(_EVIDENCE.c.path)))
    oldest = time.time() - grace_s
    for path in sorted(files - rows_after):
        mtime = _mtime(store, path)
        if mtime is not None and mtime <= oldest:
            counts["orphan_files_deleted"] += _delete_file(store, path, counts)
    missing = [id_ for path, id_ in rows_before.items() if path not in files]
    if not missing:
        return counts
    if not store.root.is_dir() or len(missing) == len(rows_before):
        log.warning(
            "evidence store %s holds none of the %d evidence files; it may not be mounted, no row removed",
            store.root,
            len(rows_before),
        )
        return counts
    with db.transaction("cannot delete evidence from", write=True) as session:
        for start in range(0, len(missing), EVIDENCE_BATCH):
            ids = missing[start : start + EVIDENCE_BATCH]
            counts["missing_file_rows_deleted"] += _rowcount(session, delete(_EVIDENCE).where(_EVIDENCE.c.id.in_(ids)))
    return counts


def _mtime(store: EvidenceStore, path: str) -> float | None:
    try:
        return Path(store.root, *PurePosixPath(path).parts).stat().st_mtime
    except OSError:
        return None


def _delete_file(store: EvidenceStore, path: str, counts: dict[str, int]) -> int:
    """Delete one file of the store; 1 when it was there. A failure is logged and counted, not raised."""
    try:
        return int(store.delete(path))
    except CvmonError as err:
        log.warning("retention: %s", err)
        counts["file_errors"] += 1
        return 0


def _delete_old_alerts(db: Database, cutoff: datetime) -> dict[str, int]:
    """Delete alerts nothing happened to since ``cutoff``, unless evidence still points to them."""
    a = _ALERTS.c
    old = and_(
        a.opened_at < cutoff,
        a.peak_at < cutoff,
        *(
            or_(column.is_(None), column < cutoff)
            for column in (a.cleared_at, a.escalated_at, a.acked_at, a.resolved_at)
        ),
    )
    has_evidence = exists().where(_EVIDENCE.c.alert_id == a.id)
    with db.transaction("cannot delete alerts from", write=True) as session:
        kept = session.scalar(select(func.count()).select_from(_ALERTS).where(old, has_evidence)) or 0
        deleted = _rowcount(session, delete(_ALERTS).where(old, ~has_evidence))
    return {"alerts_deleted": deleted, "alerts_kept_for_evidence": int(kept)}


def _rowcount(session: Session, stmt: Any) -> int:
    """Rows a DELETE removed."""
    result = session.execute(stmt)
    return int(result.rowcount or 0) if isinstance(result, CursorResult) else 0


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} {value.isoformat()} must be timezone-aware")
    return value.astimezone(UTC)

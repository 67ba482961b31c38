"""Benchmark of the PostgreSQL storage at a stated scale (issue 7, item 4; not a test).

1. Creates a PostgreSQL database (``--database-url``; refused when it exists, unless ``--reuse``) and opens it
   with cvmon's ``open_database`` (migrations, month partitions of minute_stats and camera_minutes), then
   stores a configuration: a UIW > ``--up3s`` UP3s > ``--ulps-per-up3`` ULPs each > ``--cameras-per-ulp``
   cameras each, three zones per camera (a queue, the customer side of a counter linked to it, the staff
   side of that counter), Asia/Makassar (WITA), service hours Monday to Saturday 08:00-15:00.
2. Generates ``--days`` local days ending today of minute rows for every zone and camera coverage rows for
   every camera, ``--hours-per-day`` hours a day from 07:00 local (today up to the current minute), with
   server-side ``INSERT ... SELECT`` over ``generate_series`` (one statement per table and day), the
   hourly roll-ups retention would keep beside them (every complete hour, not final: as if minute rows
   were kept for the whole range), an online and an offline event per camera and day and an alert per
   camera and day. Month partitions are made for the whole range first. Then ``VACUUM (ANALYZE)``, as
   autovacuum would do after such a load, and the sizes of the tables and of the database.
   The generated minute rows go in without their write parts (``minute_parts``, ``camera_minute_parts``):
   the reads do not touch those, and the write trial below writes new minutes, parts and all.
3. Times the viewer's main reads through cvmon's own functions, each in a read transaction of its own as a
   request gets it (``Database.transaction``), ``--repeat`` times with random cameras, units and days:
   p50 and p95 in ms. The dashboard (``queries.camera_statuses`` alone, and ``web.data.tiles``, which the
   dashboard and its tile refresh call: statuses plus every camera's zones with their latest minute), a
   camera's current zone figures (``queries.zones_with_latest_minute`` + ``read.current.zone_now``, the
   ``/api/cameras/{id}/zones/current`` route), the camera page's series of one local day per minute and per
   quarter hour and a 7-day series per hour (the ``/api/series`` route: ``queries.minute_rows``,
   ``queries.hourly_rows``, ``read.timeseries.zone_series``), and ``build_report`` of a ULP (and of a UP3)
   for the last full month (``--report-repeat`` runs, fewer: each takes seconds). Each case runs once
   untimed first (warm-up), counting the statements it sends and the rows they return. Plus ``EXPLAIN
   ANALYZE`` of those statements, counting the partitions of minute_stats each plan names and runs: the
   evidence that a day's query reads one month's partition.
4. Measures the write rate: ``--writers`` threads (a comma-separated list runs one trial per value), each
   calling ``MinuteRepository.write_minutes`` as fast as it can with a realistic batch, one new minute (beyond the
   data) of every zone and the coverage of its share of the cameras, for ``--write-seconds``; rows/s and
   minutes of all cameras per second, against what 1,000 cameras of 3 zones need (3,000 rows a minute: 50/s).
5. Prints a summary table and writes JSON (``--json``, default bench/results/storage.json, not committed).

Usage:
    .venv/bin/python bench/bench_storage.py                        # 100 cameras x 90 days (about 20 M minute rows)
    .venv/bin/python bench/bench_storage.py --up3s 1 --cameras-per-ulp 1 --days 3 --repeat 5   # smoke run
    .venv/bin/python bench/bench_storage.py --keep                 # keep the database ...
    .venv/bin/python bench/bench_storage.py --reuse --keep         # ... and time it again without generating

The database is dropped at the end unless ``--keep``; ``--reuse`` times an existing one as it is (it generates
only when the database holds no minute rows). Started under ``nice``, the script renices the PostgreSQL
backends of its own connections to its niceness too (when it may), so that the load it generates stays as
polite as itself. Nothing here asserts a timing; on a busy machine every number moves.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench_reports import cpu_model, drop_postgres  # the same scratch-database helpers
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cvmon.config import parse_config
from cvmon.config.models import Config
from cvmon.histogram import DurationHistogram
from cvmon.read import queries
from cvmon.read.current import zone_now
from cvmon.read.summary import unit_summaries
from cvmon.read.timeseries import MINUTE_ONLY, Resolution, zone_series
from cvmon.reports.report import build_report
from cvmon.storage import open_database
from cvmon.storage.config_history import sync_config
from cvmon.storage.database import Database
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.partitions import PARTITIONED_TABLES, create_month, month_start, monthly_partitions, next_month
from cvmon.types import CameraMinute, MinuteRow
from cvmon.web import data as web_data

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/cvmon_bench_storage"
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "storage.json"
TIMEZONE = "Asia/Makassar"
SERVICE_HOURS = {day: ["08:00-15:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]
ZONES: list[dict[str, Any]] = [
    {"id": "q", "kind": "queue", "capacity": 6, "points": SQUARE},
    {"id": "c", "kind": "counter_customer", "queue": "q", "points": SQUARE},
    {"id": "s", "kind": "counter_staff", "counter": "c", "points": SQUARE},
]
SAMPLES = 300  # 5 analysed fps x 60 s
# Visit durations (s) of a queue minute by number of visits, two variants each; their histograms go in as JSON.
VISITS: dict[int, tuple[list[float], list[float]]] = {0: ([], []), 1: ([75], [200]), 2: ([45, 130], [200, 420])}
ROWS_NEEDED_PER_S = 1000 * 3 / 60  # 1,000 cameras x 3 zones, a row per zone and minute
_PARTITION = re.compile(r"\bon (minute_stats_(?:y\d{4}m\d{2}|default))\b")


# -- organisation ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tree:
    uiw: str
    up3s: dict[str, list[str]]  # UP3 -> its ULPs

    @property
    def ulps(self) -> list[str]:
        return [ulp for ulps in self.up3s.values() for ulp in ulps]

    @property
    def units(self) -> list[str]:
        return [self.uiw, *self.up3s, *self.ulps]

    def subtree(self, unit: str) -> list[str]:
        return [unit, *self.up3s[unit]] if unit in self.up3s else [unit]


def unit_tree(args: argparse.Namespace) -> Tree:
    up3s = {f"up3-{u}": [f"ulp-{u}-{n}" for n in range(1, args.ulps_per_up3 + 1)] for u in range(1, args.up3s + 1)}
    return Tree("uiw-bench", up3s)


def bench_config(tree: Tree, cameras_per_ulp: int) -> Config:
    units: list[dict[str, Any]] = [
        {"id": tree.uiw, "name": "UIW Bench", "level": "uiw", "timezone": TIMEZONE, "service_hours": SERVICE_HOURS}
    ]
    cams: list[dict[str, Any]] = []
    for up3, ulps in tree.up3s.items():
        units.append({"id": up3, "name": up3.upper(), "level": "up3", "parent": tree.uiw})
        for ulp in ulps:
            units.append({"id": ulp, "name": ulp.upper(), "level": "ulp", "parent": up3})
            for n in range(1, cameras_per_ulp + 1):
                cam = f"{ulp}-cam-{n}"
                cams.append({"id": cam, "unit": ulp, "source": f"/footage/{cam}.mp4", "zones": ZONES})
    return parse_config({"units": units, "cameras": cams})


# -- the generated data -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    start: datetime  # first generated minute (UTC)
    end: datetime  # after the last one

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def plan_days(days: int, hours: float, first_hour: int, tz: ZoneInfo, now: datetime) -> list[Day]:
    """The local days ending today and the minutes generated in each (today up to ``now``)."""
    today = now.astimezone(tz).date()
    out = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        start = datetime.combine(day, dtime(first_hour), tzinfo=tz).astimezone(UTC)
        end = min(start + timedelta(hours=hours), now)
        if end > start:
            out.append(Day(day, start, end))
    return out


def _visit_values() -> str:
    """A VALUES list (visits, variant, seconds, hist) of the queue minutes' visit figures."""
    rows = []
    for visits, variants in VISITS.items():
        for variant, durations in enumerate(variants):
            hist = json.dumps(DurationHistogram.of(durations).to_json())
            rows.append(f"({visits}, {variant}, {float(sum(durations))}, '{hist}')")
    return ", ".join(rows)


MINUTES_SQL = f"""
INSERT INTO minute_stats (camera_id, zone_id, minute, zone_kind, samples, count_sum, count_max, seconds_observed,
    seconds_staffed, seconds_offline, seconds_over_capacity, visits, visit_seconds_sum, visit_hist, t_first_s, t_last_s)
SELECT v.camera_id, v.zone_id, v.minute, v.kind, {SAMPLES}, v.count_sum,
    CASE WHEN v.count_sum = 0 THEN 0 ELSE CAST(ceil(v.count_sum / {SAMPLES}.0) AS int) + CAST(v.r2 < 0.4 AS int) END,
    60.0, CASE WHEN v.staffed THEN 60.0 ELSE 0.0 END, 0.0,
    CASE WHEN v.capacity IS NOT NULL AND v.count_sum > v.capacity * {SAMPLES} THEN floor(v.r2 * 60) ELSE 0.0 END,
    h.visits, h.seconds, CAST(h.hist AS json), 0.0, 59.8
FROM (
    SELECT b.camera_id, b.zone_id, b.kind, b.capacity, b.minute, b.r2,
        CASE b.kind
            WHEN 'counter_staff' THEN CASE WHEN b.r1 < 0.92 THEN {SAMPLES} ELSE 0 END
            WHEN 'queue' THEN CAST(floor({SAMPLES} * (0.2 + 3.5 * b.busy * b.peak) * (0.5 + b.r1)) AS int)
            ELSE CAST(floor({SAMPLES} * least(1.0, 0.3 + b.peak) * (0.6 + 0.6 * b.r1)) AS int)
        END AS count_sum,
        b.kind = 'counter_staff' AND b.r1 < 0.92 AS staffed,
        CASE WHEN b.kind = 'queue' THEN CAST(floor(b.r3 * 3) AS int) ELSE 0 END AS n_visits,
        CAST(floor(b.r4 * 2) AS int) AS variant
    FROM (
        -- random() in a subquery's target list: PostgreSQL evaluates it once per row (no pull-up)
        SELECT z.camera_id, z.zone_id, z.kind, z.capacity, m.minute,
            exp(-power((extract(epoch FROM CAST(m.minute AT TIME ZONE :tz AS time)) / 3600.0 - 10.0) / 2.5, 2))
                AS peak,
            0.7 + (abs(hashtext(z.camera_id)) % 61) / 100.0 AS busy,
            random() AS r1, random() AS r2, random() AS r3, random() AS r4
        FROM zones z
        CROSS JOIN generate_series(CAST(:start AS timestamptz), CAST(:end AS timestamptz) - interval '1 minute',
            interval '1 minute') AS m(minute)
        ORDER BY m.minute, z.camera_id, z.zone_id
    ) b
) v
JOIN (VALUES {_visit_values()}) AS h(visits, variant, seconds, hist) ON h.visits = v.n_visits AND h.variant = v.variant
"""

CAMERA_MINUTES_SQL = """
INSERT INTO camera_minutes (camera_id, minute, frames_analysed, seconds_online, seconds_offline, t_first_s, t_last_s,
    inference_ms_sum, inference_ms_max, frames_detected)
SELECT b.id, b.minute, 300, 60.0, 0.0, 0.0, 59.8, b.detected * (20.0 + 8.0 * b.r1), 35.0 + 20.0 * b.r2, b.detected
FROM (
    SELECT c.id, m.minute, CAST(120 + floor(random() * 180) AS int) AS detected, random() AS r1, random() AS r2
    FROM cameras c
    CROSS JOIN generate_series(CAST(:start AS timestamptz), CAST(:end AS timestamptz) - interval '1 minute',
        interval '1 minute') AS m(minute)
    ORDER BY m.minute, c.id
) b
"""

# Every complete hour, summed as retention's roll-up does; the visit histograms (layout 2: {"v": 2, "b": [[bucket,
# count], ...]}) are merged bucket by bucket (through their distinct values per hour: a few, so that few JSON values
# are taken apart).
HOURLY_SQL = """
WITH hist_counts AS (
    SELECT camera_id, zone_id, date_trunc('hour', minute AT TIME ZONE 'UTC') AS hour,
        CAST(visit_hist AS text) AS hist, count(*) AS n
    FROM minute_stats WHERE minute >= :start AND minute < :end
    GROUP BY 1, 2, 3, 4
), bucket_sums AS (
    SELECT c.camera_id, c.zone_id, c.hour, CAST(e.bin ->> 0 AS int) AS bucket,
        sum(c.n * CAST(e.bin ->> 1 AS int)) AS total
    FROM hist_counts c CROSS JOIN LATERAL json_array_elements(CAST(c.hist AS json) -> 'b') AS e(bin)
    GROUP BY 1, 2, 3, 4
), hists AS (
    SELECT camera_id, zone_id, hour,
        json_build_object('v', 2, 'b', json_agg(json_build_array(bucket, total) ORDER BY bucket)) AS visit_hist
    FROM bucket_sums GROUP BY 1, 2, 3
), sums AS (
    SELECT camera_id, zone_id, date_trunc('hour', minute AT TIME ZONE 'UTC') AS hour, max(zone_kind) AS zone_kind,
        count(*) AS minutes, sum(samples) AS samples, sum(count_sum) AS count_sum, max(count_max) AS count_max,
        sum(seconds_observed) AS seconds_observed, sum(seconds_staffed) AS seconds_staffed,
        sum(seconds_offline) AS seconds_offline, sum(seconds_over_capacity) AS seconds_over_capacity,
        sum(visits) AS visits, sum(visit_seconds_sum) AS visit_seconds_sum
    FROM minute_stats WHERE minute >= :start AND minute < :end
    GROUP BY 1, 2, 3
)
INSERT INTO hourly_stats (camera_id, zone_id, hour, zone_kind, minutes, samples, count_sum, count_max, seconds_observed,
    seconds_staffed, seconds_offline, seconds_over_capacity, visits, visit_seconds_sum, visit_hist, final)
SELECT s.camera_id, s.zone_id, s.hour AT TIME ZONE 'UTC', s.zone_kind, s.minutes, s.samples, s.count_sum, s.count_max,
    s.seconds_observed, s.seconds_staffed, s.seconds_offline, s.seconds_over_capacity, s.visits, s.visit_seconds_sum,
    COALESCE(h.visit_hist, CAST('{"v": 2, "b": []}' AS json)), false
FROM sums s LEFT JOIN hists h USING (camera_id, zone_id, hour)
"""

EVENTS_SQL = """
INSERT INTO camera_events (camera_id, ts, kind, reason)
SELECT c.id, e.ts, e.kind, e.reason FROM cameras c
CROSS JOIN (VALUES (CAST(:start AS timestamptz), 'online', 'stream opened'),
                   (CAST(:end AS timestamptz), 'offline', 'stopped')) AS e(ts, kind, reason)
WHERE e.kind = 'online' OR :complete
"""

ALERTS_SQL = """
INSERT INTO alerts (rule, unit_id, camera_id, zone_id, opened_at, open_value, peak_value, peak_at, cleared_at,
    escalated_at, acked_at, acked_by, resolved_at, resolved_by, followup_category, followup_note)
SELECT a.rule, a.unit_id, a.id, CASE a.rule WHEN 'queue_long' THEN 'q' ELSE 's' END, a.opened_at, 4.0, 5.0,
    a.opened_at + interval '1 minute', a.opened_at + interval '6 minutes', NULL,
    CASE WHEN a.r1 < 0.85 THEN a.opened_at + make_interval(secs => 30 + a.r2 * 1500) END,
    CASE WHEN a.r1 < 0.85 THEN 'pic' END,
    CASE WHEN a.r1 < 0.75 THEN a.opened_at + make_interval(secs => 1600 + a.r2 * 3600) END,
    CASE WHEN a.r1 < 0.75 THEN 'pic' END,
    CASE WHEN a.r1 < 0.5 THEN 'coaching' END, CASE WHEN a.r1 < 0.5 THEN 'Petugas ditambah' END
FROM (
    SELECT c.id, c.unit_id, CASE WHEN random() < 0.6 THEN 'queue_long' ELSE 'counter_unstaffed' END AS rule,
        CAST(:start AS timestamptz) + make_interval(mins => CAST(floor(random() * :minutes) AS int)) AS opened_at,
        random() AS r1, random() AS r2
    FROM cameras c
) a
ON CONFLICT DO NOTHING
"""


def _renice_backends(engine: Engine) -> None:
    """Started under nice: give the PostgreSQL backend of every new connection the same niceness (best effort)."""
    niceness = os.getpriority(os.PRIO_PROCESS, 0)
    host = make_url(str(engine.url)).host or "localhost"
    if niceness <= 0 or host not in ("127.0.0.1", "localhost", "::1"):
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT pg_backend_pid()")
            pid = int(cursor.fetchone()[0])
        finally:
            cursor.close()
            dbapi_connection.rollback()
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, pid, niceness)


def make_month_partitions(db: Database, first: datetime, last: datetime) -> list[str]:
    """The month partitions of the range that migration 0007 did not make (it makes this month and 2 ahead)."""
    made = []
    with db.engine.begin() as conn:
        for table in PARTITIONED_TABLES:
            have = monthly_partitions(conn, table)
            month = month_start(first)
            while month <= last:
                if month not in have:
                    made.append(create_month(conn, table, month))
                month = next_month(month)
    return made


def generate(db: Database, tree: Tree, days: list[Day], now: datetime) -> dict[str, Any]:
    """Write the bench data, a day at a time; the rows per table and the seconds taken."""
    counts = dict.fromkeys(("minute_stats", "camera_minutes", "hourly_stats", "camera_events", "alerts"), 0)
    seconds = dict.fromkeys(counts, 0.0)
    current_hour = now.replace(minute=0, second=0, microsecond=0)
    t0 = time.perf_counter()
    for i, day in enumerate(days, 1):
        params = {"start": day.start, "end": day.end}
        steps: list[tuple[str, str, dict[str, Any]]] = [
            ("minute_stats", MINUTES_SQL, {**params, "tz": TIMEZONE}),
            ("camera_minutes", CAMERA_MINUTES_SQL, params),
            ("hourly_stats", HOURLY_SQL, {"start": day.start, "end": min(day.end, current_hour)}),
            ("camera_events", EVENTS_SQL, {**params, "complete": day.end - day.start >= timedelta(hours=1)}),
            ("alerts", ALERTS_SQL, {"start": day.start, "minutes": day.minutes}),
        ]
        day_rows = 0
        t_day = time.perf_counter()
        with db.engine.begin() as conn:
            for table, sql, values in steps:
                t = time.perf_counter()
                n = conn.execute(text(sql), values).rowcount
                seconds[table] += time.perf_counter() - t
                counts[table] += n
                day_rows += n
        took = time.perf_counter() - t_day
        print(
            f"  day {i:3d}/{len(days)} {day.day} ({day.minutes} min): {day_rows:9,d} rows in {took:5.1f} s "
            f"({day_rows / took:8,.0f} rows/s); total {time.perf_counter() - t0:6.0f} s",
            flush=True,
        )
    return {"rows": counts, "seconds": seconds, "total_s": time.perf_counter() - t0}


def vacuum_analyze(db: Database) -> float:
    t = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    return time.perf_counter() - t


def sizes(db: Database) -> dict[str, Any]:
    """Row counts and on-disk sizes (bytes; partitions summed: heap, indexes, TOAST)."""
    out: dict[str, Any] = {}
    with db.engine.connect() as conn:
        out["database_bytes"] = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
        for table in ("minute_stats", "camera_minutes", "hourly_stats", "camera_events", "alerts"):
            # pg_partition_tree lists the partitions of a partitioned table, and nothing for a plain one
            total, heap, indexes, parts = conn.execute(
                text(
                    "WITH rels AS (SELECT relid, isleaf FROM pg_partition_tree(CAST(:t AS regclass)) "
                    "UNION ALL SELECT CAST(:t AS regclass), false "
                    "WHERE NOT EXISTS (SELECT 1 FROM pg_partition_tree(CAST(:t AS regclass)))) "
                    "SELECT sum(pg_total_relation_size(relid)), sum(pg_relation_size(relid)), "
                    "sum(pg_indexes_size(relid)), count(*) FILTER (WHERE isleaf) FROM rels"
                ),
                {"t": table},
            ).one()
            rows = int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            out[table] = {
                "rows": rows,
                "total_bytes": int(total or 0),
                "heap_bytes": int(heap or 0),
                "index_bytes": int(indexes or 0),
                "partitions": int(parts),
                "bytes_per_row": (int(total or 0) / rows) if rows else None,
            }
    return out


def data_range(db: Database) -> tuple[datetime | None, datetime | None]:
    with db.engine.connect() as conn:
        first, last = conn.execute(text("SELECT min(minute), max(minute) FROM minute_stats")).one()
    return first, last


# -- timing ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Case:
    name: str
    run: Callable[[Session, Any], int]  # returns what it produced (cameras, zones, points, ...)
    pick: Callable[[random.Random], Any]
    repeat: int
    unit: str  # what run() returns
    times_ms: list[float] = field(default_factory=list)
    statements: int = 0
    rows_fetched: int = 0
    produced: int = 0


class StatementCounter:
    """Statements sent and rows they returned, while ``active``."""

    def __init__(self, engine: Engine) -> None:
        self.active = False
        self.statements = 0
        self.rows = 0
        self.captured: list[tuple[str, Any]] = []
        event.listen(engine, "after_cursor_execute", self._after)

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if self.active:
            self.statements += 1
            self.rows += max(cursor.rowcount, 0)
            self.captured.append((statement, parameters))

    def start(self) -> None:
        self.active, self.statements, self.rows, self.captured = True, 0, 0, []

    def stop(self) -> None:
        self.active = False


def quantile_ms(times: Sequence[float], q: float) -> float:
    if len(times) == 1:
        return times[0]
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[round(q * 100) - 1]


def time_case(db: Database, counter: StatementCounter, case: Case, rng: random.Random) -> None:
    def once(arg: Any) -> int:
        with db.transaction("bench: cannot read from", write=False) as session:
            return case.run(session, arg)

    counter.start()
    case.produced = once(case.pick(rng))  # warm-up, counted
    counter.stop()
    case.statements, case.rows_fetched = counter.statements, counter.rows
    for _ in range(case.repeat):
        arg = case.pick(rng)
        t = time.perf_counter()
        once(arg)
        case.times_ms.append((time.perf_counter() - t) * 1000)


def local_day_range(day: date, tz: ZoneInfo, days: int = 1) -> tuple[datetime, datetime]:
    return datetime.combine(day, dtime(), tzinfo=tz), datetime.combine(day + timedelta(days=days), dtime(), tzinfo=tz)


def series(session: Session, camera: str, scope: Sequence[str], start: datetime, end: datetime, res: Resolution) -> int:
    """What the /api/series route reads and computes for every zone of a camera; the points made."""
    cam = queries.camera_in_scope(session, camera, scope)
    assert cam is not None, camera
    zones = queries.zones_of_camera(session, camera, scope)
    minute_rows = queries.minute_rows(session, camera, None, start, end, scope)
    hourly_rows = queries.hourly_rows(session, camera, None, start, end, scope) if res not in MINUTE_ONLY else []
    points = zone_series(zones, minute_rows, hourly_rows, res, ZoneInfo(cam.timezone))
    return sum(len(p) for p in points.values())


def build_cases(args: argparse.Namespace, tree: Tree, config: Config, days: list[date]) -> list[Case]:
    tz = ZoneInfo(TIMEZONE)
    scope = tree.units  # an admin's units
    cameras = [c.id for c in config.cameras]
    up3s = list(tree.up3s)
    today = datetime.now(UTC).astimezone(tz).date()
    full_days = [d for d in days if d < today] or days
    week_ends = full_days[6:] or full_days
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    last = today.replace(day=1) - timedelta(days=1)
    now = datetime.now(UTC)

    def zones_current(session: Session, camera: str) -> int:
        rows = queries.zones_with_latest_minute(session, camera, scope)
        return len([zone_now(zone, minute) for _cam, zone, minute in rows if zone is not None])

    def report(session: Session, unit: str) -> int:
        built = build_report(session, config, unit, scope, first, last)
        return len(built.ranking)

    n, nr = args.repeat, args.report_repeat
    cases = [
        Case(
            "camera_statuses ULP",
            lambda s, u: len(queries.camera_statuses(s, [u])),
            lambda r: r.choice(tree.ulps),
            n,
            "cameras",
        ),
        Case(
            "camera_statuses UP3",
            lambda s, u: len(queries.camera_statuses(s, tree.subtree(u))),
            lambda r: r.choice(up3s),
            n,
            "cameras",
        ),
        Case(
            "dashboard tiles ULP",
            lambda s, u: len(web_data.tiles(s, [u], now)),
            lambda r: r.choice(tree.ulps),
            n,
            "tiles",
        ),
        Case(
            "dashboard tiles UP3",
            lambda s, u: len(web_data.tiles(s, tree.subtree(u), now)),
            lambda r: r.choice(up3s),
            n,
            "tiles",
        ),
        Case(
            "dashboard summary ULP",
            lambda s, u: len(unit_summaries(s, queries.units_in_scope(s, [u]), now)),
            lambda r: r.choice(tree.ulps),
            n,
            "units",
        ),
        Case(
            "dashboard summary UP3",
            lambda s, u: len(unit_summaries(s, queries.units_in_scope(s, tree.subtree(u)), now)),
            lambda r: r.choice(up3s),
            n,
            "units",
        ),
        Case("zones current, 1 camera", zones_current, lambda r: r.choice(cameras), n, "zones"),
        Case(
            "series 1 day per minute",
            lambda s, a: series(s, a[0], scope, *local_day_range(a[1], tz), "minute"),
            lambda r: (r.choice(cameras), r.choice(full_days)),
            n,
            "points",
        ),
        Case(
            "series 1 day per 15 min",
            lambda s, a: series(s, a[0], scope, *local_day_range(a[1], tz), "quarter"),
            lambda r: (r.choice(cameras), r.choice(full_days)),
            n,
            "points",
        ),
        Case(
            "series 7 days per hour",
            lambda s, a: series(s, a[0], scope, *local_day_range(a[1] - timedelta(days=6), tz, 7), "hour"),
            lambda r: (r.choice(cameras), r.choice(week_ends)),
            n,
            "points",
        ),
    ]
    if nr > 0:
        cases.append(Case(f"report ULP {first:%Y-%m}", report, lambda r: r.choice(tree.ulps), nr, "children"))
        if not args.no_up3_report:
            cases.append(Case(f"report UP3 {first:%Y-%m}", report, lambda r: r.choice(up3s), nr, "children"))
    return cases


# -- partition pruning evidence ---------------------------------------------------------------------


def explain_partitions(db: Database, counter: StatementCounter, run: Callable[[Session], Any]) -> list[dict[str, Any]]:
    """EXPLAIN ANALYZE of each statement ``run`` sends that reads minute_stats: the partitions its plan
    names and those it ran (a partition the executor skipped shows as never executed)."""
    counter.start()
    with db.transaction("bench: cannot read from", write=False) as session:
        run(session)
    counter.stop()
    out = []
    with db.engine.connect() as conn:
        for statement, parameters in counter.captured:
            if "minute_stats" not in statement:
                continue
            plan = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + statement, parameters
            ).scalars()
            named: set[str] = set()
            ran: set[str] = set()
            removed = 0
            for line in plan:
                m = _PARTITION.search(line)
                if m:
                    named.add(m.group(1))
                    if "never executed" not in line:
                        ran.add(m.group(1))
                r = re.search(r"Subplans Removed: (\d+)", line)
                if r:
                    removed += int(r.group(1))
            out.append(
                {
                    "statement": " ".join(statement.split())[:90],
                    "partitions_in_plan": sorted(named),
                    "partitions_run": sorted(ran),
                    "subplans_removed": removed,
                }
            )
    return out


# -- writes ----------------------------------------------------------------------------------------


def write_trial(db: Database, config: Config, writers: int, seconds: float, first_minute: datetime) -> dict[str, Any]:
    """``writers`` threads, each writing one minute after another of its share of the cameras."""
    shares = [config.cameras[k::writers] for k in range(writers)]
    latencies: list[list[float]] = [[] for _ in range(writers)]
    rows = [0] * writers
    cam_rows = [0] * writers
    errors: list[str] = []
    barrier = threading.Barrier(writers + 1)
    stop_at = [0.0]

    def writer(k: int) -> None:
        rng = random.Random(k)
        barrier.wait()
        i = 0
        while time.perf_counter() < stop_at[0]:
            minute = first_minute + timedelta(minutes=i)
            batch, cams = [], []
            for cam in shares[k]:
                for zone in cam.zones:
                    durations = [float(rng.randint(20, 400)) for _ in range(rng.randint(0, 2))]
                    durations = durations if zone.kind.value == "queue" else []
                    count_sum = rng.randint(0, 900)
                    batch.append(
                        MinuteRow(
                            camera_id=cam.id,
                            zone_id=zone.id,
                            zone_kind=zone.kind.value,
                            minute=minute,
                            samples=SAMPLES,
                            count_sum=count_sum,
                            count_max=-(-count_sum // SAMPLES) + rng.randint(0, 1),
                            seconds_observed=60.0,
                            visits=len(durations),
                            visit_seconds_sum=sum(durations),
                            visit_hist=DurationHistogram.of(durations),
                            t_first_s=0.0,
                            t_last_s=59.8,
                        )
                    )
                cams.append(
                    CameraMinute(cam.id, minute, SAMPLES, 60.0, 0.0, 0.0, 59.8, 6000.0 * rng.random(), 41.0, 200)
                )
            t = time.perf_counter()
            try:
                MinuteRepository(db).write_minutes(batch, cams, source=f"bench:{k}:{i}")
            except Exception as err:  # reported; the trial goes on
                errors.append(f"{type(err).__name__}: {err}"[:300])
                continue
            latencies[k].append((time.perf_counter() - t) * 1000)
            rows[k] += len(batch)
            cam_rows[k] += len(cams)
            i += 1

    threads = [threading.Thread(target=writer, args=(k,), daemon=True) for k in range(writers)]
    for th in threads:
        th.start()
    stop_at[0] = time.perf_counter() + seconds
    start = time.perf_counter()
    barrier.wait()
    for th in threads:
        th.join()
    wall = time.perf_counter() - start
    zone_count = sum(len(c.zones) for c in config.cameras)
    all_lat = [x for lat in latencies for x in lat]
    minute_rows = sum(rows)
    return {
        "writers": writers,
        "seconds": wall,
        "batches": len(all_lat),
        "rows_per_batch": minute_rows / len(all_lat) if all_lat else 0,
        "minute_rows": minute_rows,
        "camera_minute_rows": sum(cam_rows),
        "minute_rows_per_s": minute_rows / wall,
        "all_rows_per_s": (minute_rows + sum(cam_rows)) / wall,
        "minutes_of_all_cameras_per_s": minute_rows / zone_count / wall,
        "batch_ms_p50": quantile_ms(all_lat, 0.5) if all_lat else None,
        "batch_ms_p95": quantile_ms(all_lat, 0.95) if all_lat else None,
        "headroom_vs_1000_cameras": minute_rows / wall / ROWS_NEEDED_PER_S,
        "errors": errors[:5],
        "error_count": len(errors),
        "first_minute": first_minute.isoformat(),
        "cpu_other_load": os.getloadavg()[0],
    }


# -- scratch database -------------------------------------------------------------------------------


def create_postgres(url: str, reuse: bool) -> bool:
    """Create the database; True when it existed already (``reuse``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit("bench_storage measures PostgreSQL: give a postgresql+psycopg:// URL")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).first()
        if exists and not reuse:
            raise SystemExit(f"database {parsed.database} exists; drop it or pass --reuse")
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return exists is not None


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB" if n < 2**30 else f"{n / 2**30:,.2f} GB"


# -- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL URL; its database is created")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the database when it exists (generate if empty)")
    parser.add_argument("--up3s", type=int, default=5, help="UP3s under the UIW")
    parser.add_argument("--ulps-per-up3", type=int, default=5, help="ULPs under each UP3")
    parser.add_argument("--cameras-per-ulp", type=int, default=4, help="cameras per ULP (3 zones each)")
    parser.add_argument("--days", type=int, default=90, help="local days of data, ending today")
    parser.add_argument("--hours-per-day", type=float, default=12, help="hours of data a day")
    parser.add_argument("--first-hour", type=int, default=7, help="local hour the data of a day starts")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query")
    parser.add_argument("--report-repeat", type=int, default=5, help="timed runs per report (0: no reports)")
    parser.add_argument("--no-up3-report", action="store_true", help="time the ULP report only")
    parser.add_argument("--writers", default="4", help="writer threads, or a comma-separated list of trials")
    parser.add_argument("--write-seconds", type=float, default=20, help="seconds per write trial")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where the results go")
    args = parser.parse_args()
    writer_counts = [int(w) for w in args.writers.split(",") if w.strip()]

    tree = unit_tree(args)
    config = bench_config(tree, args.cameras_per_ulp)
    tz = ZoneInfo(TIMEZONE)
    zones_per_camera = len(ZONES)
    n_cameras = len(config.cameras)
    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "niceness": os.getpriority(os.PRIO_PROCESS, 0),
        },
        "scale": {
            "up3s": args.up3s,
            "ulps": len(tree.ulps),
            "cameras": n_cameras,
            "zones_per_camera": zones_per_camera,
            "days": args.days,
            "hours_per_day": args.hours_per_day,
            "first_local_hour": args.first_hour,
            "timezone": TIMEZONE,
        },
    }
    url = args.database_url
    existed = create_postgres(url, args.reuse)
    try:
        db = open_database(url)
        _renice_backends(db.engine)
        with db.engine.connect() as conn:
            version = str(conn.execute(text("SHOW server_version")).scalar())
            settings = {
                name: str(conn.execute(text(f"SHOW {name}")).scalar())
                for name in ("shared_buffers", "work_mem", "max_wal_size", "synchronous_commit")
            }
        results["machine"]["postgresql"] = version
        results["machine"]["settings"] = settings
        print(
            f"machine: {cpu_model()}, {os.cpu_count()} cores, load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}, Python {platform.python_version()}, "
            f"PostgreSQL {version} ({', '.join(f'{k} {v}' for k, v in settings.items())}); "
            f"niceness {results['machine']['niceness']}",
            flush=True,
        )
        sync_config(db, config)
        print(
            f"scale: 1 UIW > {args.up3s} UP3 > {len(tree.ulps)} ULPs > {n_cameras} cameras x {zones_per_camera} zones "
            f"(queue, counter customer, counter staff), {TIMEZONE}, service Mon-Sat 08:00-15:00",
            flush=True,
        )
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        first_have, _ = data_range(db)
        if existed and first_have is not None:
            print("reusing the database as it is (it holds minute rows): nothing generated", flush=True)
            results["generation"] = None
        else:
            days = plan_days(args.days, args.hours_per_day, args.first_hour, tz, now)
            made = make_month_partitions(db, days[0].start, days[-1].end)
            print(
                f"generating {len(days)} local days {days[0].day}..{days[-1].day}, {args.hours_per_day:g} h a day "
                f"from {args.first_hour:02d}:00 local (today up to now, {now:%H:%M} UTC); month partitions made "
                f"for the range: {', '.join(made) or 'none needed'}",
                flush=True,
            )
            gen = generate(db, tree, days, now)
            rows = gen["rows"]
            inserted = rows["minute_stats"] + rows["camera_minutes"]
            insert_s = gen["seconds"]["minute_stats"] + gen["seconds"]["camera_minutes"]
            gen["minute_insert_rows_per_s"] = inserted / insert_s if insert_s else None
            print(
                f"generated in {gen['total_s']:.0f} s: "
                + ", ".join(f"{n:,} {t} ({gen['seconds'][t]:.0f} s)" for t, n in rows.items()),
                flush=True,
            )
            print(
                f"server-side insert rate (INSERT ... SELECT, one statement per table and day, indexes, keys and "
                f"checks live): minute_stats {rows['minute_stats'] / gen['seconds']['minute_stats']:,.0f} rows/s, "
                f"camera_minutes {rows['camera_minutes'] / gen['seconds']['camera_minutes']:,.0f} rows/s",
                flush=True,
            )
            gen["vacuum_analyze_s"] = vacuum_analyze(db)
            print(f"VACUUM (ANALYZE) in {gen['vacuum_analyze_s']:.0f} s", flush=True)
            results["generation"] = gen
        first_minute, last_minute = data_range(db)
        assert first_minute is not None and last_minute is not None, "no minute rows"
        size = sizes(db)
        results["sizes"] = size
        ms = size["minute_stats"]
        print(
            f"data: minutes {first_minute:%Y-%m-%d %H:%M} .. {last_minute:%Y-%m-%d %H:%M} UTC; minute rows kept for "
            "the whole range (as with minute_rows_days >= the range), hourly roll-ups beside them for every "
            "complete hour (not final)",
            flush=True,
        )
        print(f"database size {_mb(size['database_bytes'])}", flush=True)
        print(f"{'table':16} {'rows':>12} {'partitions':>10} {'total':>10} {'heap':>10} {'indexes':>10} {'B/row':>6}")
        for table in ("minute_stats", "camera_minutes", "hourly_stats", "camera_events", "alerts"):
            t = size[table]
            print(
                f"{table:16} {t['rows']:12,d} {t['partitions'] or '-':>10} {_mb(t['total_bytes']):>10} "
                f"{_mb(t['heap_bytes']):>10} {_mb(t['index_bytes']):>10} {t['bytes_per_row'] or 0:6.0f}"
            )
        per_camera_year = ms["bytes_per_row"] * zones_per_camera * 12 * 60 * 365
        print(
            f"minute_stats: {ms['bytes_per_row']:.0f} bytes per minute row incl. indexes; a camera of "
            f"{zones_per_camera} zones 12 h a day keeps {_mb(per_camera_year)} a year of minute rows "
            f"(1,000 cameras: {per_camera_year * 1000 / 2**40:.1f} TB without retention)",
            flush=True,
        )

        days_in_data = sorted({d.astimezone(tz).date() for d in (first_minute, last_minute)})
        all_days = [days_in_data[0] + timedelta(days=i) for i in range((days_in_data[-1] - days_in_data[0]).days + 1)]
        counter = StatementCounter(db.engine)
        rng = random.Random(args.seed)

        # EXPLAIN evidence of partition pruning
        scope = tree.units
        cam0 = config.cameras[0].id
        mid = next((d for d in reversed(all_days[:-1]) if 5 <= d.day <= 25), all_days[0])
        month_first = next((d for d in all_days if d.day == 1 and d != all_days[0]), None)
        probes: list[tuple[str, Callable[[Session], Any]]] = [
            (
                f"minute rows of 1 local day ({mid})",
                lambda s: queries.minute_rows(s, cam0, None, *local_day_range(mid, tz), scope),
            ),
            (
                f"minute rows of 7 local days to {mid}",
                lambda s: queries.minute_rows(s, cam0, None, *local_day_range(mid - timedelta(days=6), tz, 7), scope),
            ),
            ("latest minute of each zone", lambda s: queries.zones_with_latest_minute(s, cam0, scope)),
        ]
        if month_first is not None and month_first + timedelta(days=2) in all_days[:-1]:
            across = month_first + timedelta(days=2)
            probes.insert(
                2,
                (
                    f"minute rows of 7 local days to {across} (across a month)",
                    lambda s: queries.minute_rows(
                        s, cam0, None, *local_day_range(across - timedelta(days=6), tz, 7), scope
                    ),
                ),
            )
        if month_first is not None:
            probes.insert(
                1,
                (
                    f"minute rows of 1 local day ({month_first}: starts 16:00 UTC the day before)",
                    lambda s: queries.minute_rows(s, cam0, None, *local_day_range(month_first, tz), scope),
                ),
            )
        with db.engine.connect() as conn:
            n_parts = len(monthly_partitions(conn, "minute_stats")) + 1
        print(f"\npartition pruning (EXPLAIN ANALYZE; minute_stats has {n_parts} partitions incl. the default one):")
        explain: dict[str, Any] = {}
        for label, probe in probes:
            found = explain_partitions(db, counter, probe)
            explain[label] = found
            for f in found:
                print(
                    f"  {label}: plan names {len(f['partitions_in_plan'])} "
                    f"({', '.join(f['partitions_in_plan'])}), runs {len(f['partitions_run'])}"
                    + (f", {f['subplans_removed']} removed at run time" if f["subplans_removed"] else "")
                )
        results["explain"] = explain

        cases = build_cases(args, tree, config, all_days)
        print(f"\ntiming the viewer's reads ({args.repeat} runs each, reports {args.report_repeat}), random picks:")
        for case in cases:
            t = time.perf_counter()
            time_case(db, counter, case, rng)
            print(
                f"  {case.name:28} p50 {quantile_ms(case.times_ms, 0.5):8.1f} ms  p95 "
                f"{quantile_ms(case.times_ms, 0.95):8.1f} ms  ({case.statements} statements, "
                f"{case.rows_fetched} rows fetched, {case.produced} {case.unit}; {time.perf_counter() - t:.0f} s)",
                flush=True,
            )
        results["reads"] = [
            {
                "case": c.name,
                "runs": len(c.times_ms),
                "p50_ms": quantile_ms(c.times_ms, 0.5),
                "p95_ms": quantile_ms(c.times_ms, 0.95),
                "mean_ms": statistics.fmean(c.times_ms),
                "min_ms": min(c.times_ms),
                "max_ms": max(c.times_ms),
                "statements": c.statements,
                "rows_fetched": c.rows_fetched,
                "produced": c.produced,
                "produced_unit": c.unit,
                "times_ms": c.times_ms,
            }
            for c in cases
        ]

        print(
            f"\nwrite rate: MinuteRepository.write_minutes, batches of one new minute,"
            f" {args.write_seconds:g} s per trial:"
        )
        results["writes"] = []
        for writers in writer_counts:
            _, last = data_range(db)
            assert last is not None
            trial = write_trial(db, config, writers, args.write_seconds, last + timedelta(minutes=1))
            results["writes"].append(trial)
            print(
                f"  {writers} writer(s), {n_cameras // writers}-{-(-n_cameras // writers)} cameras each: "
                f"{trial['batches']} batches of {trial['rows_per_batch']:.0f} minute rows (+ coverage), "
                f"{trial['minute_rows_per_s']:,.0f} minute rows/s ({trial['all_rows_per_s']:,.0f} rows/s with "
                f"coverage), {trial['minutes_of_all_cameras_per_s']:.2f} minutes of all {n_cameras} cameras/s, "
                f"batch p50 {trial['batch_ms_p50'] or 0:.1f} ms p95 {trial['batch_ms_p95'] or 0:.1f} ms; "
                f"{trial['headroom_vs_1000_cameras']:.0f}x the {ROWS_NEEDED_PER_S:.0f} rows/s of 1,000 cameras x 3 "
                f"zones" + (f"; {trial['error_count']} errors: {trial['errors'][0]}" if trial["error_count"] else ""),
                flush=True,
            )
    finally:
        if "db" in locals():
            db.close()
        if not args.keep:
            drop_postgres(url)
            print(f"dropped {make_url(url).database}", flush=True)

    print(
        f"\nsummary: {n_cameras} cameras x {zones_per_camera} zones, {len(all_days)} days, "
        f"{ms['rows']:,} minute rows ({_mb(ms['total_bytes'])}), database {_mb(size['database_bytes'])}"
    )
    print(f"{'query':30} {'runs':>5} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'stmts':>6} {'rows':>7}")
    for r in results["reads"]:
        print(
            f"{r['case']:30} {r['runs']:5d} {r['p50_ms']:9.1f} {r['p95_ms']:9.1f} {r['max_ms']:9.1f} "
            f"{r['statements']:6d} {r['rows_fetched']:7d}"
        )
    for w in results["writes"]:
        print(
            f"{'write_minutes, ' + str(w['writers']) + ' writers':30} {w['batches']:5d} {w['batch_ms_p50'] or 0:9.1f} "
            f"{w['batch_ms_p95'] or 0:9.1f} {'':9} {'':6} {'':7} -> {w['minute_rows_per_s']:,.0f} minute rows/s "
            f"({w['headroom_vs_1000_cameras']:.0f}x what 1,000 cameras need)"
        )
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str))
    print(f"results: {args.json}")


if __name__ == "__main__":
    sys.exit(main())

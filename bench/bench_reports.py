"""Benchmark of the periodic reports at a realistic scale (not a test).

Generates a database: a UP3 with ``--ulps`` ULPs x ``--cameras`` cameras x 5 zones (queue, waiting, loket customer
side linked to the queue, loket staff side linked to the loket, Satpam post), WITA, Monday to Friday 08:00-15:00.
The report month (``--month``) has minute rows for every zone and service minute (short outages leave gaps), camera
coverage, the hourly roll-ups retention keeps beside them and ``--alerts`` alerts. The month before holds the same
kind of data as final hourly rows only (retention deletes minute rows after 35 days, so that is what a report made
at the start of the next month finds), or as minute rows too with ``--previous minutes``. Rows are written with
SQLAlchemy core inserts in batches.

Then ``build_report`` is timed for one ULP and for the UP3, each also computing the previous period, each case in a
fresh process: the median wall time of ``--repeat`` runs, the process's peak RSS over those runs (and its RSS
before them), the peak of Python allocations during one more run under tracemalloc, and the statements
and rows one report reads from the database.

Usage:
    .venv/bin/python bench/bench_reports.py                   # a scratch SQLite file, removed afterwards
    .venv/bin/python bench/bench_reports.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/cvmon_bench
    .venv/bin/python bench/bench_reports.py --keep --sqlite /tmp/reports.db    # keep it ...
    .venv/bin/python bench/bench_reports.py --reuse --sqlite /tmp/reports.db   # ... and time it again

A PostgreSQL database named in ``--database-url`` is created (it must not exist) and dropped afterwards unless
``--keep``. Nothing here asserts a timing; on a busy machine every number moves.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import make_url

from cvmon.config import parse_config
from cvmon.config.models import Config
from cvmon.figures import SUMMED_FIGURES
from cvmon.histogram import NO_VISITS, DurationHistogram
from cvmon.storage import open_database
from cvmon.storage.config_history import sync_config
from cvmon.storage.models import AlertRecord, CameraMinuteRecord, HourlyStatRecord, MinuteStatRecord

SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]
SERVICE_UTC_HOURS = range(0, 7)  # 08:00-15:00 WITA (UTC+8)
UP3 = "up3-bench"
BATCH = 5000
FPS = 5
RULES = ("queue_long", "long_wait", "counter_unstaffed", "post_unstaffed", "over_capacity", "camera_offline")
CATEGORIES = ("coaching", "flow_change", "room_fix", "other")


# -- the generated organisation and data -----------------------------------------------------------


def ulp_ids(ulps: int) -> list[str]:
    return [f"ulp-{i:02d}" for i in range(1, ulps + 1)]


def bench_config(ulps: int, cameras: int) -> Config:
    """The UIW > UP3 > ULPs tree with ``cameras`` cameras of 5 zones per ULP."""
    units: list[dict[str, Any]] = [
        {"id": "uiw-bench", "name": "UIW Bench", "level": "uiw", "timezone": "Asia/Makassar"},
        {"id": UP3, "name": "UP3 Bench", "level": "up3", "parent": "uiw-bench"},
    ]
    cams: list[dict[str, Any]] = []
    for ulp in ulp_ids(ulps):
        units.append({"id": ulp, "name": ulp.upper(), "level": "ulp", "parent": UP3})
        for n in range(1, cameras + 1):
            zones = [
                {"id": "q", "kind": "queue", "capacity": 6, "points": SQUARE},
                {"id": "w", "kind": "waiting", "capacity": 12, "points": SQUARE},
                {"id": "c", "kind": "counter_customer", "queue": "q", "points": SQUARE},
                {"id": "s", "kind": "counter_staff", "counter": "c", "points": SQUARE},
                {"id": "p", "kind": "post", "points": SQUARE},
            ]
            cams.append({"id": f"{ulp}-cam-{n}", "unit": ulp, "source": f"/footage/{ulp}-{n}.mp4", "zones": zones})
    return parse_config({"units": units, "cameras": cams})


def month_days(month: date) -> list[date]:
    """The weekdays of a calendar month."""
    days, day = [], month.replace(day=1)
    while day.month == month.month:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def _breaks(rng: random.Random, minutes: int, count: int, longest: int) -> set[int]:
    """Minutes of the day (0-based from opening) inside ``count`` random breaks of up to ``longest`` minutes."""
    out: set[int] = set()
    for _ in range(count):
        start, length = rng.randrange(minutes), rng.randint(3, longest)
        out.update(range(start, min(start + length, minutes)))
    return out


def _zone_row(rng: random.Random, kind: str, mean: float, samples: int, capacity: int | None) -> dict[str, Any]:
    """Figures of one zone-minute with about ``mean`` people, on whole seconds so sums are exact in any order."""
    count_sum = max(0, round(rng.gauss(mean, 0.4 + mean / 4) * samples))
    count_max = math.ceil(count_sum / samples) + rng.randint(0, 1) if count_sum else 0
    seconds = samples / FPS
    over = float(rng.randint(0, int(seconds))) if capacity and count_max > capacity else 0.0
    visits = rng.randint(0, 2) if kind in ("queue", "waiting") else 0
    durations = [float(round(rng.expovariate(1 / 240))) for _ in range(visits)]
    return {
        "zone_kind": kind,
        "samples": samples,
        "count_sum": count_sum,
        "count_max": count_max,
        "seconds_observed": seconds,
        "seconds_staffed": 0.0,
        "seconds_offline": 60.0 - seconds,
        "seconds_over_capacity": over,
        "visits": len(durations),
        "visit_seconds_sum": float(sum(durations)),
        "visit_hist": DurationHistogram.of(durations).to_json(),
        "t_first_s": 0.0,
        "t_last_s": seconds - 0.2,
    }


def camera_day(rng: random.Random, day: date) -> Iterator[tuple[datetime, dict[str, dict[str, Any]]]]:
    """Per service minute of one camera-day: the minute and its zone rows (none while the camera was offline)."""
    minutes = len(SERVICE_UTC_HOURS) * 60
    outage = _breaks(rng, minutes, rng.choice((0, 0, 0, 1)), 25)
    half = _breaks(rng, minutes, 2, 4)  # minutes the stream came back part-way: 30 s observed
    staff_away = _breaks(rng, minutes, rng.randint(1, 3), 20)
    post_away = _breaks(rng, minutes, rng.randint(0, 2), 15)
    busy = 1.0 + rng.random()
    opening = datetime(day.year, day.month, day.day, SERVICE_UTC_HOURS[0], tzinfo=UTC)
    for i in range(minutes):
        minute = opening + timedelta(minutes=i)
        if i in outage:
            yield minute, {}
            continue
        samples = 150 if i in half else 300
        peak = busy * math.exp(-(((i - 120) / 150) ** 2))  # busiest around 10:00 WITA
        rows = {
            "q": _zone_row(rng, "queue", 3.5 * peak, samples, 6),
            "w": _zone_row(rng, "waiting", 1.0 + 6 * peak, samples, 12),
            "c": _zone_row(rng, "counter_customer", min(1.0, 0.3 + peak), samples, None),
            "s": _zone_row(rng, "counter_staff", 0.0 if i in staff_away else 1.0, samples, None),
            "p": _zone_row(rng, "post", 0.0 if i in post_away else 1.0, samples, None),
        }
        for zone, away in (("s", staff_away), ("p", post_away)):
            rows[zone]["seconds_staffed"] = 0.0 if i in away else rows[zone]["seconds_observed"]
        yield minute, rows


def _hourly(camera: str, zone: str, hour: datetime, rows: list[dict[str, Any]], final: bool) -> dict[str, Any]:
    values = {name: sum(r[name] for r in rows) for name in SUMMED_FIGURES}
    return {
        "camera_id": camera,
        "zone_id": zone,
        "hour": hour,
        "zone_kind": rows[0]["zone_kind"],
        "minutes": len(rows),
        "count_max": max(r["count_max"] for r in rows),
        "visit_hist": sum((DurationHistogram.from_json(r["visit_hist"]) for r in rows), NO_VISITS).to_json(),
        "final": final,
        **values,
    }


def _alerts(rng: random.Random, config: Config, days: list[date], count: int) -> list[dict[str, Any]]:
    out, seen = [], set()
    while len(out) < count:
        cam = rng.choice(config.cameras)
        rule = rng.choice(RULES)
        zone = {"queue_long": "q", "long_wait": "w", "counter_unstaffed": "s", "post_unstaffed": "p"}.get(rule, "")
        zone = "w" if rule == "over_capacity" else zone
        day = rng.choice(days)
        opened = datetime(day.year, day.month, day.day, rng.choice(SERVICE_UTC_HOURS), rng.randrange(60), tzinfo=UTC)
        if (cam.id, zone, rule, opened) in seen:
            continue
        seen.add((cam.id, zone, rule, opened))
        acked = opened + timedelta(seconds=rng.randint(30, 1800)) if rng.random() < 0.8 else None
        resolved = acked + timedelta(seconds=rng.randint(60, 3600)) if acked and rng.random() < 0.7 else None
        follow_up = rng.choice(CATEGORIES) if resolved and rng.random() < 0.8 else None
        out.append(
            {
                "rule": rule,
                "unit_id": cam.unit,
                "camera_id": cam.id,
                "zone_id": zone,
                "opened_at": opened,
                "open_value": 4.0,
                "peak_value": 5.0,
                "peak_at": opened + timedelta(minutes=1),
                "cleared_at": opened + timedelta(minutes=5),
                "escalated_at": None,
                "acked_at": acked,
                "acked_by": "pic" if acked else None,
                "resolved_at": resolved,
                "resolved_by": "pic" if resolved else None,
                "followup_category": follow_up,
                "followup_note": "Petugas ditambah" if follow_up else None,
            }
        )
    return out


def generate(url: str, args: argparse.Namespace) -> dict[str, int]:
    """Write the bench data into the (new, empty) database at ``url``; the rows written per table."""
    config = bench_config(args.ulps, args.cameras)
    db = open_database(url)
    configured = datetime.combine(previous_month(args.month), datetime.min.time(), UTC) - timedelta(days=1)
    sync_config(db, config, now=configured)  # configured throughout the data, as a deployment is
    counts = dict.fromkeys(("minute_stats", "camera_minutes", "hourly_stats", "alerts"), 0)
    rng = random.Random(args.seed)
    months = [(previous_month(args.month), args.previous == "minutes"), (args.month, True)]
    pending: dict[Any, list[dict[str, Any]]] = {MinuteStatRecord: [], CameraMinuteRecord: [], HourlyStatRecord: []}

    def flush(session: Any, force: bool = False) -> None:
        for model, rows in pending.items():
            if rows and (force or len(rows) >= BATCH):
                session.execute(insert(model), rows)
                counts[model.__tablename__] += len(rows)
                rows.clear()

    with db.transaction("cannot write bench data to", write=True) as session:
        for month, with_minutes in months:
            for day in month_days(month):
                for cam in config.cameras:
                    hours: dict[tuple[str, datetime], list[dict[str, Any]]] = {}
                    for minute, rows in camera_day(rng, day):
                        if with_minutes:
                            online = rows["q"]["seconds_observed"] if rows else 0.0
                            pending[CameraMinuteRecord].append(
                                {
                                    "camera_id": cam.id,
                                    "minute": minute,
                                    "frames_analysed": int(online * FPS),
                                    "seconds_online": online,
                                    "seconds_offline": 60.0 - online,
                                    "t_first_s": 0.0,
                                    "t_last_s": 59.8,
                                    "inference_ms_sum": 24.0 * online * FPS,
                                    "inference_ms_max": 41.5,
                                }
                            )
                        for zone, values in rows.items():
                            hours.setdefault((zone, minute.replace(minute=0)), []).append(values)
                            if with_minutes:
                                pending[MinuteStatRecord].append(
                                    {"camera_id": cam.id, "zone_id": zone, "minute": minute, **values}
                                )
                    final = not with_minutes
                    pending[HourlyStatRecord].extend(
                        _hourly(cam.id, zone, hour, rows, final) for (zone, hour), rows in hours.items()
                    )
                    flush(session)
            alerts = _alerts(rng, config, month_days(month), args.alerts)
            session.execute(insert(AlertRecord), alerts)
            counts["alerts"] += len(alerts)
        flush(session, force=True)
    if db.engine.dialect.name == "postgresql":  # the statistics autovacuum would gather after such a load
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    db.close()
    return counts


# -- timing, in a fresh process per case -----------------------------------------------------------


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS: now, VmHWM: peak), in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak_rss() -> None:
    """Start the peak RSS (VmHWM) afresh, so that it shows the reports, not the imports and migrations before."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def worker(url: str, args: argparse.Namespace, unit: str) -> dict[str, Any]:
    """Time ``build_report`` of ``unit`` for the month ``--repeat`` times, then measure what one report reads."""
    from cvmon.reports.report import build_report

    config = bench_config(args.ulps, args.cameras)
    scope = [u.id for u in config.units]  # the caller's units, already expanded to their subtrees
    first = args.month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    db = open_database(url)

    def report() -> Any:
        with db.transaction("bench", write=False) as session:
            return build_report(session, config, unit, scope, first, last)

    rss_before = _status_mb("VmRSS")
    _reset_peak_rss()
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        built = report()
        times.append(time.perf_counter() - t)
    peak_rss = _status_mb("VmHWM")

    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    report()
    event.remove(db.engine, "before_cursor_execute", record)
    with db.engine.connect() as conn:
        rows = sum(len(conn.exec_driver_sql(s, p).fetchall()) for s, p in statements)

    tracemalloc.start()
    report()
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    db.close()
    return {
        "unit": unit,
        "times_s": times,
        "median_s": statistics.median(times),
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss,
        "traced_peak_mb": traced_peak,
        "statements": len(statements),
        "rows_read": rows,
        "index": built.index.value,
        "previous_index": built.previous_index.value,
    }


def run_case(url: str, args: argparse.Namespace, unit: str) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--worker", unit, "--database-url", url, "--repeat", str(args.repeat)]
    argv += ["--ulps", str(args.ulps), "--cameras", str(args.cameras), "--month", args.month.strftime("%Y-%m")]
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"worker for {unit} failed (exit status {out.returncode}):\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# -- scratch databases ------------------------------------------------------------------------------


def create_postgres(url: str, reuse: bool) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}).first()
        if exists and not reuse:
            raise SystemExit(f"database {parsed.database} exists; drop it or pass --reuse")
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def drop_postgres(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def server_version(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            version = "PostgreSQL " + str(conn.execute(text("SHOW server_version")).scalar())
        else:
            version = "SQLite " + str(conn.execute(text("SELECT sqlite_version()")).scalar())
    engine.dispose()
    return version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a PostgreSQL URL whose database is created and dropped; default SQLite")
    parser.add_argument("--sqlite", type=Path, help="SQLite file to use (default: one in a scratch folder)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time a database generated before with the same scale")
    parser.add_argument("--ulps", type=int, default=10, help="ULPs under the UP3")
    parser.add_argument("--cameras", type=int, default=2, help="cameras per ULP (5 zones each)")
    parser.add_argument("--month", type=lambda s: datetime.strptime(s, "%Y-%m").date(), default=date(2026, 11, 1))
    parser.add_argument(
        "--previous", choices=("hourly", "minutes"), default="hourly", help="how the month before is kept"
    )
    parser.add_argument("--alerts", type=int, default=300, help="alerts per month")
    parser.add_argument("--repeat", type=int, default=3, help="timed reports per case (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.database_url, args, args.worker)))
        return

    scratch = None
    if args.database_url:
        url = args.database_url
        create_postgres(url, args.reuse)
    else:
        if args.sqlite is None and args.keep:
            args.sqlite = Path(tempfile.mkdtemp(prefix="cvmon-bench-reports-")) / "reports.db"
            print(f"keeping the database in {args.sqlite}", flush=True)
        elif args.sqlite is None:
            scratch = tempfile.TemporaryDirectory(prefix="cvmon-bench-reports-")
            args.sqlite = Path(scratch.name) / "reports.db"
        if args.sqlite.exists() and not args.reuse:
            raise SystemExit(f"{args.sqlite} exists; remove it or pass --reuse")
        url = f"sqlite:///{args.sqlite}"
    try:
        if args.reuse:
            print("reusing the database as it is", flush=True)
        else:
            t = time.perf_counter()
            counts = generate(url, args)
            written = ", ".join(f"{n} {table}" for table, n in counts.items())
            print(f"generated in {time.perf_counter() - t:.0f} s: {written}", flush=True)
        version = server_version(url)
        results = [run_case(url, args, unit) for unit in (ulp_ids(args.ulps)[0], UP3)]
    finally:
        if args.database_url and not args.keep:
            drop_postgres(url)
        if scratch is not None:
            scratch.cleanup()

    print(
        f"machine: {cpu_model()}, {os.cpu_count()} cores, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, Python {platform.python_version()}, "
        f"{version}"
    )
    print(
        f"data: UP3 of {args.ulps} ULPs x {args.cameras} cameras x 5 zones; report month {args.month:%Y-%m} in "
        f"minute rows, the month before in {args.previous.removesuffix('s')} rows; {args.repeat} runs per case, "
        "medians"
    )
    head = f"{'report (month + previous)':28} {'median s':>9} {'min s':>7} {'max s':>7} {'RSS before':>11}"
    print(f"{head} {'peak RSS':>9} {'traced peak':>12} {'queries':>8} {'rows read':>10} {'index':>6}")
    for r in results:
        print(
            f"{r['unit']:28} {r['median_s']:9.2f} {min(r['times_s']):7.2f} {max(r['times_s']):7.2f} "
            f"{r['rss_before_mb']:8.0f} MB {r['peak_rss_mb']:6.0f} MB {r['traced_peak_mb']:9.1f} MB "
            f"{r['statements']:8d} {r['rows_read']:10d} {r['index'] or 0:6.1f}"
        )


if __name__ == "__main__":
    main()

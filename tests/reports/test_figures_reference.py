"""The report's figures against a straightforward recomputation on a small generated dataset.

The report lets the database filter service hours and add up the minute rows; the reference here
reads every row as an ORM object and asks ``Config.in_service_hours`` about each, as the figures are
defined. The data is made to hit the edges: three time zones (one with a half-hour offset, so the
period does not start on a UTC hour; one whose clock goes back inside service hours, so that 02:15
and 02:30 happen twice), rows outside service hours, hourly roll-ups of hours with and without
minute rows (one of them straddling the end of the period), a camera whose unit has left the
configuration, empty minutes, means and staffed ratios exactly on the thresholds.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cvmon.config import parse_config
from cvmon.config.models import Config
from cvmon.config.rules import merge_layers
from cvmon.histogram import NO_VISITS, DurationHistogram
from cvmon.reports.figures import Period, UnitFigures, _hours_ranges, _p90, period_of
from cvmon.reports.report import build_report
from cvmon.storage import Database
from cvmon.storage.config_history import sync_config
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.models import CameraMinuteRecord, CameraRecord, HourlyStatRecord, MinuteStatRecord, ZoneRecord
from cvmon.types import ZoneKind
from tests.storage.conftest import make_camera_minute, make_minute_row

SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]
FIRST, LAST = date(2026, 10, 22), date(2026, 10, 25)  # Thursday to Sunday, India time
PERIOD_END = datetime(2026, 10, 25, 18, 30, tzinfo=UTC)  # Monday 00:00 IST
BERLIN_CLOCK_BACK = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 03:00 CEST becomes 02:00 CET
ZONES: dict[str, list[dict[str, Any]]] = {
    "cam-a1": [
        {"id": "q", "kind": "queue", "capacity": 4, "points": SQUARE},
        {"id": "w", "kind": "waiting", "capacity": 6, "points": SQUARE},
        {"id": "c", "kind": "counter_customer", "queue": "q", "points": SQUARE},
        {"id": "s", "kind": "counter_staff", "counter": "c", "points": SQUARE},
        {"id": "p", "kind": "post", "points": SQUARE},
    ],
    "cam-a2": [
        {"id": "w", "kind": "waiting", "points": SQUARE},
        {"id": "c", "kind": "counter_customer", "points": SQUARE},
        {"id": "s", "kind": "counter_staff", "counter": "c", "points": SQUARE},
    ],
    "cam-b": [
        {"id": "q", "kind": "queue", "capacity": 3, "points": SQUARE},
        {"id": "s", "kind": "counter_staff", "points": SQUARE},
        {"id": "p", "kind": "post", "points": SQUARE},
    ],
    "cam-gone": [
        {"id": "q", "kind": "queue", "points": SQUARE},
        {"id": "p", "kind": "post", "points": SQUARE},
    ],
}
UNITS: list[dict[str, Any]] = [
    {"id": "uiw", "name": "UIW", "level": "uiw", "timezone": "Asia/Kolkata"},
    {"id": "up3", "name": "UP3", "level": "up3", "parent": "uiw"},
    {
        "id": "ulp-a",
        "name": "ULP A",
        "level": "ulp",
        "parent": "up3",
        "service_hours": {"sat": ["20:00-24:00"], "sun": ["00:00-02:00", "20:00-24:00"]},
    },
    {
        "id": "ulp-b",
        "name": "ULP B",
        "level": "ulp",
        "parent": "up3",
        "timezone": "Europe/Berlin",
        "service_hours": {
            "mon": ["08:00-12:00", "13:00-17:30"],
            "sat": ["09:00-12:00"],
            "sun": ["01:30-02:15", "02:30-04:00"],
        },
    },
    {"id": "ulp-gone", "name": "ULP Gone", "level": "ulp", "parent": "up3"},
]
CAMERA_UNIT = {"cam-a1": "ulp-a", "cam-a2": "ulp-a", "cam-b": "ulp-b", "cam-gone": "ulp-gone"}


def _config(with_gone: bool) -> Config:
    cameras = [
        {
            "id": cam,
            "unit": unit,
            "source": f"/footage/{cam}.mp4",
            "zones": ZONES[cam],
            "rules": {"queue_long": {"threshold": 2, "clear_below": 1}, "long_wait": {"sla_s": 300}},
        }
        for cam, unit in CAMERA_UNIT.items()
        if with_gone or unit != "ulp-gone"
    ]
    units = [u for u in UNITS if with_gone or u["id"] != "ulp-gone"]
    return parse_config({"units": units, "cameras": cameras})


def _minutes(rng: random.Random) -> Iterator[datetime]:
    """Runs of minutes all over the two periods (day and night), and around the edges that matter."""
    start = datetime(2026, 10, 17, 18, 0, tzinfo=UTC)
    for _ in range(160):
        first = start + timedelta(minutes=rng.randrange(9 * 24 * 60))
        yield from (first + timedelta(minutes=i) for i in range(rng.randint(1, 6)))
    for edge in (PERIOD_END, BERLIN_CLOCK_BACK):
        yield from (edge + timedelta(minutes=i) for i in range(-120, 120))


def _zone_row(rng: random.Random, cam: str, zone: dict[str, Any], minute: datetime) -> Any:
    samples = rng.choice((0, 120, 300, 300))
    kind = ZoneKind(zone["kind"])
    observed = samples / 5
    count_sum = rng.choice((0, samples // 2, samples, 2 * samples, 3 * samples, rng.randrange(4 * samples + 1)))
    durations = tuple(float(rng.choice((20, 100, 299, 300, 700))) for _ in range(rng.randint(0, 2)))
    return make_minute_row(
        cam,
        zone["id"],
        minute,
        zone_kind=kind.value,
        samples=samples,
        count_sum=count_sum,
        count_max=count_sum // samples + rng.randint(0, 2) if samples else 0,
        seconds_observed=observed,
        seconds_staffed=rng.choice((0.0, observed / 4, observed / 2, observed)) if kind.measures_staffing else 0.0,
        seconds_offline=60.0 - observed,
        seconds_over_capacity=float(rng.randint(0, int(observed))) if zone.get("capacity") else 0.0,
        visit_durations=durations,
        t_first_s=0.0,
        t_last_s=59.8,
    )


def _hourly(cam: str, zone: dict[str, Any], hour: datetime, scale: int) -> dict[str, Any]:
    return {
        "camera_id": cam,
        "zone_id": zone["id"],
        "hour": hour,
        "zone_kind": zone["kind"],
        "minutes": 60,
        "samples": 18000,
        "count_sum": 9000 * scale,
        "count_max": 3 * scale,
        "seconds_observed": 3600.0,
        "seconds_staffed": 1800.0 * scale if ZoneKind(zone["kind"]).measures_staffing else 0.0,
        "seconds_offline": 0.0,
        "seconds_over_capacity": 60.0 * scale,
        "visits": 3,
        "visit_seconds_sum": 1000.0,
        "visit_hist": DurationHistogram.of((100.0, 200.0, 700.0)).to_json(),
        "final": True,
    }


@pytest.fixture
def generated(database: Database) -> tuple[Database, Config]:
    rng = random.Random(20261025)
    sync_config(database, _config(with_gone=True))
    minutes = sorted(set(_minutes(rng)))
    rows = [
        _zone_row(rng, cam, zone, m)
        for cam in ZONES
        for m in minutes
        if rng.random() < 0.7 and not (cam == "cam-a2" and PERIOD_END - timedelta(minutes=30) <= m < PERIOD_END)
        for zone in ZONES[cam]
        if rng.random() < 0.9
    ]  # cam-a2's last hour of the period has minute rows only after the period's end
    coverage = [
        make_camera_minute(cam, m, seconds_online=rng.choice((0.0, 30.0, 60.0))) for cam in ZONES for m in minutes
    ]
    MinuteRepository(database).write_minutes(rows, coverage, source="test")
    stored = {(r.camera_id, r.zone_id, r.minute.replace(minute=0)) for r in rows}
    hours = [datetime(2026, 10, 17, 18, tzinfo=UTC) + timedelta(hours=h) for h in range(9 * 24)]
    hourly = [
        _hourly(cam, zone, hour, scale=20 if (cam, zone["id"], hour) in stored else 1)  # 20: shows if misused
        for cam in ZONES
        for zone in ZONES[cam]
        for hour in hours
        if rng.random() < 0.35 or hour == PERIOD_END.replace(minute=0)
    ]
    with database.transaction("test", write=True) as session:
        session.execute(insert(HourlyStatRecord), hourly)
    return database, _config(with_gone=False)


# --- the reference ---------------------------------------------------------------------------------


def _threshold_and_sla(config: Config, cam_id: str, zone_id: str) -> tuple[int, float]:
    cam = next((c for c in config.cameras if c.id == cam_id), None)
    zone = next((z for z in cam.zones if z.id == zone_id), None) if cam else None
    rules = config.rules_for(cam, zone) if cam else merge_layers([config.defaults.rules])
    return int(rules.queue_long.threshold), float(rules.long_wait.sla_s)


def _runs(minutes: list[datetime]) -> tuple[int, int]:
    ordered = sorted(minutes)
    return sum(1 for i, m in enumerate(ordered) if i == 0 or m - ordered[i - 1] != timedelta(minutes=1)), len(ordered)


def _reference(session: Session, config: Config, subtree: list[str], period: Period) -> dict[str, Any]:
    """The figures computed the plain way: every row read, the service-hours test asked of each."""
    known = {u.id for u in config.units}
    cams = {c.id: c.unit_id for c in session.scalars(select(CameraRecord).where(CameraRecord.unit_id.in_(subtree)))}
    zones = {
        (z.camera_id, z.zone_id): z for z in session.scalars(select(ZoneRecord).where(ZoneRecord.camera_id.in_(cams)))
    }

    def counts(cam: str, ts: datetime) -> bool:
        return cams[cam] not in known or config.in_service_hours(cams[cam], ts)

    def in_period(model: Any, column: Any) -> Any:
        return select(model).where(model.camera_id.in_(cams), column >= period.start, column < period.end)

    minutes = list(session.scalars(in_period(MinuteStatRecord, MinuteStatRecord.minute)))
    covered = {(r.camera_id, r.zone_id, r.minute.replace(minute=0)) for r in minutes}
    minutes = [r for r in minutes if counts(r.camera_id, r.minute)]
    hours = [
        h
        for h in session.scalars(in_period(HourlyStatRecord, HourlyStatRecord.hour))
        if (h.camera_id, h.zone_id, h.hour) not in covered and counts(h.camera_id, h.hour)
    ]
    rows: dict[tuple[str, str], list[Any]] = defaultdict(list)
    at: dict[tuple[str, str, datetime], MinuteStatRecord] = {}
    for r in [*minutes, *hours]:
        rows[(r.camera_id, r.zone_id)].append(r)
    for r in minutes:
        at[(r.camera_id, r.zone_id, r.minute)] = r
    online = sum(
        c.seconds_online
        for c in session.scalars(in_period(CameraMinuteRecord, CameraMinuteRecord.minute))
        if counts(c.camera_id, c.minute)
    )

    def of_kind(*kinds: ZoneKind) -> list[tuple[str, str]]:
        return sorted(key for key, z in zones.items() if ZoneKind(z.kind) in kinds)

    def total(keys: list[tuple[str, str]], name: str) -> Any:
        return sum(getattr(r, name) for key in keys for r in rows[key])

    def max_count(key: tuple[str, str]) -> int:
        return max((r.count_max for r in rows[key]), default=0)

    def mean(r: Any) -> float | None:
        return r.count_sum / r.samples if r.samples else None

    queues = of_kind(ZoneKind.QUEUE)
    means = [(mean(r), key) for key in queues for r in minutes if (r.camera_id, r.zone_id) == key and r.samples]
    waits = of_kind(ZoneKind.QUEUE, ZoneKind.WAITING)
    hists = {key: sum((DurationHistogram.from_json(r.visit_hist) for r in rows[key]), NO_VISITS) for key in waits}
    visits = sum(h.total for h in hists.values())
    merged = sum(hists.values(), NO_VISITS)
    over_sla = sum((h.share_above(_threshold_and_sla(config, *key)[1]) or 0.0) * h.total for key, h in hists.items())
    staffing = []
    for key in of_kind(ZoneKind.COUNTER_STAFF, ZoneKind.POST):
        zone = zones[key]
        customer = zones.get((key[0], zone.counter_zone_id or ""))
        linked = [customer] if customer else []
        if customer and (key[0], customer.queue_zone_id or "") in zones:
            linked.append(zones[(key[0], customer.queue_zone_id or "")])
        linked_keys = [(z.camera_id, z.zone_id) for z in linked] or [w for w in waits if w[0] == key[0]]
        empty = [
            r.minute
            for r in minutes
            if (r.camera_id, r.zone_id) == key and r.seconds_observed and r.seconds_staffed / r.seconds_observed < 0.5
            if any((mean(at[(*k, r.minute)]) or 0.0) >= 0.5 for k in linked_keys if (*k, r.minute) in at)
        ]
        observed = total([key], "seconds_observed")
        staffed = total([key], "seconds_staffed") / observed if observed else None
        staffing.append((key, staffed, *_runs(empty)))
    occupancy = [
        (key, zones[key].capacity, total([key], "count_sum"), total([key], "samples"), max_count(key))
        for key in sorted(zones)
        if zones[key].capacity
    ]
    return {
        "cameras": len(cams),
        "online_s": online,
        "queue_mean": total(queues, "count_sum") / total(queues, "samples") if total(queues, "samples") else None,
        "queue_max": max((r.count_max for k in queues for r in rows[k]), default=None),
        "queue_p90": (
            statistics.quantiles([m for m, _ in means], n=10, method="inclusive")[-1]
            if len(means) > 1
            else (means[0][0] if means else None)
        ),
        "queue_over": sum(1 for m, key in means if m is not None and m >= _threshold_and_sla(config, *key)[0]),
        "queue_minutes": len(means),
        "visits": visits,
        "wait_p50": merged.quantile(0.5),
        "wait_p90": merged.quantile(0.9),
        "over_sla": over_sla / visits if visits else None,
        "staffing": staffing,
        "occupancy": occupancy,
    }


def _figures_as_reference(f: UnitFigures) -> dict[str, Any]:
    """The report's figures in the reference's shape."""
    service_s = f.coverage.service_hours * 3600
    return {
        "cameras": f.coverage.cameras,
        "online_s": f.coverage.observed_hours * 3600,
        "queue_mean": f.queue.mean,
        "queue_max": f.queue.max,
        "queue_p90": f.queue.p90,
        "queue_over": round((f.queue.share_over_threshold or 0.0) * f.queue.minutes),
        "queue_minutes": f.queue.minutes,
        "visits": f.wait.visits,
        "wait_p50": f.wait.p50_s,
        "wait_p90": f.wait.p90_s,
        "over_sla": f.wait.share_over_sla,
        "staffing": [
            ((s.camera_id, s.zone_id), s.staffed_share, s.episodes, s.episode_minutes) for s in f.staffing.zones
        ],
        "occupancy": [(z.camera_id, z.zone_id, z.capacity, z.mean, z.peak) for z in f.occupancy.zones],
        "_service_s": service_s,
    }


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if is_dataclass(value):
        return {f.name: _rounded(getattr(value, f.name)) for f in fields(value)}
    return value


@pytest.mark.parametrize("unit", ["up3", "ulp-a", "ulp-b", "ulp-gone"])
def test_figures_match_a_straightforward_recomputation(generated: tuple[Database, Config], unit: str) -> None:
    db, config = generated
    scope = [u["id"] for u in UNITS]
    subtree = {"up3": scope[1:]}.get(unit, [unit])
    with db.transaction("test", write=False) as session:
        report = build_report(session, config, unit, scope, FIRST, LAST)
        for period, figures in ((report.period, report.figures), (report.previous, report.previous_figures)):
            got = _figures_as_reference(figures)
            expected = _reference(session, _config(with_gone=True), subtree, period)  # the config stored
            service_s = got.pop("_service_s")
            if service_s:  # observed time is capped at the scheduled time
                expected["online_s"] = min(expected["online_s"], service_s)
            occupancy = []
            for key, capacity, count_sum, samples, count_max in expected["occupancy"]:
                shown = (count_sum / samples / capacity, count_max / capacity) if samples else (None, None)
                occupancy.append((*key, capacity, *shown))
            expected["occupancy"] = occupancy
            assert _rounded(got) == _rounded(expected), f"{unit}, {period.first}..{period.last}"


def test_the_data_reaches_the_edges(generated: tuple[Database, Config]) -> None:
    """The comparison above means something: the generated rows make every figure non-trivial."""
    db, config = generated
    scope = [u["id"] for u in UNITS]
    with db.transaction("test", write=False) as session:
        report = build_report(session, config, "up3", scope, FIRST, LAST)
    f = report.figures
    assert report.period.end == PERIOD_END and report.previous.start == PERIOD_END - timedelta(days=8)
    assert f.queue.minutes > 20 and f.queue.p90 is not None and 0 < (f.queue.share_over_threshold or 0) < 1
    assert f.wait.visits > 20 and f.staffing.episodes > 3 and f.coverage.observed_hours > 0
    assert report.previous_figures.queue.minutes > 20


@pytest.mark.parametrize(
    ("timezone", "first"),
    [
        ("Europe/Berlin", date(2026, 3, 28)),  # 02:00-03:00 does not happen on the 29th
        ("Europe/Berlin", date(2026, 10, 24)),  # 02:00-03:00 happens twice on the 25th
        ("Australia/Lord_Howe", date(2026, 4, 4)),  # half an hour back on the 5th
        ("America/St_Johns", date(2026, 3, 7)),  # UTC-3:30, an hour forward on the 8th
        ("Asia/Kolkata", date(2026, 10, 22)),
    ],
)
def test_service_ranges_hold_exactly_the_service_minutes(timezone: str, first: date) -> None:
    every_day = ["00:00-00:30", "01:30-02:15", "02:30-04:00", "12:00-24:00"]
    hours = {day: every_day for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    unit = {"id": "u", "name": "U", "level": "ulp", "timezone": timezone, "service_hours": hours}
    config = parse_config({"units": [unit], "cameras": []})
    period = period_of(first, first + timedelta(days=2), ZoneInfo("Asia/Makassar"))
    start, end = period.start.astimezone(UTC), period.end.astimezone(UTC)
    ranges = _hours_ranges(config.unit_service_hours("u"), config.unit_timezone("u"), start, end)
    assert ranges is not None
    minute = period.start.astimezone(UTC)
    while minute < period.end:
        assert any(a <= minute < b for a, b in ranges) == config.in_service_hours("u", minute), minute
        minute += timedelta(minutes=1)


@pytest.mark.parametrize("size", [1, 2, 3, 10, 11, 97, 1000])
def test_p90_of_counted_values_is_that_of_the_list(size: int) -> None:
    rng = random.Random(size)
    values = [rng.choice((0.0, 0.5, 1 / 3, 1.25, 2.0, 3.5, 7.0)) for _ in range(size)]
    expected = values[0] if size == 1 else statistics.quantiles(values, n=10, method="inclusive")[-1]
    assert _p90(Counter(values)) == expected
    assert _p90(Counter()) is None

"""What moves satisfaction: Spearman's rho and its interval, checked on pairs and on a constructed database
whose relation is known."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest

from cvmon.config import parse_config
from cvmon.config.models import Config
from cvmon.imports.ratings import RATING_COLUMNS
from cvmon.imports.run import import_ratings
from cvmon.imports.table import text_records
from cvmon.reports.rank_correlation import MIN_PAIRS, ranks, spearman
from cvmon.reports.report import build_report
from cvmon.storage import Database
from cvmon.storage.audit import AuditActor
from cvmon.storage.config_history import sync_config
from cvmon.storage.minutes import MinuteRepository
from tests.imports.conftest import RATING_HEADER, UNITS, csv_text
from tests.reports.conftest import CONFIG
from tests.storage.conftest import make_minute_row

Z95 = 1.959963984540054  # the normal distribution's 97.5 % quantile


def _fisher(rho: float, n: int) -> tuple[float, float]:
    se = math.sqrt(1.06 / (n - 3))
    return math.tanh(math.atanh(rho) - Z95 * se), math.tanh(math.atanh(rho) + Z95 * se)


def test_ranks_share_ties() -> None:
    assert ranks([10.0, 30.0, 20.0, 20.0, 5.0]) == [2.0, 5.0, 3.5, 3.5, 1.0]


def test_rho_of_pairs_without_ties_is_the_textbook_formula() -> None:
    # x 1..12 against y falling, with two neighbours swapped: sum of d squared = 2 against the reversed order
    x = [float(i) for i in range(12)]
    y = [float(100 - i) for i in range(12)]
    y[4], y[5] = y[5], y[4]
    found = spearman(x, y)
    expected = -(1 - 6 * 2 / (12 * (12**2 - 1)))
    assert found.rho == pytest.approx(expected)
    low, high = _fisher(expected, 12)
    assert (found.low, found.high) == (pytest.approx(low), pytest.approx(high))
    assert (found.n, found.verdict, found.strength) == (12, "negative", "strong")


def test_no_relation_gives_an_interval_around_zero() -> None:
    # y is x with every other pair swapped far apart: rho = 0.0152, interval straddles zero
    x = [float(i) for i in range(12)]
    y = [5.0, 9.0, 0.0, 11.0, 3.0, 7.0, 1.0, 10.0, 2.0, 6.0, 8.0, 4.0]
    found = spearman(x, y)
    d2 = sum((a - b) ** 2 for a, b in zip(ranks(x), ranks(y), strict=True))
    assert found.rho == pytest.approx(1 - 6 * d2 / (12 * 143))
    assert found.low is not None and found.high is not None and found.low < 0 < found.high
    assert found.verdict == "unclear"


@pytest.mark.parametrize(
    ("x", "y", "verdict", "has_rho"),
    [
        ([1.0, 2.0, 3.0], [3.0, 2.0, 1.0], "too_few", True),
        ([float(i) for i in range(MIN_PAIRS - 1)], [float(i) for i in range(MIN_PAIRS - 1)], "too_few", True),
        ([1.0] * 12, [float(i) for i in range(12)], "no_variation", False),
        ([], [], "too_few", False),
    ],
)
def test_small_or_flat_samples_say_so(x: list[float], y: list[float], verdict: str, has_rho: bool) -> None:
    found = spearman(x, y)
    assert found.verdict == verdict
    assert (found.rho is not None) is has_rho
    assert found.low is None and found.high is None


# --- a constructed period: day i has i of its 12 queue minutes over the threshold, CSAT falls with i ----------

DAYS = [
    date(2026, 11, 2) + timedelta(days=d) for d in range(16) if (date(2026, 11, 2) + timedelta(days=d)).weekday() < 5
]


def _seed(db: Database, days: list[date]) -> Config:
    config = parse_config(CONFIG)
    sync_config(db, config)
    rows = []
    for i, day in enumerate(days):
        start = datetime.combine(day, time(1, 0), UTC)  # 09:00 WITA
        for m in range(12):
            mean_people = 3 if m < i else 1  # the queue threshold is 3
            rows.append(
                make_minute_row(
                    "cam-a",
                    "q",
                    start + timedelta(minutes=m),
                    zone_kind="queue",
                    samples=300,
                    count_sum=300 * mean_people,
                    count_max=mean_people,
                    visit_durations=(),
                )
            )
    MinuteRepository(db).write_minutes(rows, source="test")
    csat = [4.6 - 0.1 * i for i in range(len(days))]
    if len(csat) > 5:
        csat[4], csat[5] = csat[5], csat[4]
    ratings = [
        ["ulp-ampenan", day.isoformat(), "app", "", 20, round(csat[i], 2), 12 - i, 0, i, "", ""]
        for i, day in enumerate(days)
    ]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    records = text_records(csv_text(RATING_HEADER, ratings), RATING_COLUMNS, "r.csv")
    import_ratings(db, records, UNITS, AuditActor("cli:test"), now, "r.csv")
    return config


def test_the_report_finds_the_constructed_relation_and_says_what_it_cannot_tell(database: Database) -> None:
    assert len(DAYS) == 12
    config = _seed(database, DAYS)
    with database.transaction("read", write=False) as session:
        report = build_report(session, config, "ulp-ampenan", UNITS, DAYS[0], DAYS[-1])
    assert report.customer is not None
    s = report.customer.satisfaction
    assert [(p.day, p.figures["queue_over_pct"]) for p in s.points] == [
        (day, pytest.approx(100 * i / 12)) for i, day in enumerate(DAYS)
    ]
    assert s.units == 1
    queue_csat = s.relation("queue_over_pct", "csat").correlation
    expected = -(1 - 6 * 2 / (12 * 143))  # as in the pairs above: one neighbouring swap
    assert queue_csat.rho == pytest.approx(expected)
    low, high = _fisher(expected, 12)
    assert (queue_csat.low, queue_csat.high) == (pytest.approx(low), pytest.approx(high))
    assert queue_csat.verdict == "negative"
    queue_nps = s.relation("queue_over_pct", "nps").correlation  # NPS 100 x (12 - 2i) / 12, falling strictly
    assert queue_nps.rho == pytest.approx(-1.0) and queue_nps.verdict == "negative"
    # no visit ended in the queue and no staff zone has a minute: not measured, so no points, not zeros
    assert s.relation("wait_p90_min", "csat").correlation.n == 0
    assert s.relation("unstaffed_minutes", "nps").correlation.verdict == "too_few"


def test_a_short_period_is_too_small_to_say_anything(database: Database) -> None:
    config = _seed(database, DAYS[:5])
    with database.transaction("read", write=False) as session:
        report = build_report(session, config, "ulp-ampenan", UNITS, DAYS[0], DAYS[4])
    assert report.customer is not None
    k = report.customer.satisfaction.relation("queue_over_pct", "csat").correlation
    assert (k.n, k.verdict, k.low) == (5, "too_few", None)

"""Every figure and the index of a seeded Monday, each checked against a value worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from cvmon.config.models import Config
from cvmon.reports.report import ReportError, UnitNotFound, build_report
from cvmon.storage import Database

ALL = ["uiw-ntb", "up3-mataram", "ulp-ampenan", "ulp-cakra"]
MONDAY = date(2026, 11, 23)


def _report(report_db: tuple[Database, Config], unit: str = "ulp-ampenan", scope: list[str] = ALL):  # type: ignore[no-untyped-def]
    db, config = report_db
    with db.transaction("test", write=False) as session:
        return build_report(session, config, unit, scope, MONDAY, MONDAY)


def test_coverage_counts_service_hours_only(report_db: tuple[Database, Config]) -> None:
    cov = _report(report_db).figures.coverage
    # Monday 08:00-15:00 = 7 h scheduled for the one camera; 3 analysed minutes inside it (the 16:00 one is not).
    assert cov.cameras == 1
    assert cov.service_hours == pytest.approx(7.0)
    assert cov.observed_hours == pytest.approx(180 / 3600)
    assert cov.share == pytest.approx(180 / 25200)


def test_queue_figures(report_db: tuple[Database, Config]) -> None:
    queue = _report(report_db).figures.queue
    # Means 1, 3, 2 (the after-hours 10 is left out): mean (300+900+600)/900 = 2.0, max 4.
    assert queue.mean == pytest.approx(2.0)
    assert queue.max == 4
    # p90 of [1, 2, 3] by linear interpolation between order statistics: 2 + 0.8 * (3 - 2) = 2.8.
    assert queue.p90 == pytest.approx(2.8)
    # Threshold 3 (camera rule): one minute of three at or above it.
    assert queue.share_over_threshold == pytest.approx(1 / 3)
    assert queue.thresholds == (3,)
    assert queue.minutes == 3


def test_wait_figures(report_db: tuple[Database, Config]) -> None:
    wait = _report(report_db).figures.wait
    # Visits 60 s, 120 s, 1000 s: p50 120 s, p90 120 + 0.8 * (1000 - 120) = 824 s (linear between order
    # statistics), read from the histogram within 2 %.
    assert wait.visits == 3
    assert wait.p50_s == pytest.approx(120.0, rel=0.02)
    assert wait.p90_s == pytest.approx(824.0, rel=0.02)
    # SLA 600 s: only the 1000 s visit is over.
    assert wait.share_over_sla == pytest.approx(1 / 3)
    assert wait.sla_s == (600.0,)


def test_staffing_figures_and_unstaffed_episodes(report_db: tuple[Database, Config]) -> None:
    staffing = _report(report_db).figures.staffing
    zones = {z.zone_id: z for z in staffing.zones}
    # Counter s: staffed 60 of 180 s; unstaffed in minutes 2 and 3 while the queue held 3 and 2 people: one run of 2.
    assert zones["s"].staffed_share == pytest.approx(60 / 180)
    assert (zones["s"].episodes, zones["s"].episode_minutes) == (1, 2)
    # Post p: 140 of 180 s; minute 3 (20 s) unstaffed while the waiting zone held 2: one run of 1.
    assert zones["p"].staffed_share == pytest.approx(140 / 180)
    assert (zones["p"].episodes, zones["p"].episode_minutes) == (1, 1)
    assert staffing.staffed_share == pytest.approx(200 / 360)
    assert (staffing.episodes, staffing.episode_minutes) == (2, 3)


def test_occupancy_figures(report_db: tuple[Database, Config]) -> None:
    occupancy = _report(report_db).figures.occupancy
    zones = {z.zone_id: z for z in occupancy.zones}
    # Waiting w, capacity 3: mean (1050+600+600)/900 = 2.5 people = 0.8333; peak 4/3; 30 of 180 s over.
    assert zones["w"].mean == pytest.approx(2.5 / 3)
    assert zones["w"].peak == pytest.approx(4 / 3)
    assert zones["w"].share_over_capacity == pytest.approx(30 / 180)
    # Queue q, capacity 4: mean 2.0 = 0.5, peak 4/4, never over.
    assert (zones["q"].mean, zones["q"].peak, zones["q"].share_over_capacity) == pytest.approx((0.5, 1.0, 0.0))
    assert occupancy.share_over_capacity == pytest.approx(30 / 360)


def test_alert_figures(report_db: tuple[Database, Config]) -> None:
    alerts = _report(report_db).figures.alerts
    # Three alerts on Monday (the Sunday one belongs to the previous period).
    assert alerts.total == 3
    assert alerts.per_rule == {"camera_offline": 1, "counter_unstaffed": 1, "queue_long": 1}
    assert alerts.median_ack_s == pytest.approx(90.0)  # acknowledged after 120 s and 60 s
    assert alerts.median_resolve_s == pytest.approx(600.0)
    assert alerts.resolved == 1
    assert alerts.with_follow_up_share == pytest.approx(1 / 3)
    assert alerts.categories == {"coaching": 1}


def test_index_category_change_and_quick_wins(report_db: tuple[Database, Config]) -> None:
    report = _report(report_db)
    scores = {a.aspect: a.score for a in report.index.aspects}
    # waiting 100*(1-1/3), queue 100*(1-1/3), staffing 100*200/360, comfort 100*(1-30/360), follow-up 100/3.
    assert scores == {
        "waiting": 66.7,
        "queue": 66.7,
        "staffing": 55.6,
        "comfort": 91.7,
        "follow_up": 33.3,
        "room": None,
        "behaviour": None,
    }
    # Default weights 0.3, 0.2, 0.3, 0.1, 0.1: 20.01 + 13.34 + 16.68 + 9.17 + 3.33 = 62.53.
    assert report.index.value == 62.5
    assert report.index.category == "fair"  # 60 <= 62.5 < 75
    # Sunday: no service hours, so only the unresolved Sunday alert counts: follow-up 0 %, index 0.
    assert report.previous.first == date(2026, 11, 22)
    assert report.previous_index.value == 0.0
    assert report.change == 62.5
    # Default targets 90, 90, 95, 95, 90: every aspect is below its own, lowest first; waiting and queue tie at
    # 66.7 and the heavier waiting (0.3 against 0.2) comes first.
    assert [a.aspect for a in report.quick_wins] == ["follow_up", "staffing", "waiting", "queue", "comfort"]
    assert [(a.target, a.shortfall) for a in report.quick_wins] == [
        (90.0, 56.7),
        (95.0, 39.4),
        (90.0, 23.3),
        (90.0, 23.3),
        (95.0, 3.3),
    ]


def _with_reports(config: Config, **changes: object) -> Config:
    return config.model_copy(
        update={"reports": config.reports.model_validate({**config.reports.model_dump(), **changes})}
    )


def test_quick_wins_are_only_the_aspects_below_their_target(report_db: tuple[Database, Config]) -> None:
    db, config = report_db
    # Scores: waiting 66.7, queue 66.7, staffing 55.6, comfort 91.7, follow-up 33.3. Comfort reaches its target
    # exactly, staffing passes it, so neither is a quick win; the others are, lowest score first.
    targets = {"waiting": 70, "queue": 80, "staffing": 50, "comfort": 91.7, "follow_up": 100}
    with db.transaction("test", write=False) as session:
        report = build_report(session, _with_reports(config, targets=targets), "ulp-ampenan", ALL, MONDAY, MONDAY)
    wins = [(a.aspect, a.score, a.target) for a in report.quick_wins]
    assert wins == [("follow_up", 33.3, 100.0), ("waiting", 66.7, 70.0), ("queue", 66.7, 80.0)]
    assert {a.aspect: a.below_target for a in report.index.aspects} == {
        "waiting": True,
        "queue": True,
        "staffing": False,
        "comfort": False,
        "follow_up": True,
        "room": False,  # no room data: never a quick win
        "behaviour": False,  # no greeting camera: never a quick win
    }
    # Lowered targets everywhere: nothing to fix first, though the index is the same.
    with db.transaction("test", write=False) as session:
        relaxed = _with_reports(config, targets=dict.fromkeys(targets, 30))
        report = build_report(session, relaxed, "ulp-ampenan", ALL, MONDAY, MONDAY)
    assert report.quick_wins == () and report.index.value == 62.5


def test_an_aspect_without_data_or_weight_is_no_quick_win(report_db: tuple[Database, Config]) -> None:
    db, config = report_db
    weights = {"waiting": 0.3, "queue": 0.2, "staffing": 0, "comfort": 0.1, "follow_up": 0.1}
    with db.transaction("test", write=False) as session:
        report = build_report(session, _with_reports(config, weights=weights), "ulp-ampenan", ALL, MONDAY, MONDAY)
        cakra = build_report(session, config, "ulp-cakra", ALL, MONDAY, MONDAY)
    assert "staffing" not in [a.aspect for a in report.quick_wins]  # weighted 0: not part of the index
    assert cakra.index.value is None and cakra.quick_wins == ()  # no camera, no alerts: no aspect has data


def test_rolled_up_report_ranks_the_children(report_db: tuple[Database, Config]) -> None:
    report = _report(report_db, "up3-mataram")
    assert report.index.value == 62.5  # the only camera is Ampenan's
    assert [(r.unit_id, r.index) for r in report.ranking] == [("ulp-ampenan", 62.5), ("ulp-cakra", None)]
    assert report.ranking[0].change == 62.5


def test_weights_from_config_change_the_index(report_db: tuple[Database, Config]) -> None:
    db, config = report_db
    weighted = config.model_copy(
        update={
            "reports": config.reports.model_copy(
                update={"weights": config.reports.weights.model_copy(update={"waiting": 0, "queue": 0, "follow_up": 0})}
            )
        }
    )
    with db.transaction("test", write=False) as session:
        report = build_report(session, weighted, "ulp-ampenan", ALL, MONDAY, MONDAY)
    # staffing 55.6 and comfort 91.7 weighted 0.3 and 0.1: (16.68 + 9.17) / 0.4 = 64.6.
    assert report.index.value == 64.6


def test_scope_and_period_are_checked(report_db: tuple[Database, Config]) -> None:
    with pytest.raises(UnitNotFound):
        _report(report_db, "ulp-ampenan", scope=["ulp-cakra"])
    with pytest.raises(UnitNotFound):
        _report(report_db, "up3-mataram", scope=["ulp-ampenan"])  # a unit above the caller's
    db, config = report_db
    with db.transaction("test", write=False) as session, pytest.raises(ReportError, match="ends"):
        build_report(session, config, "ulp-ampenan", ALL, MONDAY, date(2026, 11, 1))


@pytest.mark.parametrize(
    ("first", "last", "prev_first", "prev_last"),
    [
        (date(2026, 11, 1), date(2026, 11, 30), date(2026, 10, 1), date(2026, 10, 31)),  # a whole month
        (date(2026, 11, 1), date(2026, 11, 23), date(2026, 10, 1), date(2026, 10, 23)),  # month to date
        (date(2026, 3, 1), date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 30), date(2026, 2, 1), date(2026, 2, 28)),  # clipped to February
        (date(2026, 11, 16), date(2026, 11, 22), date(2026, 11, 9), date(2026, 11, 15)),  # a week
    ],
)
def test_previous_period(first: date, last: date, prev_first: date, prev_last: date) -> None:
    from zoneinfo import ZoneInfo

    from cvmon.reports.figures import period_of, previous_period

    tz = ZoneInfo("Asia/Makassar")
    before = previous_period(period_of(first, last, tz), tz)
    assert (before.first, before.last) == (prev_first, prev_last)

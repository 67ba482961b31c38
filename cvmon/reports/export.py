"""A report as JSON and as CSV (one figure per row, with the previous period beside it)."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime, time
from typing import Any

from cvmon.reports.behaviour import BehaviourFigures
from cvmon.reports.customer import CustomerView
from cvmon.reports.figures import UnitFigures
from cvmon.reports.report import UnitReport

CSV_COLUMNS = ("section", "item", "value", "previous")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def report_json(report: UnitReport) -> dict[str, Any]:
    """Every figure of the report as plain JSON values (times in ISO 8601)."""
    out = _plain(dataclasses.asdict(report))
    out["change"] = report.change
    for name, behaviour in (("behaviour", report.behaviour), ("previous_behaviour", report.previous_behaviour)):
        out[name].update(_behaviour_shares(behaviour))
        for plain, zone in zip(out[name]["zones"], behaviour.zones, strict=True):
            plain.update(
                greeted_share=zone.greeted_share, unseen_share=zone.unseen_share, seated_share=zone.seated_share
            )
    if report.customer is not None:
        for plain, relation in zip(
            out["customer"]["satisfaction"]["relations"], report.customer.satisfaction.relations, strict=True
        ):
            plain["correlation"]["verdict"] = relation.correlation.verdict
            plain["correlation"]["strength"] = relation.correlation.strength
    return dict(out)


def _rows(figures: UnitFigures) -> list[tuple[str, str, Any]]:
    """(section, item, value) of every scalar figure, in a stable order."""
    f = figures
    rows: list[tuple[str, str, Any]] = [
        ("coverage", "cameras", f.coverage.cameras),
        ("coverage", "service_hours", f.coverage.service_hours),
        ("coverage", "observed_hours", f.coverage.observed_hours),
        ("coverage", "share_online", f.coverage.share),
        ("queue", "zones", f.queue.zones),
        ("queue", "mean_length", f.queue.mean),
        ("queue", "p90_length", f.queue.p90),
        ("queue", "max_length", f.queue.max),
        ("queue", "share_over_threshold", f.queue.share_over_threshold),
        ("wait", "visits", f.wait.visits),
        ("wait", "p50_s", f.wait.p50_s),
        ("wait", "p90_s", f.wait.p90_s),
        ("wait", "share_over_sla", f.wait.share_over_sla),
        ("staffing", "staffed_share", f.staffing.staffed_share),
        ("staffing", "unstaffed_episodes_with_customers", f.staffing.episodes),
        ("staffing", "unstaffed_minutes_with_customers", f.staffing.episode_minutes),
    ]
    for z in f.staffing.zones:
        rows.append(("staffing", f"{z.camera_id}/{z.zone_id} staffed_share", z.staffed_share))
        rows.append(("staffing", f"{z.camera_id}/{z.zone_id} unstaffed_episodes", z.episodes))
    rows.append(("occupancy", "share_over_capacity", f.occupancy.share_over_capacity))
    for o in f.occupancy.zones:
        rows.append(("occupancy", f"{o.camera_id}/{o.zone_id} mean", o.mean))
        rows.append(("occupancy", f"{o.camera_id}/{o.zone_id} peak", o.peak))
        rows.append(("occupancy", f"{o.camera_id}/{o.zone_id} share_over_capacity", o.share_over_capacity))
    rows += [
        ("alerts", "total", f.alerts.total),
        ("alerts", "median_ack_s", f.alerts.median_ack_s),
        ("alerts", "median_resolve_s", f.alerts.median_resolve_s),
        ("alerts", "resolved", f.alerts.resolved),
        ("alerts", "with_follow_up_share", f.alerts.with_follow_up_share),
    ]
    rows += [("alerts", f"rule {rule}", n) for rule, n in f.alerts.per_rule.items()]
    rows += [("alerts", f"follow_up {category}", n) for category, n in f.alerts.categories.items()]
    return rows


def customer_rows(customer: CustomerView) -> list[tuple[str, str, Any]]:
    """(section, item, value) of the imported ratings, mystery-shopper scores and their relations."""
    rows: list[tuple[str, str, Any]] = []
    for r in (customer.ratings, *customer.channels) if customer.ratings else ():
        name = "all" if r is customer.ratings else f"{r.channel or 'all'}/{r.service or 'all'}"
        rows += [
            ("ratings", f"{name} csat_mean", r.csat_mean),
            ("ratings", f"{name} csat_answers", r.csat_count),
            ("ratings", f"{name} nps", r.nps),
            ("ratings", f"{name} nps_answers", r.nps_answers),
            ("ratings", f"{name} ces_mean", r.ces_mean),
            ("ratings", f"{name} ces_answers", r.ces_count),
        ]
    if customer.visits:
        rows += [
            ("mystery_shopper", "index", customer.shopper_index),
            ("mystery_shopper", "visits", len(customer.visits)),
        ]
    for tp in customer.touchpoints:
        rows.append(("mystery_shopper", f"touchpoint {tp.touchpoint} score", tp.score))
        rows.append(("mystery_shopper", f"touchpoint {tp.touchpoint} staffed_share", tp.staffed_share))
    rows += [("mystery_shopper", f"aspect {a.touchpoint}/{a.aspect}", a.score) for a in customer.aspects]
    for rel in customer.satisfaction.relations if customer.ratings else ():
        k, name = rel.correlation, f"{rel.figure} vs {rel.outcome}"
        rows += [
            ("satisfaction", f"{name} n", k.n),
            ("satisfaction", f"{name} spearman_rho", k.rho),
            ("satisfaction", f"{name} ci95_low", k.low),
            ("satisfaction", f"{name} ci95_high", k.high),
            ("satisfaction", f"{name} verdict", k.verdict),
        ]
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _room_rows(report: UnitReport) -> list[tuple[str, int, int]]:
    """The room aspect's figures (``cvmon.reports.room``), now and before."""
    now, before = report.room, report.previous_room
    return [
        ("days_checked_at_opening", now.days, before.days),
        ("days_ready_at_opening", now.days_ready, before.days_ready),
        ("service_hours_of_those_days", now.service_hours, before.service_hours),
        ("hours_with_changes", now.hours_changed, before.hours_changed),
    ]


def _behaviour_shares(b: BehaviourFigures) -> dict[str, Any]:
    """The behaviour aspect's derived figures (the counts are fields)."""
    return {
        "judged": b.judged,
        "greeted_share": b.greeted_share,
        "unseen_share": b.unseen_share,
        "seated_share": b.seated_share,
        "score": b.score,
    }


def _behaviour_rows(b: BehaviourFigures) -> list[tuple[str, Any]]:
    """(item, value) of the behaviour aspect's figures (``cvmon.reports.behaviour``), then per staff zone."""
    rows: list[tuple[str, Any]] = [
        ("arrivals_judged", b.arrivals),
        ("greeted", b.greeted),
        ("not_greeted", b.missed),
        ("not_visible", b.unseen),
        ("greeted_share", b.greeted_share),
        ("not_visible_share", b.unseen_share),
        ("arrivals_at_counters_with_a_seat", b.seat_arrivals),
        ("seated", b.seated),
        ("seated_share", b.seated_share),
    ]
    for z in b.zones:
        name = f"{z.camera_id}/{z.zone_id}"
        rows += [
            (f"{name} arrivals_judged", z.arrivals),
            (f"{name} greeted_share", z.greeted_share),
            (f"{name} not_visible_share", z.unseen_share),
            (f"{name} seated_share", z.seated_share),
        ]
    return rows


def report_csv(report: UnitReport) -> str:
    """One row per figure: section, item, value in the period, value in the previous period."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerow(["report", "unit", report.unit_id, report.unit_id])
    writer.writerow(["report", "from", report.period.first.isoformat(), report.previous.first.isoformat()])
    writer.writerow(["report", "to", report.period.last.isoformat(), report.previous.last.isoformat()])
    writer.writerow(["index", "value", _cell(report.index.value), _cell(report.previous_index.value)])
    writer.writerow(["index", "category", report.index.category or "", report.previous_index.category or ""])
    for aspect, old in zip(report.index.aspects, report.previous_index.aspects, strict=True):
        writer.writerow(["index", f"aspect {aspect.aspect}", _cell(aspect.score), _cell(old.score)])
    previous = {(s, i): v for s, i, v in _rows(report.previous_figures)}
    for section, item, value in _rows(report.figures):
        writer.writerow([section, item, _cell(value), _cell(previous.get((section, item)))])
    for item, now, before in _room_rows(report):
        writer.writerow(["room", item, _cell(now), _cell(before)])
    greeted_before = dict(_behaviour_rows(report.previous_behaviour))
    for item, value in _behaviour_rows(report.behaviour):
        writer.writerow(["behaviour", item, _cell(value), _cell(greeted_before.get(item))])
    for rank in report.ranking:
        earlier = None if rank.index is None or rank.change is None else round(rank.index - rank.change, 1)
        writer.writerow(["ranking", rank.unit_id, _cell(rank.index), _cell(earlier)])
    if report.customer is not None:
        for rank in report.ranking:
            below = report.customer.below.get(rank.unit_id)
            writer.writerow(
                ["ranking", f"{rank.unit_id} mystery_shopper_index", _cell(below and below.shopper_index), ""]
            )
        for section, item, value in customer_rows(report.customer):
            writer.writerow([section, item, _cell(value), ""])
    return buffer.getvalue()

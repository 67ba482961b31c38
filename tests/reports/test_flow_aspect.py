"""The flow aspect of reports: journeys through the touchpoints, cameras added up by counts only.

UP3 Mataram > ULP Ampenan (door camera cam-a: journey pintu -> antrean, door post satpam) and ULP Cakranegara
(hall camera cam-b: journey antrean-b -> loket-b, no door post). Tuesday 2026-11-24, 09:00 WITA, on each
journey's first zone:

- cam-a: 10 arrivals, 8 met at the door, 9 queued, 2 skipped a required step (it sees no counter: no
  abandonment counted there); and at 16:00, after hours, 5 arrivals (not counted);
- cam-b: 6 joined mid-way, 6 queued, 1 left the queue, 5 reached a counter.

Ampenan: served 1 - 0/9 = 100 %, met 8/10 = 80 %, followed 1 - 2/10 = 80 %: score 86.7.
Cakranegara: served 1 - 1/6 = 83.3 %, met: no door post, followed 1 - 0/6 = 100 %: score 91.7.
Mataram, both cameras added: served 1 - 1/15 = 93.3 %, met 80 %, followed 1 - 2/16 = 87.5 %: score 86.9.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cvmon.config import parse_config
from cvmon.config.models import Config
from cvmon.reports.export import report_csv, report_json
from cvmon.reports.flow import NO_FLOW
from cvmon.reports.report import UnitReport, build_report
from cvmon.storage import Database
from cvmon.storage.config_history import sync_config
from cvmon.storage.minutes import MinuteRepository
from tests.storage.conftest import make_minute_row

SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]
TUE = date(2026, 11, 24)
ALL = ["up3-mataram", "ulp-ampenan", "ulp-cakra"]


def _utc(hh: int) -> datetime:
    return datetime(TUE.year, TUE.month, TUE.day, hh - 8, tzinfo=UTC)


CONFIG: dict[str, Any] = {
    "units": [
        {"id": "up3-mataram", "name": "UP3 Mataram", "level": "up3", "timezone": "Asia/Makassar"},
        {"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp", "parent": "up3-mataram"},
        {"id": "ulp-cakra", "name": "ULP Cakranegara", "level": "ulp", "parent": "up3-mataram"},
    ],
    "cameras": [
        {
            "id": "cam-a",
            "unit": "ulp-ampenan",
            "source": "a.mp4",
            "zones": [
                {"id": "pintu", "kind": "entrance", "points": SQUARE},
                {"id": "satpam", "kind": "post", "points": SQUARE},
                {"id": "antrean", "kind": "queue", "points": SQUARE},
            ],
            "journey": {"steps": [{"zones": ["pintu"]}, {"zones": ["antrean"]}], "door_post": "satpam"},
        },
        {
            "id": "cam-b",
            "unit": "ulp-cakra",
            "source": "b.mp4",
            "zones": [
                {"id": "antrean-b", "kind": "queue", "points": SQUARE},
                {"id": "loket-b", "kind": "counter_customer", "points": SQUARE},
            ],
            "journey": {"steps": [{"zones": ["antrean-b"]}, {"zones": ["loket-b"]}]},
        },
    ],
}


@pytest.fixture
def stored(database: Database) -> tuple[Database, Config]:
    config = parse_config(CONFIG)
    sync_config(database, config)
    rows = [
        make_minute_row("cam-a", "pintu", _utc(9), zone_kind="entrance", visit_durations=(), arrivals=10,
                        met_at_door=8, queued=9, skipped_required=2),
        make_minute_row("cam-a", "pintu", _utc(16), zone_kind="entrance", visit_durations=(), arrivals=5),
        make_minute_row("cam-b", "antrean-b", _utc(9), visit_durations=(), joined_midway=6, queued=6, abandoned=1,
                        reached_counter=5),
    ]  # fmt: skip
    MinuteRepository(database).write_minutes(rows, source="test")
    return database, config


def _report(stored: tuple[Database, Config], unit: str) -> UnitReport:
    db, config = stored
    with db.transaction("read", write=False) as session:
        return build_report(session, config, unit, ALL, TUE, TUE)


@pytest.mark.parametrize(
    ("unit", "served", "met", "followed", "score"),
    [
        ("ulp-ampenan", 1.0, 0.8, 0.8, 86.7),
        ("ulp-cakra", 1 - 1 / 6, None, 1.0, 91.7),
        ("up3-mataram", 1 - 1 / 15, 0.8, 1 - 2 / 16, 86.9),
    ],
)
def test_the_flow_aspect_adds_the_cameras_journeys_over_service_hours(
    stored: tuple[Database, Config], unit: str, served: float, met: float | None, followed: float, score: float
) -> None:
    report = _report(stored, unit)
    flow = report.flow
    assert flow.served_share == pytest.approx(served)
    assert flow.met_share == (None if met is None else pytest.approx(met))
    assert flow.followed_share == pytest.approx(followed)
    assert flow.score == score
    (aspect,) = [a for a in report.index.aspects if a.aspect == "flow"]
    assert (aspect.score, aspect.weight, aspect.target) == (score, 0.10, 90.0)
    assert report.previous_flow == NO_FLOW  # nothing on Monday


def test_the_csv_and_json_carry_the_flow_figures(stored: tuple[Database, Config]) -> None:
    report = _report(stored, "up3-mataram")
    rows = {(r[0], r[1]): r[2] for r in csv.reader(io.StringIO(report_csv(report)))}
    assert rows[("flow", "arrivals")] == "10" and rows[("flow", "abandoned")] == "1"
    assert rows[("flow", "score")] == "86.9"
    plain = report_json(report)
    assert plain["flow"]["reached_counter"] == 5 and plain["flow"]["score"] == 86.9
    assert plain["previous_flow"]["score"] is None


@pytest.mark.parametrize(("language", "served"), [("id", "Terlayani setelah antre"), ("en", "Served once queued")])
def test_the_report_document_shows_the_flow_figures(
    stored: tuple[Database, Config], language: str, served: str
) -> None:
    from cvmon.reports.document import report_pdf_html

    html = report_pdf_html(_report(stored, "up3-mataram"), language, "admin", datetime(2026, 12, 1, tzinfo=UTC))  # type: ignore[arg-type]
    rows = dict(re.findall(r'<tr data-figure="(flow_\w+)">(.*?)</tr>', html, re.S))
    assert set(rows) == {"flow_arrivals", "flow_served", "flow_met", "flow_followed"}
    assert served in rows["flow_served"] and "93%" in rows["flow_served"]
    aspect = re.search(r'<tr data-aspect="flow"[^>]*>(.*?)</tr>', html, re.S)
    assert aspect is not None and "86.9%" in aspect.group(1)

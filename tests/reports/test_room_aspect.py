"""The room aspect of reports: days ready at opening, service hours with a room change, and the index."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cvmon.config import parse_config
from cvmon.config.models import Config
from cvmon.reports.figures import period_of
from cvmon.reports.index import service_index
from cvmon.reports.report import build_report
from cvmon.reports.room import NO_ROOM, RoomFigures, room_figures
from cvmon.storage import Database
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.config_history import sync_config
from cvmon.storage.models import EvidenceRecord
from cvmon.types import AlertChange, ChangeKind, Rule
from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    postgres_admin,
    postgres_template,
    sqlite_template,
)

WITA = ZoneInfo("Asia/Makassar")
MON, TUE = date(2026, 11, 23), date(2026, 11, 24)  # service 08:00-15:00: 7 clock hours a day


def office() -> Config:
    return parse_config(
        {
            "units": [{"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp"}],
            "cameras": [{"id": "hall", "unit": "ulp-ampenan", "source": "x.mp4", "room": {}}],
        }
    )


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=WITA)


@pytest.fixture
def stored(database: Database) -> tuple[Database, Config]:  # noqa: F811
    config = office()
    sync_config(database, config)
    with database.transaction("seed", write=True) as session:
        for n, (day, ready) in enumerate(((MON, 1), (TUE, 0))):
            session.add(
                EvidenceRecord(
                    camera_id="hall",
                    ts=local(day, 8),
                    kind="room_opening",
                    path=f"hall/{n}.jpg",
                    sha256="0" * 64,
                    size=1,
                    counts={"ready": ready, "condition": 0, "region:room": 1 - ready},
                )
            )
    opened, cleared = local(MON, 9, 10), local(MON, 10, 30)  # a bag left in the hall: two clock hours touched
    AlertRepository(database).apply_changes(
        "ulp-ampenan",
        "hall",
        [
            AlertChange(Rule.ROOM_CHANGED, "room", ChangeKind.OPENED, opened, 20.0, opened),
            AlertChange(Rule.ROOM_CHANGED, "room", ChangeKind.CLEARED, cleared, 0.0, opened),
        ],
    )
    return database, config


def test_room_figures_count_days_ready_and_hours_with_changes(stored: tuple[Database, Config]) -> None:
    db, config = stored
    with db.transaction("read", write=False) as session:
        both = room_figures(session, config, ["ulp-ampenan"], period_of(MON, TUE, WITA))
        tuesday = room_figures(session, config, ["ulp-ampenan"], period_of(TUE, TUE, WITA))
        december = room_figures(
            session, config, ["ulp-ampenan"], period_of(date(2026, 12, 1), date(2026, 12, 31), WITA)
        )
    assert both == RoomFigures(days=2, days_ready=1, service_hours=14, hours_changed=2)
    assert both.score == round(100 * (0.5 + (1 - 2 / 14)) / 2, 1)
    assert tuesday == RoomFigures(days=1, days_ready=0, service_hours=7, hours_changed=0)
    assert tuesday.score == 50.0
    assert december == NO_ROOM and december.score is None


def test_the_room_aspect_weighs_into_the_index_and_drops_out_without_data(stored: tuple[Database, Config]) -> None:
    db, config = stored
    with db.transaction("read", write=False) as session:
        report = build_report(session, config, "ulp-ampenan", ["ulp-ampenan"], MON, TUE)
    room = report.index.aspect("room")
    assert room.score == report.room.score and room.weight == 0.05 and room.target == 90
    assert report.previous_index.aspect("room").score is None  # no room day in the period before
    without = service_index(report.figures, config.reports)
    counted = [a for a in without.aspects if a.score is not None and a.weight > 0]
    assert [a.aspect for a in counted] == [
        a.aspect for a in report.index.aspects if a.score is not None and a.aspect != "room"
    ]
    if counted:  # the other aspects' weighted mean, with the room's share added
        others = sum(a.weight * (a.score or 0) for a in counted)
        weights = sum(a.weight for a in counted)
        assert report.index.value == round((others + 0.05 * (room.score or 0)) / (weights + 0.05), 1)
    else:
        assert report.index.value == room.score


def test_the_csv_and_json_carry_the_room_figures(stored: tuple[Database, Config]) -> None:
    import csv
    import io

    from cvmon.reports.export import report_csv, report_json

    db, config = stored
    with db.transaction("read", write=False) as session:
        report = build_report(session, config, "ulp-ampenan", ["ulp-ampenan"], MON, TUE)
    rows = {
        (r["section"], r["item"]): (r["value"], r["previous"]) for r in csv.DictReader(io.StringIO(report_csv(report)))
    }
    assert rows[("room", "days_checked_at_opening")] == ("2", "0")
    assert rows[("room", "days_ready_at_opening")] == ("1", "0")
    assert rows[("room", "hours_with_changes")] == ("2", "0")
    assert rows[("index", "aspect room")] == (str(report.room.score), "")
    assert report_json(report)["room"] == {"days": 2, "days_ready": 1, "service_hours": 14, "hours_changed": 2}


def test_the_report_document_shows_the_room_figures(stored: tuple[Database, Config]) -> None:
    """Days ready at opening (1 of 2) and service hours with changes (2 of 14) are figure rows of the report
    (page and PDF share this body), in both languages."""
    import re
    from datetime import UTC, datetime

    from cvmon.reports.document import report_pdf_html

    db, config = stored
    with db.transaction("read", write=False) as session:
        report = build_report(session, config, "ulp-ampenan", ["ulp-ampenan"], MON, TUE)
    for language, ready, changed in (("id", "Hari siap saat buka", "Jam layanan dengan perubahan"),
                                     ("en", "Days ready at opening", "Service hours with changes")):  # fmt: skip
        html = report_pdf_html(report, language, "admin-a", datetime(2026, 12, 1, tzinfo=UTC))
        rows = {key: row for key, row in re.findall(r'<tr data-figure="(room_\w+)">(.*?)</tr>', html, re.S)}
        assert set(rows) == {"room_ready", "room_changed"}
        assert ready in rows["room_ready"] and changed in rows["room_changed"]
        cells = {key: re.findall(r'<td class="num wraps">(.*?)</td>', row) for key, row in rows.items()}
        assert cells["room_ready"][0].startswith("50") and cells["room_ready"][1] in ("–", "-")
        assert cells["room_changed"][0].startswith("14")  # 2 of 14 hours: 14.3 %

"""The behaviour aspect of reports: the PS4 greeting at counters and posts, from the rolled-up greeting counts.

Unit tree: UP3 Mataram > ULP Ampenan (camera cam-a: counters s1 with a seat and s2 without, the door's post p;
behaviour enabled) and ULP Cakranegara (camera cam-b: a post p2, no greeting measured). Service hours 08:00-15:00
WITA, Monday to Friday. The report covers Tuesday 2026-11-24; the period before it is Monday.

Tuesday's greeting counts (arrivals, greeted, not greeted, not visible, seated):

- s1 09:00: 4, 3, 1, 0, 2; s1 09:01: 2, 0, 1, 1, 1; s1 16:00 (after hours, ignored): 3, 0, 3, 0, 0
- s2 09:00: 3, 2, 0, 1, 0 (no seat)
- p 09:00: 5, 2, 2, 1, 0

So 14 arrivals judged, 7 greeted, 4 not greeted, 3 not visible: greeted 7 / 11 = 63.6 %, not visible 3 / 14;
seated 3 of the 6 arrivals at s1, the one counter with a seat. Monday: s1 09:00: 2, 2, 0, 0, 1 (100 %).
Every staff zone is staffed its whole minutes (staffing 100 %) and cam-b's post 45 of 60 s (75 %); no other
aspect has data, so Ampenan's index is (0.3 * 100 + 0.1 * 63.6) / 0.4 = 90.9 and Cakranegara's 75.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import multiprocessing
import re
import resource
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cvmon.config import parse_config
from cvmon.config.models import Config
from cvmon.i18n.messages import translator
from cvmon.reports.behaviour import NO_BEHAVIOUR, BehaviourFigures, GreetingZone, behaviour_figures
from cvmon.reports.charts import LABEL_CHARS, aspect_chart, ranking_chart
from cvmon.reports.document import report_pdf_html
from cvmon.reports.export import report_csv, report_json
from cvmon.reports.figures import collect, period_of
from cvmon.reports.index import quick_wins, service_index
from cvmon.reports.report import RankedUnit, UnitReport, build_report
from cvmon.storage import Database
from cvmon.storage.config_history import sync_config
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.retention import run_retention
from tests.storage.conftest import database, database_url, make_camera_minute, make_minute_row  # noqa: F401

SQUARE = [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]
MON, TUE = date(2026, 11, 23), date(2026, 11, 24)
ALL = ["up3-mataram", "ulp-ampenan", "ulp-cakra"]
WITA = ZoneInfo("Asia/Makassar")


def _utc(day: date, hh: int, mm: int = 0) -> datetime:
    """09:00 WITA is 01:00 UTC."""
    return datetime(day.year, day.month, day.day, hh - 8, mm, tzinfo=UTC)


CONFIG: dict[str, Any] = {
    "units": [
        {"id": "up3-mataram", "name": "UP3 Mataram", "level": "up3", "timezone": "Asia/Makassar"},
        {"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp", "parent": "up3-mataram"},
        {"id": "ulp-cakra", "name": "ULP Cakranegara", "level": "ulp", "parent": "up3-mataram"},
    ],
    "cameras": [
        {
            "id": "cam-a",
            "name": "Loket",
            "unit": "ulp-ampenan",
            "source": "a.mp4",
            "zones": [
                {"id": "c1", "kind": "counter_customer", "points": SQUARE},
                {"id": "s1", "name": "Loket 1", "kind": "counter_staff", "counter": "c1", "points": SQUARE},
                {"id": "c2", "kind": "counter_customer", "points": SQUARE},
                {"id": "s2", "name": "Loket 2", "kind": "counter_staff", "counter": "c2", "points": SQUARE},
                {"id": "e", "kind": "entrance", "points": SQUARE},
                {"id": "p", "name": "Satpam", "kind": "post", "points": SQUARE},
            ],
            "behaviour": {
                "enabled": True,
                "doors": [{"entrance": "e", "post": "p"}],
                "seats": [{"counter": "c1", "points": SQUARE}],
            },
        },
        {
            "id": "cam-b",
            "unit": "ulp-cakra",
            "source": "b.mp4",
            "zones": [{"id": "p2", "kind": "post", "points": SQUARE}],
        },
    ],
}

# (zone, kind, minute, (arrivals, greeted, not greeted, not visible, seated))
GREETINGS = [
    ("s1", "counter_staff", _utc(TUE, 9), (4, 3, 1, 0, 2)),
    ("s1", "counter_staff", _utc(TUE, 9, 1), (2, 0, 1, 1, 1)),
    ("s1", "counter_staff", _utc(TUE, 16), (3, 0, 3, 0, 0)),  # after hours: not counted
    ("s2", "counter_staff", _utc(TUE, 9), (3, 2, 0, 1, 0)),
    ("p", "post", _utc(TUE, 9), (5, 2, 2, 1, 0)),
    ("s1", "counter_staff", _utc(MON, 9), (2, 2, 0, 0, 1)),
]

TUESDAY = BehaviourFigures(
    zones=(
        GreetingZone("cam-a", "p", "Satpam", "post", 5, 2, 2, 1, 0, False),
        GreetingZone("cam-a", "s1", "Loket 1", "counter_staff", 6, 3, 2, 1, 3, True),
        GreetingZone("cam-a", "s2", "Loket 2", "counter_staff", 3, 2, 0, 1, 0, False),
    ),
    arrivals=14,
    greeted=7,
    missed=4,
    unseen=3,
    seat_arrivals=6,
    seated=3,
)
MONDAY = BehaviourFigures(
    zones=(GreetingZone("cam-a", "s1", "Loket 1", "counter_staff", 2, 2, 0, 0, 1, True),),
    arrivals=2,
    greeted=2,
    missed=0,
    unseen=0,
    seat_arrivals=2,
    seated=1,
)


def _greeting_row(zone: str, kind: str, minute: datetime, counts: tuple[int, ...]) -> Any:
    arrivals, greeted, missed, unseen, seated = counts
    return make_minute_row(
        "cam-a",
        zone,
        minute,
        zone_kind=kind,
        count_sum=300,
        count_max=1,
        seconds_staffed=60.0,
        seconds_over_capacity=0.0,
        visit_durations=(),
        greet_arrivals=arrivals,
        greeted=greeted,
        greet_missed=missed,
        greet_unseen=unseen,
        seated=seated,
    )


@pytest.fixture
def stored(database: Database) -> tuple[Database, Config]:  # noqa: F811
    config = parse_config(CONFIG)
    sync_config(database, config)
    rows = [_greeting_row(*g) for g in GREETINGS]
    rows += [
        make_minute_row(
            "cam-b",
            "p2",
            _utc(day, 9),
            zone_kind="post",
            count_sum=225,
            count_max=1,
            seconds_staffed=45.0,
            seconds_over_capacity=0.0,
            visit_durations=(),
        )
        for day in (MON, TUE)
    ]
    minutes = sorted({(r.camera_id, r.minute) for r in rows})
    MinuteRepository(database).write_minutes(rows, [make_camera_minute(c, m) for c, m in minutes], source="test")
    return database, config


def _report(stored: tuple[Database, Config], unit: str, config: Config | None = None) -> UnitReport:
    db, seeded = stored
    with db.transaction("read", write=False) as session:
        return build_report(session, config or seeded, unit, ALL, TUE, TUE)


def _with_reports(config: Config, **changes: object) -> Config:
    return config.model_copy(
        update={"reports": config.reports.model_validate({**config.reports.model_dump(), **changes})}
    )


def test_behaviour_figures_sum_the_staff_zones_greetings_over_service_hours(stored: tuple[Database, Config]) -> None:
    db, config = stored
    with db.transaction("read", write=False) as session:
        tuesday = collect(session, config, ALL, period_of(TUE, TUE, WITA))
        both = collect(session, config, ALL, period_of(MON, TUE, WITA))
    assert behaviour_figures(tuesday, config, ["ulp-ampenan"]) == TUESDAY
    assert behaviour_figures(tuesday, config, ALL) == TUESDAY  # the UP3: Cakranegara adds nothing
    assert behaviour_figures(tuesday, config, ["ulp-cakra"]) == NO_BEHAVIOUR
    assert TUESDAY.judged == 11 and TUESDAY.greeted_share == 7 / 11 and TUESDAY.score == 63.6
    assert TUESDAY.unseen_share == 3 / 14 and TUESDAY.seated_share == 0.5
    s1, s2 = TUESDAY.zones[1], TUESDAY.zones[2]
    assert (s1.greeted_share, s1.unseen_share, s1.seated_share) == (0.6, 1 / 6, 0.5)
    assert s2.seated_share is None  # a counter without a seat counts nobody seated
    two_days = behaviour_figures(both, config, ["ulp-ampenan"])
    assert (two_days.arrivals, two_days.greeted, two_days.missed, two_days.seated) == (16, 9, 4, 4)
    assert NO_BEHAVIOUR.score is None and NO_BEHAVIOUR.greeted_share is None and NO_BEHAVIOUR.seated_share is None
    unseen_only = BehaviourFigures((), arrivals=3, greeted=0, missed=0, unseen=3, seat_arrivals=0, seated=0)
    assert unseen_only.score is None and unseen_only.unseen_share == 1.0  # nothing judged: no data, not 0 %


def test_the_behaviour_aspect_weighs_into_the_index(stored: tuple[Database, Config]) -> None:
    report = _report(stored, "ulp-ampenan")
    assert report.behaviour == TUESDAY and report.previous_behaviour == MONDAY
    behaviour = report.index.aspect("behaviour")
    assert (behaviour.score, behaviour.weight, behaviour.target) == (63.6, 0.10, 90.0)
    assert report.previous_index.aspect("behaviour").score == 100.0
    scored = {a.aspect: a.score for a in report.index.aspects if a.score is not None}
    assert scored == {"staffing": 100.0, "behaviour": 63.6}
    assert report.index.value == 90.9  # (0.3 * 100 + 0.1 * 63.6) / 0.4
    assert report.previous_index.value == 100.0 and report.change == -9.1
    assert [(a.aspect, a.shortfall) for a in report.quick_wins] == [("behaviour", 26.4)]
    assert service_index(report.figures, stored[1].reports, report.room).value == 100.0  # without the aspect
    up3 = _report(stored, "up3-mataram")
    assert up3.behaviour == TUESDAY
    assert [(r.unit_id, r.index, r.change) for r in up3.ranking] == [
        ("ulp-ampenan", 90.9, -9.1),
        ("ulp-cakra", 75.0, 0.0),
    ]


def test_a_unit_without_greeting_data_keeps_its_index(stored: tuple[Database, Config]) -> None:
    config = stored[1]
    cakra = _report(stored, "ulp-cakra")
    assert cakra.behaviour == NO_BEHAVIOUR and cakra.previous_behaviour == NO_BEHAVIOUR
    assert cakra.index.aspect("behaviour").score is None and not cakra.index.aspect("behaviour").below_target
    assert cakra.index.value == 75.0 and [a.aspect for a in cakra.quick_wins] == ["staffing"]
    weights = config.reports.weights.model_dump()
    for weight in (0.0, 0.10, 5.0):
        heavy = _report(stored, "ulp-cakra", _with_reports(config, weights={**weights, "behaviour": weight}))
        assert heavy.index.value == 75.0


def test_the_behaviour_weight_and_target_are_configurable(stored: tuple[Database, Config]) -> None:
    config = stored[1]
    weights = config.reports.weights.model_dump()
    alone = _report(stored, "ulp-ampenan", _with_reports(config, weights={**dict.fromkeys(weights, 0), "behaviour": 1}))
    assert alone.index.value == 63.6 and alone.index.category == "fair"
    off = _report(stored, "ulp-ampenan", _with_reports(config, weights={**weights, "behaviour": 0}))
    assert off.index.value == 100.0 and off.quick_wins == ()  # a weightless aspect is no quick win
    even = _report(stored, "ulp-ampenan", _with_reports(config, weights={**weights, "behaviour": 0.3}))
    assert even.index.value == 81.8  # (0.3 * 100 + 0.3 * 63.6) / 0.6
    lenient = _report(stored, "ulp-ampenan", _with_reports(config, targets={"behaviour": 60}))
    assert lenient.index.aspect("behaviour").target == 60.0 and quick_wins(lenient.index) == []
    schema = Config.model_json_schema()["$defs"]
    assert schema["IndexWeights"]["properties"]["behaviour"]["default"] == 0.10
    assert schema["IndexTargets"]["properties"]["behaviour"]["default"] == 90


def test_the_aspect_comes_from_the_hourly_roll_ups_once_minute_rows_are_gone(
    stored: tuple[Database, Config], tmp_path: Path
) -> None:
    db, config = stored
    result = run_retention(db, EvidenceStore(tmp_path), config.retention, _utc(TUE, 9) + timedelta(days=60))
    assert result.minute_rows_deleted > 0
    report = _report(stored, "ulp-ampenan")
    assert report.behaviour == TUESDAY and report.index.value == 90.9


def test_the_csv_and_json_carry_the_behaviour_figures(stored: tuple[Database, Config]) -> None:
    report = _report(stored, "ulp-ampenan")
    rows = {
        (r["section"], r["item"]): (r["value"], r["previous"]) for r in csv.DictReader(io.StringIO(report_csv(report)))
    }
    assert rows[("index", "aspect behaviour")] == ("63.6", "100")
    expected = {
        "arrivals_judged": ("14", "2"),
        "greeted": ("7", "2"),
        "not_greeted": ("4", "0"),
        "not_visible": ("3", "0"),
        "greeted_share": ("0.636364", "1"),
        "not_visible_share": ("0.214286", "0"),
        "arrivals_at_counters_with_a_seat": ("6", "2"),
        "seated": ("3", "1"),
        "seated_share": ("0.5", "0.5"),
        "cam-a/s1 arrivals_judged": ("6", "2"),
        "cam-a/s1 greeted_share": ("0.6", "1"),
        "cam-a/s2 seated_share": ("", ""),
        "cam-a/p not_visible_share": ("0.2", ""),
    }
    assert {item: rows[("behaviour", item)] for item in expected} == expected
    plain = report_json(report)
    assert {k: plain["behaviour"][k] for k in ("arrivals", "judged", "score", "seated_share")} == {
        "arrivals": 14,
        "judged": 11,
        "score": 63.6,
        "seated_share": 0.5,
    }
    assert plain["behaviour"]["greeted_share"] == 7 / 11
    assert plain["behaviour"]["zones"][1] == {
        "camera_id": "cam-a",
        "zone_id": "s1",
        "name": "Loket 1",
        "kind": "counter_staff",
        "arrivals": 6,
        "greeted": 3,
        "missed": 2,
        "unseen": 1,
        "seated": 3,
        "has_seat": True,
        "greeted_share": 0.6,
        "unseen_share": 1 / 6,
        "seated_share": 0.5,
    }
    assert plain["previous_behaviour"]["score"] == 100.0
    assert report_json(_report(stored, "ulp-cakra"))["behaviour"]["score"] is None


WORDS = {
    "id": {
        "greet_arrivals": "Kedatangan dinilai (salam PS4)",
        "greet_greeted": "Disalam PS4",
        "greet_unseen": "Petugas tidak terlihat",
        "greet_seated": "Dipersilakan duduk",
        "aspect": "Perilaku (salam PS4)",
        "why": "7 dari 11 kedatangan yang dapat dinilai disalam PS4; 3 kedatangan lain",
    },
    "en": {
        "greet_arrivals": "Arrivals judged (PS4 greeting)",
        "greet_greeted": "Greeted the PS4 way",
        "greet_unseen": "Staff not visible",
        "greet_seated": "Invited to sit",
        "aspect": "Behaviour (PS4 greeting)",
        "why": "7 of 11 arrivals that could be judged were greeted the PS4 way; in 3 more",
    },
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_report_document_shows_the_behaviour_figures(stored: tuple[Database, Config], language: str) -> None:
    """Figure rows (arrivals judged, greeted, not visible, seated, each with its definition), the aspect row,
    the quick win and a table per counter and post, on the page and PDF body in both languages."""
    words = WORDS[language]
    made = datetime(2026, 12, 1, tzinfo=UTC)
    html = report_pdf_html(_report(stored, "ulp-ampenan"), language, "admin-a", made)  # type: ignore[arg-type]
    rows = dict(re.findall(r'<tr data-figure="(greet_\w+)">(.*?)</tr>', html, re.S))
    assert set(rows) == {"greet_arrivals", "greet_greeted", "greet_unseen", "greet_seated"}
    cells = {key: re.findall(r'<td class="num wraps">(.*?)</td>', row) for key, row in rows.items()}
    assert cells == {
        "greet_arrivals": ["14", "2"],
        "greet_greeted": ["64%", "100%"],
        "greet_unseen": ["21%", "0%"],
        "greet_seated": ["50%", "50%"],
    }
    for key, row in rows.items():
        assert words[key] in row and '<div class="def">' in row
    aspect = re.search(r'<tr data-aspect="behaviour"[^>]*>(.*?)</tr>', html, re.S)
    assert aspect is not None and words["aspect"] in aspect.group(1) and "63.6%" in aspect.group(1)
    win = re.search(r'<li data-aspect="behaviour">(.*?)</li>', html, re.S)
    assert win is not None and words["why"] in " ".join(win.group(1).split())
    greetings = re.search(r'<table [^>]*data-testid="greetings">(.*?)</table>', html, re.S)
    assert greetings is not None
    zones = dict(re.findall(r'<tr data-zone="([\w/-]+)"><td>.*?</td>(.*?)</tr>', greetings.group(1), re.S))
    table = {z: re.findall(r'<td class="num">(.*?)</td>', row) for z, row in zones.items()}
    assert table == {
        "cam-a/p": ["5", "50%", "2", "1", "–"],
        "cam-a/s1": ["6", "60%", "2", "1", "3"],
        "cam-a/s2": ["3", "100%", "0", "1", "–"],
    }
    without = report_pdf_html(_report(stored, "ulp-cakra"), language, "admin-a", made)  # type: ignore[arg-type]
    assert 'data-figure="greet_' not in without and 'data-testid="greetings"' not in without
    none = re.search(r'<tr data-aspect="behaviour"[^>]*>(.*?)</tr>', without, re.S)
    assert none is not None and re.findall(r'<td class="num">(.*?)</td>', none.group(1))[2:] == ["–", "–"]


def _row_labels(svg: str) -> list[str]:
    """The texts of a horizontal bar chart's row labels (its "axis y" group)."""
    root = ET.fromstring(svg)
    svg_ns = "{http://www.w3.org/2000/svg}"
    return [
        text.text or ""
        for group in root.iter(f"{svg_ns}g")
        if group.get("class", "").startswith("axis y")
        for text in group.iter(f"{svg_ns}text")
    ]


def _charts_in_a_child(report: UnitReport, timeout_s: float = 120.0) -> dict[tuple[str, bool], tuple[str, str]]:
    """Each language's and width's aspect and ranking charts, drawn in a forked process with 2 GiB of memory: pygal
    loops forever, taking all memory, when the row labels leave its axis title no width; that fails here instead."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def draw() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        out = {}
        for language in ("id", "en"):
            t = translator(language)  # type: ignore[arg-type]
            for narrow in (True, False):
                drawn = aspect_chart(report, t, narrow=narrow), ranking_chart(report, t, narrow=narrow)
                out[(language, narrow)] = drawn
        send.send(out)

    child = context.Process(target=draw)
    child.start()
    send.close()  # the child's end alone: a child that died reads as the end of the pipe
    drawn = None
    if receive.poll(timeout_s):
        with contextlib.suppress(EOFError):
            drawn = receive.recv()
    child.join(5)
    if child.is_alive():
        child.kill()
    assert drawn is not None, f"the charts were not drawn within {timeout_s} s (exit code {child.exitcode})"
    return drawn  # type: ignore[no-any-return]


def test_the_charts_draw_the_aspect_and_cut_long_unit_names(stored: tuple[Database, Config]) -> None:
    """The aspect's name fits the narrow chart in both languages (with "no data" too), and a unit name too long for
    a chart is cut rather than leaving pygal no room (it would loop forever)."""
    long_name = "ULP " + "Sangat Panjang Sekali " * 8
    up3 = _report(stored, "up3-mataram")
    longer = (RankedUnit("ulp-long", long_name, None, None, None), RankedUnit("ulp-x", long_name, 80.0, "good", None))
    report = dataclasses.replace(up3, ranking=(*up3.ranking, *longer))
    for (language, narrow), (aspects, ranking) in _charts_in_a_child(report).items():
        name = "Perilaku (salam PS4)" if language == "id" else "Behaviour (PS4 greeting)"
        assert name in _row_labels(aspects)
        labels = _row_labels(ranking)
        assert "ULP Ampenan" in labels and len(labels) == 4
        cut = [label for label in labels if label.startswith("ULP Sangat")]
        assert len(cut) == 2 and all(len(label) <= LABEL_CHARS[narrow] and "…" in label for label in cut), cut
        no_data = "(tanpa data)" if language == "id" else "(no data)"
        assert sum(label.endswith(f"… {no_data}") for label in cut) == 1  # the cut keeps saying it has no data
    cakra = _report(stored, "ulp-cakra")
    none = _charts_in_a_child(cakra)
    assert "Perilaku (salam PS4) (tanpa data)" in _row_labels(none[("id", True)][0])
    assert "Behaviour (PS4 greeting) (no data)" in _row_labels(none[("en", True)][0])

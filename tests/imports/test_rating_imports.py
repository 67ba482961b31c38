"""Importing customer ratings and mystery-shopper scores from CSV: checked row by row, idempotent, audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cvmon.errors import ImportRejected
from cvmon.imports.ratings import RATING_COLUMNS
from cvmon.imports.run import import_ratings, import_shopper_scores
from cvmon.imports.shopper import SHOPPER_COLUMNS
from cvmon.imports.table import csv_records, json_records, text_records
from cvmon.storage import Database
from cvmon.storage.audit import AuditActor, AuditRepository
from cvmon.storage.models import RatingDayRecord, ShopperScoreRecord
from cvmon.storage.ratings import rating_days, shopper_scores
from cvmon.types.ratings import RatingDay, ShopperScore
from tests.imports.conftest import RATING_HEADER, SHOPPER_HEADER, UNITS, csv_text, generated_ratings

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
ACTOR = AuditActor("cli:tester", "local")


def _ratings(db: Database, text: str, scope: list[str] = UNITS) -> object:
    return import_ratings(db, text_records(text, RATING_COLUMNS, "r.csv"), scope, ACTOR, NOW, "r.csv")


def _shopper(db: Database, text: str, scope: list[str] = UNITS) -> object:
    return import_shopper_scores(db, text_records(text, SHOPPER_COLUMNS, "s.csv"), scope, ACTOR, NOW, "s.csv")


def _count(db: Database, model: type) -> int:
    with db.transaction("count", write=False) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_generated_file_is_stored_as_it_is_and_a_second_import_changes_nothing(
    units_db: Database, tmp_path: Path
) -> None:
    rows = generated_ratings(date(2026, 11, 2), 14)
    path = tmp_path / "ratings.csv"
    path.write_text(csv_text(RATING_HEADER, rows), encoding="utf-8")
    records = csv_records(path, RATING_COLUMNS)
    first = import_ratings(units_db, records, UNITS, ACTOR, NOW, path.name)
    assert (first.rows, first.added, first.changed, first.unchanged) == (56, 56, 0, 0)
    with units_db.transaction("read", write=False) as session:
        stored = rating_days(session, UNITS, date(2026, 11, 1), date(2026, 11, 30))
    expected = [
        RatingDay(r[0], date.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10]) for r in rows
    ]
    assert sorted(stored, key=lambda r: r.key) == sorted(expected, key=lambda r: r.key)
    again = import_ratings(units_db, csv_records(path, RATING_COLUMNS), UNITS, ACTOR, NOW, path.name)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 56)
    with units_db.transaction("read", write=False) as session:
        assert rating_days(session, UNITS, date(2026, 11, 1), date(2026, 11, 30)) == stored
    audit = AuditRepository(units_db).find(action="ratings.import")
    assert len(audit) == 4  # two imports, one row per unit
    latest = {a.target: a.details for a in audit[:2]}
    assert latest["unit:ulp-ampenan"] == {
        "source": "ratings.csv", "rows": 28, "added": 0, "changed": 0, "unchanged": 28,
        "from": "2026-11-02", "to": "2026-11-15",
    }  # fmt: skip


def test_a_changed_row_replaces_the_stored_one(units_db: Database) -> None:
    _ratings(units_db, csv_text(RATING_HEADER, [["ulp-ampenan", "2026-11-23", "app", "", 10, 4.2, 6, 2, 2, "", ""]]))
    outcome = _ratings(
        units_db, csv_text(RATING_HEADER, [["ulp-ampenan", "2026-11-23", "app", "", 12, 4.0, 6, 2, 2, 3, 2.5]])
    )
    assert (outcome.added, outcome.changed) == (0, 1)  # type: ignore[attr-defined]
    with units_db.transaction("read", write=False) as session:
        (row,) = rating_days(session, UNITS, date(2026, 11, 23), date(2026, 11, 23))
    assert (row.csat_count, row.csat_mean, row.ces_count, row.ces_mean) == (12, 4.0, 3, 2.5)


BAD_RATING_ROWS = [
    (["ulp-ampenan", "2026-13-01", "", "", 3, 4, "", "", "", "", ""], "line 2: date: '2026-13-01' is not a date"),
    (["ulp-ampenan", "2026-11-23", "", "", 3, "", "", "", "", "", ""], "line 2: csat_mean: empty, but csat_count is 3"),
    (["ulp-ampenan", "2026-11-23", "", "", "", 4.5, "", "", "", "", ""], "line 2: csat_mean: given, but csat_count"),
    (["ulp-ampenan", "2026-11-23", "", "", 3, 5.5, "", "", "", "", ""], "line 2: csat_mean: 5.5 is outside 1-5"),
    (["ulp-ampenan", "2026-11-23", "", "", 2.5, 4, "", "", "", "", ""], "line 2: csat_count: 2.5 is not a whole"),
    (["ulp-ampenan", "2026-11-23", "", "", -1, 4, "", "", "", "", ""], "line 2: csat_count: -1 is outside"),
    (["ulp-ampenan", "2026-11-23", "", "", 10**8, 4, "", "", "", "", ""], "line 2: csat_count: 100000000 is outside"),
    (["ulp-ampenan", "2026-11-23", "", "", "", "", "x", "", "", "", ""], "line 2: nps_promoters: 'x' is not a number"),
    (["ulp-ampenan", "2026-11-23", "", "", "", "", "", "", "", 4, 7.5], "line 2: ces_mean: 7.5 is outside 1-7"),
    (["ulp-ampenan", "2026-11-23", "", "", "", "", "", "", "", "", ""], "line 2: no figures"),
    (["ulp-ampenan", "2026-11-23", "a b/c", "", 1, 4, "", "", "", "", ""], "line 2: channel: 'a_b/c' is not an id"),
    (["", "2026-11-23", "", "", 1, 4, "", "", "", "", ""], "line 2: unit: empty"),
    (["ulp-nowhere", "2026-11-23", "", "", 1, 4, "", "", "", "", ""], "line 2: unit: no unit 'ulp-nowhere'"),
]


@pytest.mark.parametrize(("row", "problem"), BAD_RATING_ROWS)
def test_a_bad_row_names_its_line_and_stores_nothing(units_db: Database, row: list, problem: str) -> None:
    good = ["ulp-cakra", "2026-11-23", "", "", 5, 4.0, "", "", "", "", ""]
    with pytest.raises(ImportRejected) as caught:
        _ratings(units_db, csv_text(RATING_HEADER, [row, good]))
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(problem), caught.value.problems
    assert "nothing was stored" in str(caught.value)
    assert _count(units_db, RatingDayRecord) == 0
    assert AuditRepository(units_db).find(action="ratings.import") == []


def test_every_bad_row_is_listed_in_line_order_with_repeats_and_ragged_lines(units_db: Database) -> None:
    text = csv_text(RATING_HEADER, [
        ["ulp-ampenan", "2026-11-23", "app", "", 5, 4.0, "", "", "", "", ""],
        ["ulp-nowhere", "2026-11-23", "app", "", 5, 4.0, "", "", "", "", ""],
        ["ulp-ampenan", "2026-11-23", "APP", "", 7, 3.0, "", "", "", "", ""],
        ["ulp-ampenan", "2026-11-24"],
    ])  # fmt: skip
    with pytest.raises(ImportRejected) as caught:
        _ratings(units_db, text)
    assert caught.value.problems == [
        "line 5: 2 fields, the header names 11",
    ]  # a ragged line refuses the file before its rows are read
    with pytest.raises(ImportRejected) as caught:
        _ratings(units_db, "\n".join(text.splitlines()[:4]) + "\n")
    assert caught.value.problems == [
        "line 3: unit: no unit 'ulp-nowhere' (start cvmon once with the configuration)",
        "line 4: the same unit, date, channel and service as line 2",
    ]


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("unit,date,csat_count,csat_mean,komentar", "column 'komentar' would hold a person's identity or words"),
        ("unit,date,csat_count,csat_mean,Customer Name", "column 'customer_name' would hold a person's identity"),
        ("unit,date,csat_count,csat_mean,no_hp", "column 'no_hp' would hold a person's identity or words"),
        ("unit,date,csat_count,csat_mean,email", "column 'email' would hold a person's identity or words"),
        ("unit,date,csat_count,csat_mean,notes", "column 'notes' would hold a person's identity or words"),
        ("unit,date,csat_count,csat_mean,region", "unknown column 'region' (known: unit, date, channel"),
        ("unit,csat_count,csat_mean", "missing column 'date'"),
        ("unit,date,date,csat_count", "column 'date' appears twice"),
    ],
)
def test_columns_that_could_hold_a_person_or_are_unknown_refuse_the_file(
    units_db: Database, header: str, problem: str
) -> None:
    with pytest.raises(ImportRejected) as caught:
        _ratings(units_db, header + "\nulp-ampenan,2026-11-23,3,4,x\n")
    assert any(problem in p for p in caught.value.problems), caught.value.problems
    assert _count(units_db, RatingDayRecord) == 0


def test_a_spreadsheet_in_indonesian_uses_semicolons_and_decimal_commas(units_db: Database) -> None:
    text = "\ufeff" + csv_text(
        RATING_HEADER, [["ulp-ampenan", "2026-11-23", "App", "", 4, "4,25", 1, 2, 1, "", ""]], ";"
    )
    records = text_records(text.removeprefix("\ufeff"), RATING_COLUMNS, "r.csv")
    assert records[0].fields["csat_mean"] == "4.25"
    _ratings(units_db, text.removeprefix("\ufeff"))
    with units_db.transaction("read", write=False) as session:
        (row,) = rating_days(session, UNITS, date(2026, 11, 23), date(2026, 11, 23))
    assert (row.channel, row.csat_mean, row.nps_answers) == ("app", 4.25, 4)


def test_a_file_that_cannot_be_read_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ImportRejected, match="cannot read"):
        csv_records(tmp_path / "missing.csv", RATING_COLUMNS)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("unit,date\nulp-\xe9,2026-11-23\n".encode("latin-1"))
    with pytest.raises(ImportRejected, match="not UTF-8"):
        csv_records(latin, RATING_COLUMNS)
    empty = tmp_path / "empty.csv"
    empty.write_text(RATING_HEADER + "\n")
    with pytest.raises(ImportRejected, match="no rows below the header"):
        csv_records(empty, RATING_COLUMNS)


def test_a_unit_outside_the_callers_scope_refuses_the_import(units_db: Database) -> None:
    text = csv_text(RATING_HEADER, [["ulp-cakra", "2026-11-23", "", "", 5, 4.0, "", "", "", "", ""]])
    with pytest.raises(ImportRejected) as caught:
        _ratings(units_db, text, scope=["ulp-ampenan"])
    assert caught.value.problems == ["line 2: unit: 'ulp-cakra' is not one of your units"]
    assert _count(units_db, RatingDayRecord) == 0


SHOPPER_ROWS = [
    ["ulp-ampenan", "2026-11-23", "09:10", "Loket", "Salam 4S", 2, 3, 5],
    ["ulp-ampenan", "2026-11-23", "09:10", "loket", "Waktu layanan", 1, 5, 5],
    ["ulp-ampenan", "2026-11-23", "09:10", "satpam", "Menyapa", 1, 80, ""],
    ["ulp-cakra", "2026-11-24", "", "pandu", "Mengarahkan", "", 70, ""],
]


def test_mystery_shopper_scores_are_stored_as_percentages_and_a_visit_is_replaced_whole(units_db: Database) -> None:
    outcome = _shopper(units_db, csv_text(SHOPPER_HEADER, SHOPPER_ROWS))
    assert (outcome.rows, outcome.added) == (4, 4)  # type: ignore[attr-defined]
    with units_db.transaction("read", write=False) as session:
        stored = shopper_scores(session, UNITS, date(2026, 11, 1), date(2026, 11, 30))
    assert stored == [
        ShopperScore("ulp-ampenan", date(2026, 11, 23), time(9, 10), "frontliner", "Salam 4S", 2.0, 60.0),
        ShopperScore("ulp-ampenan", date(2026, 11, 23), time(9, 10), "frontliner", "Waktu layanan", 1.0, 100.0),
        ShopperScore("ulp-ampenan", date(2026, 11, 23), time(9, 10), "satpam", "Menyapa", 1.0, 80.0),
        ShopperScore("ulp-cakra", date(2026, 11, 24), None, "pandu", "Mengarahkan", 1.0, 70.0),
    ]
    again = _shopper(units_db, csv_text(SHOPPER_HEADER, SHOPPER_ROWS))
    assert (again.added, again.changed, again.unchanged, again.removed) == (0, 0, 4, 0)  # type: ignore[attr-defined]
    corrected = [[*SHOPPER_ROWS[0][:6], 4, 5]]  # the frontliner visit again, "Waktu layanan" no longer scored
    fixed = _shopper(units_db, csv_text(SHOPPER_HEADER, corrected))
    assert (fixed.changed, fixed.removed) == (1, 1)  # type: ignore[attr-defined]
    with units_db.transaction("read", write=False) as session:
        kept = shopper_scores(session, ["ulp-ampenan"], date(2026, 11, 23), date(2026, 11, 23))
    assert [(s.touchpoint, s.aspect, s.score) for s in kept] == [
        ("frontliner", "Salam 4S", 80.0),
        ("satpam", "Menyapa", 80.0),
    ]
    assert len(AuditRepository(units_db).find(action="shopper.import")) == 2 + 2 + 1


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (["ulp-ampenan", "2026-11-23", "25:00", "loket", "Salam", 1, 3, 5], "line 2: time: '25:00' is not a time"),
        (["ulp-ampenan", "2026-11-23", "", "loket", "Salam", 1, 6, 5], "line 2: score: 6 is outside 0-5"),
        (["ulp-ampenan", "2026-11-23", "", "loket", "Salam", 0, 3, 5], "line 2: weight: must be above 0"),
        (["ulp-ampenan", "2026-11-23", "", "loket", "Salam", 1, 3, 0], "line 2: max_score: must be above 0"),
        (["ulp-ampenan", "2026-11-23", "", "", "Salam", 1, 3, 5], "line 2: touchpoint: empty"),
        (["ulp-ampenan", "2026-11-23", "", "loket", "", 1, 3, 5], "line 2: aspect: empty"),
        (["ulp-ampenan", "2026-11-23", "", "loket", "x" * 201, 1, 3, 5], "line 2: aspect: longer than 200"),
        (["ulp-ampenan", "2026-11-23", "", "loket", "Sa\x00lam", 1, 3, 5], "line 2: aspect: holds control characters"),
        (["ulp-ampenan", "2026-11-23", "", "loket", "Salam", 5000, 3, 5], "line 2: weight: 5000 is outside 0-1000"),
    ],
)
def test_a_bad_shopper_row_names_its_line_and_stores_nothing(units_db: Database, row: list, problem: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        _shopper(units_db, csv_text(SHOPPER_HEADER, [row, SHOPPER_ROWS[0]]))
    assert [p[: len(problem)] for p in caught.value.problems] == [problem]
    assert _count(units_db, ShopperScoreRecord) == 0


def test_an_aspect_twice_in_one_visit_is_refused(units_db: Database) -> None:
    with pytest.raises(ImportRejected) as caught:
        _shopper(units_db, csv_text(SHOPPER_HEADER, [SHOPPER_ROWS[0], SHOPPER_ROWS[0]]))
    assert caught.value.problems == ["line 3: the same visit, touchpoint and aspect as line 2"]


def test_json_rows_are_checked_like_a_file(units_db: Database) -> None:
    rows = [{"unit": "ulp-ampenan", "date": "2026-11-23", "csat_count": 3, "csat_mean": 9}, {"unit": "x", "name": "A"}]
    with pytest.raises(ImportRejected) as caught:
        json_records(rows, RATING_COLUMNS)
    assert caught.value.problems == [
        "rows: column 'name' would hold a person's identity or words; "
        "cvmon imports aggregate figures only: remove the column"
    ]
    with pytest.raises(ImportRejected) as caught:
        import_ratings(units_db, json_records(rows[:1], RATING_COLUMNS), UNITS, ACTOR, NOW, "api")
    assert caught.value.problems == ["row 1: csat_mean: 9 is outside 1-5"]

"""Ratings and mystery-shopper scores in the report: exact figures beside the camera's, merged quick wins,
both indices in the ranking, one link to a visit's evidence pack, the page in both languages, CSV, JSON, and
the import API (roles, CSRF, line errors, audit)."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cvmon.api.security import CSRF_HEADER
from cvmon.config.models import Config
from cvmon.imports.ratings import RATING_COLUMNS
from cvmon.imports.run import import_ratings, import_shopper_scores
from cvmon.imports.shopper import SHOPPER_COLUMNS
from cvmon.imports.table import text_records
from cvmon.reports.report import UnitReport, build_report
from cvmon.server import create_app
from cvmon.storage import Database
from cvmon.storage.audit import AuditActor, AuditRepository
from cvmon.storage.users import UserRepository
from tests.api.conftest import FAST_PASSWORDS, PASSWORD, SEED_ACTOR, FakeClock, make_settings
from tests.imports.conftest import RATING_HEADER, SHOPPER_HEADER, UNITS, csv_text
from tests.reports.conftest import M3

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
RATINGS = [
    ["ulp-ampenan", "2026-11-23", "app", "", 10, 4.2, 6, 2, 2, "", ""],
    ["ulp-ampenan", "2026-11-23", "contact_centre", "", 5, 3.0, 1, 1, 3, 5, 4.0],
    ["ulp-cakra", "2026-11-24", "app", "", 4, 5.0, 4, 0, 0, "", ""],
]
SHOPPER = [
    ["ulp-ampenan", "2026-11-23", "09:10", "loket", "Salam 4S", 2, 3, 5],
    ["ulp-ampenan", "2026-11-23", "09:10", "loket", "Waktu layanan", 1, 5, 5],
    ["ulp-ampenan", "2026-11-23", "09:10", "satpam", "Menyapa", 1, 80, ""],
    ["ulp-cakra", "2026-11-24", "", "pandu", "Mengarahkan", 1, 70, ""],
]
USERS = {
    "admin": ("admin", ["uiw-ntb"]),
    "manager-a": ("manager", ["ulp-ampenan"]),
    "pic-a": ("pic", ["ulp-ampenan"]),
    "viewer": ("viewer", ["up3-mataram"]),
}


def _import(db: Database) -> None:
    actor = AuditActor("cli:tester", "local")
    import_ratings(db, text_records(csv_text(RATING_HEADER, RATINGS), RATING_COLUMNS, "r"), UNITS, actor, NOW, "r")
    import_shopper_scores(
        db, text_records(csv_text(SHOPPER_HEADER, SHOPPER), SHOPPER_COLUMNS, "s"), UNITS, actor, NOW, "s"
    )


@pytest.fixture
def rated(report_db: tuple[Database, Config]) -> tuple[Database, Config]:
    _import(report_db[0])
    return report_db


def _report(db: Database, config: Config, unit: str, last: date = date(2026, 11, 23)) -> UnitReport:
    with db.transaction("read", write=False) as session:
        return build_report(session, config, unit, UNITS, date(2026, 11, 23), last)


def test_a_units_ratings_and_shopper_scores_sit_beside_its_camera_figures(rated: tuple[Database, Config]) -> None:
    report = _report(*rated, "ulp-ampenan")
    c = report.customer
    assert c is not None and c.ratings is not None
    # CSAT (10 x 4.2 + 5 x 3.0) / 15 = 3.8; NPS 100 x (7 - 5) / 15 = 13.3; CES 4.0 from 5 answers
    assert (c.ratings.csat_count, c.ratings.csat_mean, c.ratings.nps, c.ratings.ces_count, c.ratings.ces_mean) == (
        15, 3.8, 13.3, 5, 4.0
    )  # fmt: skip
    assert [(r.channel, r.csat_mean, r.nps) for r in c.channels] == [("app", 4.2, 40.0), ("contact_centre", 3.0, -40.0)]
    # one visit: (2 x 60 + 1 x 100 + 1 x 80) / 4 = 75; frontliner (2 x 60 + 100) / 3 = 73.3
    assert c.shopper_index == 75.0
    (visit,) = c.visits
    assert (visit.score, visit.touchpoints) == (75.0, (("frontliner", 73.3), ("satpam", 80.0)))
    assert visit.pack_url == "/evidence/pack?unit=ulp-ampenan&date=2026-11-23&from=08%3A55&to=10%3A10"
    by_touchpoint = {t.touchpoint: t for t in c.touchpoints}
    assert list(by_touchpoint) == ["frontliner", "pandu", "satpam"]
    front, guard, guide = by_touchpoint["frontliner"], by_touchpoint["satpam"], by_touchpoint["pandu"]
    # staff zone s staffed 60 of 180 s, empty 2 minutes while the counter's customer or queue waited
    assert (front.score, front.zone_kinds, front.zones, front.episodes, front.episode_minutes) == (
        73.3, ("counter_staff",), 1, 1, 2
    )  # fmt: skip
    assert front.staffed_share == pytest.approx(1 / 3)
    # post p staffed 60 + 60 + 20 of 180 s; Satpam and Pandu both map onto it
    assert guard.staffed_share == pytest.approx(140 / 180) and guide.staffed_share == pytest.approx(140 / 180)
    assert (guard.score, guide.score, guide.visits) == (80.0, None, 0)
    wins = [(w.source, w.aspect, w.score) for w in c.quick_wins]
    assert wins == [
        ("cvmon", "follow_up", 33.3),
        ("cvmon", "staffing", 55.6),
        ("mystery_shopper", "Salam 4S", 60.0),
        ("cvmon", "waiting", 66.7),
        ("cvmon", "queue", 66.7),
        ("mystery_shopper", "Menyapa", 80.0),
        ("cvmon", "comfort", 91.7),
    ]
    assert [w.aspect for w in report.quick_wins] == ["follow_up", "staffing", "waiting", "queue", "comfort"]


def test_the_ranking_shows_both_indices(rated: tuple[Database, Config]) -> None:
    report = _report(*rated, "up3-mataram", date(2026, 11, 24))
    assert report.customer is not None
    assert report.customer.shopper_index == 72.5  # the mean of the two visits, 75 and 70
    below = report.customer.below
    assert (below["ulp-ampenan"].shopper_index, below["ulp-ampenan"].csat_mean) == (75.0, 3.8)
    assert (below["ulp-cakra"].shopper_index, below["ulp-cakra"].nps, below["ulp-cakra"].visits) == (70.0, 100.0, 1)
    assert [r.unit_id for r in report.ranking] == ["ulp-ampenan", "ulp-cakra"]
    visit = report.customer.visits[1]
    assert (visit.unit_id, visit.start, visit.pack_url) == ("ulp-cakra", None, None)  # no time: no window


def test_a_report_without_imports_says_so_and_keeps_its_quick_wins(report_db: tuple[Database, Config]) -> None:
    report = _report(*report_db, "ulp-ampenan")
    assert report.customer is not None and not report.customer.has_data
    assert [w.aspect for w in report.customer.quick_wins] == [w.aspect for w in report.quick_wins]
    assert report.customer.satisfaction.points == ()


@pytest.fixture
def client_of(rated: tuple[Database, Config], tmp_path: Path):  # type: ignore[no-untyped-def]
    db, config = rated
    users = UserRepository(db, FAST_PASSWORDS)
    for name, (role, units) in USERS.items():
        users.add(name, PASSWORD, role, units, actor=SEED_ACTOR, now=M3)

    def login(username: str, language: str = "id") -> tuple[TestClient, str]:
        app = create_app(
            make_settings(),
            database=db,
            evidence_dir=tmp_path / "evidence",
            clock=FakeClock(M3),
            passwords=FAST_PASSWORDS,
            config=config,
        )
        client = TestClient(app, base_url="https://testserver")
        response = client.post("/api/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.cookies.set("cvmon_lang", language)
        return client, response.json()["csrf_token"]

    return login


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("id", ["Pelanggan dan mystery shopper", "Indeks mystery shopper", "Buka paket bukti", "Kamera (cvmon)",
                "Apa yang memengaruhi kepuasan", "Terlalu sedikit titik (1; perlu paling sedikit 10)"]),
        ("en", ["Customers and mystery shoppers", "Mystery-shopper index", "Open the evidence pack", "Cameras (cvmon)",
                "What moves satisfaction", "Too few points (1; at least 10 are needed)"]),
    ],
)  # fmt: skip
def test_the_page_shows_the_sections_and_the_visit_opens_its_evidence_pack(
    client_of, rated: tuple[Database, Config], language: str, words: list[str]
) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_of("pic-a", language)
    page = client.get("/reports?unit=ulp-ampenan&from=2026-11-23&to=2026-11-23")
    assert page.status_code == 200
    for word in words:
        assert word in page.text, word
    assert page.text.count('data-source="mystery_shopper"') == 2
    href = "/evidence/pack?unit=ulp-ampenan&amp;date=2026-11-23&amp;from=08%3A55&amp;to=10%3A10"
    assert f'href="{href}" data-testid="visit-pack"' in page.text
    pack = client.get(href.replace("&amp;", "&"))
    assert pack.status_code == 200
    (audited,) = AuditRepository(rated[0]).find(action="evidence.pack")
    assert (
        audited.details["from"] == "2026-11-23T08:55:00+08:00" and audited.details["to"] == "2026-11-23T10:10:00+08:00"
    )


def test_csv_and_json_carry_the_customer_figures(client_of) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_of("viewer")
    query = "unit=up3-mataram&from=2026-11-23&to=2026-11-24"
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/report.csv?{query}").text)))
    cells = {(r[0], r[1]): r[2] for r in rows}
    assert cells[("ratings", "all csat_mean")] == "4.053"  # (10 x 4.2 + 5 x 3 + 4 x 5) / 19, to 3 decimals
    assert cells[("mystery_shopper", "index")] == "72.5"
    assert cells[("ranking", "ulp-cakra mystery_shopper_index")] == "70"
    assert cells[("mystery_shopper", "aspect frontliner/Salam 4S")] == "60"
    assert cells[("satisfaction", "wait_p90_min vs csat verdict")] == "too_few"
    body = client.get(f"/api/reports?{query}").json()
    assert body["customer"]["shopper_index"] == 72.5
    assert body["customer"]["visits"][0]["start"] == "09:10:00"
    assert body["customer"]["satisfaction"]["relations"][0]["correlation"]["verdict"] == "too_few"


def test_the_import_api_checks_role_scope_csrf_and_rows(client_of, rated: tuple[Database, Config]) -> None:  # type: ignore[no-untyped-def]
    row = {"unit": "ulp-ampenan", "date": "2026-11-24", "channel": "app", "csat_count": 2, "csat_mean": 4.5}
    viewer, token = client_of("viewer")
    assert viewer.post("/api/imports/ratings", json={"rows": [row]}, headers={CSRF_HEADER: token}).status_code == 403
    manager, token = client_of("manager-a")
    assert manager.post("/api/imports/ratings", json={"rows": [row]}).status_code == 403  # no CSRF token
    done = manager.post(
        "/api/imports/ratings", json={"rows": [row], "source": "app-export"}, headers={CSRF_HEADER: token}
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"rows": 1, "added": 1, "changed": 0, "unchanged": 0, "removed": 0, "units": ["ulp-ampenan"]}
    again = manager.post("/api/imports/ratings", json={"rows": [row]}, headers={CSRF_HEADER: token}).json()
    assert (again["added"], again["unchanged"]) == (0, 1)
    outside = {**row, "unit": "ulp-cakra"}
    bad = manager.post(
        "/api/imports/ratings", json={"rows": [outside, {**row, "csat_mean": 0}]}, headers={CSRF_HEADER: token}
    )
    assert bad.status_code == 422
    assert bad.json()["detail"]["problems"] == [
        "row 1: unit: 'ulp-cakra' is not one of your units",
        "row 2: csat_mean: 0 is outside 1-5",
    ]
    personal = manager.post(
        "/api/imports/mystery-shopper",
        json={"rows": [{"unit": "ulp-ampenan", "date": "2026-11-24", "touchpoint": "satpam", "aspect": "Salam",
                        "score": 90, "shopper_name": "Budi"}]},
        headers={CSRF_HEADER: token},
    )  # fmt: skip
    assert personal.status_code == 422
    assert "would hold a person's identity" in personal.json()["detail"]["problems"][0]
    audit = AuditRepository(rated[0]).find(action="ratings.import", actor="manager-a")
    assert [(a.target, a.details["source"], a.details["added"]) for a in audit] == [
        ("unit:ulp-ampenan", "api", 0),
        ("unit:ulp-ampenan", "app-export", 1),
    ]


def test_the_pdf_carries_the_customer_sections(rated: tuple[Database, Config], tmp_path: Path) -> None:
    from cvmon.reports.document import report_pdf

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf(_report(*rated, "ulp-ampenan"), "en", "pic-a", M3))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in (
        "Customers and mystery shoppers",
        "Mystery-shopper index",
        "Frontliner (counter)",
        "What moves satisfaction",
    ):
        assert words in text, words
    assert "Open the evidence pack" not in text  # a link for the page; the PDF has no server to open it from

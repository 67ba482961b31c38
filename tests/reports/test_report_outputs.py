"""The report page, its CSV and PDF downloads (audited, scope-restricted), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cvmon.api.app import create_app
from cvmon.config.models import Config
from cvmon.storage import Database
from cvmon.storage.audit import AuditRepository
from cvmon.storage.users import UserRepository
from tests.api.conftest import FAST_PASSWORDS, PASSWORD, SEED_ACTOR, FakeClock, make_settings
from tests.reports.conftest import M3

QUERY = "unit=ulp-ampenan&from=2026-11-23&to=2026-11-23"
USERS = {"pic-a": ("pic", ["ulp-ampenan"]), "pic-b": ("pic", ["ulp-cakra"]), "viewer": ("viewer", ["up3-mataram"])}


@pytest.fixture
def app_of(report_db: tuple[Database, Config], tmp_path: Path):  # type: ignore[no-untyped-def]
    db, config = report_db
    users = UserRepository(db, FAST_PASSWORDS)
    for name, (role, units) in USERS.items():
        users.add(name, PASSWORD, role, units, actor=SEED_ACTOR, now=M3)

    def build(with_config: bool = True) -> TestClient:
        app = create_app(
            make_settings(),
            database=db,
            evidence_dir=tmp_path / "evidence",
            clock=FakeClock(M3),
            passwords=FAST_PASSWORDS,
            config=config if with_config else None,
        )
        return TestClient(app, base_url="https://testserver")

    return build


def _login(client: TestClient, username: str) -> TestClient:
    response = client.post("/api/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client


def _exports(db: Database) -> list:
    return AuditRepository(db).find(action="report.export")


def test_report_page_shows_index_figures_and_quick_wins(app_of) -> None:  # type: ignore[no-untyped-def]
    page = _login(app_of(), "pic-a").get(f"/reports?{QUERY}")
    assert page.status_code == 200
    text = page.text
    assert re.search(r'class="index-value">62.5%<', text)
    assert 'data-testid="category">Cukup<' in text
    assert re.findall(r'<li data-aspect="([a-z_]+)">', text) == ["follow_up", "staffing", "waiting", "queue", "comfort"]
    figures = dict(re.findall(r'<tr data-figure="([a-z_0-9]+)"><td>[^<]*</td><td class="num">([^<]*)</td>', text))
    assert figures["queue_mean"] == "2"
    assert figures["queue_p90"] == "2.8"
    assert figures["wait_p50"] == "2.0 min"  # 120 s, within 2 %
    assert figures["wait_over"] == "33%"
    assert figures["staffed"] == "56%"
    assert figures["median_ack"] == "90 s"
    assert text.count("<svg") == 1  # the aspect chart (a ULP has no units below)
    assert "<script" not in text.split("<main>")[1]


def test_csv_download_is_audited_and_matches(app_of, report_db) -> None:  # type: ignore[no-untyped-def]
    response = _login(app_of(), "pic-a").get(f"/reports/report.csv?{QUERY}")
    assert response.status_code == 200
    assert 'filename="cvmon-report-ulp-ampenan-2026-11-23-2026-11-23.csv"' in response.headers["content-disposition"]
    rows = {(r["section"], r["item"]): r for r in csv.DictReader(io.StringIO(response.text))}
    assert (rows[("index", "value")]["value"], rows[("index", "value")]["previous"]) == ("62.5", "0")
    assert rows[("queue", "mean_length")]["value"] == "2"
    assert float(rows[("wait", "p90_s")]["value"]) == pytest.approx(824.0, rel=0.02)
    assert rows[("staffing", "unstaffed_episodes_with_customers")]["value"] == "2"
    assert rows[("alerts", "rule queue_long")]["value"] == "1"
    assert rows[("alerts", "rule queue_long")]["previous"] == "1"  # the Sunday alert
    exports = _exports(report_db[0])
    assert [(e.actor, e.details["format"], e.target) for e in exports] == [("pic-a", "csv", "unit:ulp-ampenan")]


def test_pdf_holds_the_key_figures_and_renders_to_pages(app_of, report_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    response = _login(app_of(), "pic-a").get(f"/reports/report.pdf?{QUERY}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("ULP Ampenan", "62.5%", "Cukup", "23 Nov 2026", "Tindak lanjut: 33.3%", "2.0 min"):
        assert expected in text, expected
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages and all(p.stat().st_size > 5000 for p in pages)
    assert [e.details["format"] for e in _exports(report_db[0])] == ["pdf"]


def test_reports_are_scoped_and_need_the_configuration(app_of, report_db) -> None:  # type: ignore[no-untyped-def]
    other = _login(app_of(), "pic-b")
    for path in (f"/reports?{QUERY}", f"/reports/report.csv?{QUERY}", f"/reports/report.pdf?{QUERY}"):
        assert other.get(path).status_code == 404, path
    assert _exports(report_db[0]) == []
    viewer = _login(app_of(), "viewer")
    assert viewer.get(f"/reports?{QUERY}").status_code == 200  # figures, no images: every role
    assert viewer.get("/reports?unit=ulp-ampenan&from=2026-11-30&to=2026-11-01").status_code == 422
    assert viewer.get("/reports?unit=ulp-ampenan&from=yesterday").status_code == 422
    assert _login(app_of(with_config=False), "pic-a").get(f"/reports?{QUERY}").status_code == 409

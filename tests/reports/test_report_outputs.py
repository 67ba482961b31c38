"""The report page, its CSV and PDF downloads (audited, scope-restricted), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cvmon.config.models import Config
from cvmon.server import create_app
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


def _figures(page: str) -> dict[str, str]:
    """Each figure row's value this period (its text, tags dropped)."""
    rows = re.findall(r'<tr data-figure="([a-z_0-9]+)">.*?<td class="num wraps">(.*?)</td>', page, re.S)
    return {key: re.sub(r"<[^>]+>", "", value).strip() for key, value in rows}


def _quick_wins(page: str) -> dict[str, str]:
    """Each quick win's text, tags dropped and spaces joined, by aspect."""
    items = re.findall(r'<li data-aspect="([a-z_]+)">(.*?)</li>', page, re.S)
    return {aspect: " ".join(re.sub(r"<[^>]+>", " ", body).split()) for aspect, body in items}


def test_report_page_shows_index_figures_and_quick_wins(app_of) -> None:  # type: ignore[no-untyped-def]
    page = _login(app_of(), "pic-a").get(f"/reports?{QUERY}")
    assert page.status_code == 200
    text = page.text
    assert re.search(r'class="index-value">62.5%<', text)
    assert 'data-testid="category">Cukup<' in text
    assert re.findall(r'<li data-aspect="([a-z_]+)">', text) == ["follow_up", "staffing", "waiting", "queue", "comfort"]
    figures = _figures(text)
    assert figures["queue_mean"] == "2"
    assert figures["queue_p90"] == "2.8"
    assert figures["queue_max"] == "4 orang"
    assert figures["wait_p50"] == "2.0 min"  # 120 s, within 2 %
    assert figures["wait_over"] == "33%"
    assert figures["staffed"] == "56%"
    assert figures["episodes"] == "2 kali, 3 menit"
    assert figures["median_ack"] == "90 s"
    assert text.count("<svg") == 2  # the aspect chart, wide and narrow (a ULP has no units below)
    assert "<script" not in text.split("<main>")[1]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "id",
            {
                "follow_up": ["Tindak lanjut: 33.3%", "target 90%, kurang 56.7 poin", "33% dari 3 peringatan"],
                "staffing": ["kosong saat pelanggan menunggu 2 kali (3 menit)", "Artinya:"],
                "waiting": ["33% dari 3 kunjungan menunggu lebih lama dari SLA 10.0 min", "p90 13."],
                "queue": ["3 orang atau lebih pada 33% dari 3 menit", "terpanjang 4 orang", "walau angka per menit"],
                "comfort": ["Kenyamanan (kapasitas): 91.7%", "target 95%, kurang 3.3 poin", "8% dari waktu"],
            },
        ),
        (
            "en",
            {
                "follow_up": ["Follow-up: 33.3%", "target 90%, 56.7 points short", "33% of 3 alerts resolved"],
                "staffing": ["unstaffed while customers waited 2 times (3 minutes)", "What it means:"],
                "waiting": ["33% of 3 visits waited longer than the 10.0 min SLA", "p90 13."],
                "queue": ["3 people or more in 33% of 3 minutes", "longest 4 people", "alerts while this"],
                "comfort": ["Comfort (capacity): 91.7%", "target 95%, 3.3 points short", "8% of observed"],
            },
        ),
    ],
)
def test_each_quick_win_gives_its_figure_and_what_it_means(app_of, language: str, expected: dict) -> None:  # type: ignore[no-untyped-def]
    client = _login(app_of(), "pic-a")
    client.cookies.set("cvmon_lang", language)
    wins = _quick_wins(client.get(f"/reports?{QUERY}").text)
    assert list(wins) == list(expected)
    for aspect, parts in expected.items():
        for part in parts:
            assert part in wins[aspect], (aspect, part, wins[aspect])


@pytest.mark.parametrize(
    ("language", "staff_post", "queue_over", "queue_long"),
    [
        ("id", "1 kali, 1 menit", "rata-rata antrean per menit 3 orang atau lebih", "Dihitung per saat"),
        ("en", "1 time, 1 minute", "mean queue over the minute was 3 people or more", "Counted per moment"),
    ],
)
def test_plurals_and_definitions_beside_figures(  # type: ignore[no-untyped-def]
    app_of, language: str, staff_post: str, queue_over: str, queue_long: str
) -> None:
    client = _login(app_of(), "pic-a")
    client.cookies.set("cvmon_lang", language)
    text = client.get(f"/reports?{QUERY}").text
    post = re.search(r'<tr data-zone="cam-a/p">.*?</tr>', text, re.S)
    assert post and staff_post in re.sub(r"<[^>]+>", "", post.group(0))
    # The per-minute queue figure and the per-moment long-queue alerts each say how they are counted.
    row = re.search(r'<tr data-figure="queue_over">.*?</tr>', text, re.S)
    assert row and queue_over in row.group(0)
    rule = re.search(r'<tr data-rule="queue_long">.*?</tr>', text, re.S)
    assert rule and queue_long in rule.group(0)


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


def _pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(
    ("language", "head", "made", "page_of"),
    [
        ("id", "Periode 23 Nov 2026", "Dibuat 23 Nov 2026 09.02 WITA oleh pic-a", "Halaman {n} dari {pages}"),
        ("en", "Period 23 Nov 2026", "Generated 23 Nov 2026 09:02 WITA by pic-a", "Page {n} of {pages}"),
    ],
)
def test_pdf_is_a4_with_unit_period_time_and_page_numbers_on_every_page(  # type: ignore[no-untyped-def]
    app_of, report_db, tmp_path: Path, language: str, head: str, made: str, page_of: str
) -> None:
    client = _login(app_of(), "pic-a")
    client.cookies.set("cvmon_lang", language)
    response = client.get(f"/reports/report.pdf?{QUERY}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 2
    each = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", each)
    assert len(sizes) == pages, each
    for width, height in sizes:  # 210 x 297 mm in points
        assert float(width) == pytest.approx(210 / 25.4 * 72, abs=0.1)
        assert float(height) == pytest.approx(297 / 25.4 * 72, abs=0.1)
    for n in range(1, pages + 1):
        text = _pdf_text(pdf, n)
        for expected in ("ULP Ampenan", head, made, page_of.format(n=n, pages=pages)):
            assert expected in text, (n, expected)
    whole = _pdf_text(pdf)
    kind = "Tindak lanjut: 33.3%" if language == "id" else "Follow-up: 33.3%"
    for expected in ("62.5%", kind, "2.0 min"):
        assert expected in whole, expected
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages and all(p.stat().st_size > 5000 for p in images)
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

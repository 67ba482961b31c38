"""The evidence pack of one visit (SQLite and PostgreSQL): its figures are the seeded minute rows, it lists the
alerts and snapshots of its window only, keeps to the caller's units and role, is audited, and its PDF holds
the figures and the embedded snapshot."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cvmon.reports.evidence_pack import PackUnitNotFound, PackWindowError, evidence_pack
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.audit import AuditAction
from cvmon.types import AlertChange, ChangeKind, Rule
from tests.api.conftest import T0, Seeded
from tests.web.conftest import Browser

MATARAM = ["ulp-ampenan", "ulp-cakra", "up3-mataram"]
# The seeded window: minutes 09:00, 09:01 and 09:02 WITA (01:00 to 01:02 UTC) of 23 Nov 2026.
PACK = "/evidence/pack?unit=ulp-ampenan&date=2026-11-23&from=09:00&to=09:03"
PDF = "/evidence/pack.pdf?unit=ulp-ampenan&from=2026-11-23T09:00&to=2026-11-23T09:03"


def _minute(i: int) -> Any:
    return T0 + timedelta(minutes=i)


def _pack(seeded: Seeded, unit: str, scope: list[str], start: Any, end: Any) -> Any:
    with seeded.db.transaction("test", write=False) as session:
        return evidence_pack(session, unit, scope, start, end)


def _expected_queue_a(i: int) -> dict[str, Any]:
    """Minute i of queue-a as seeded: 300 samples counting 300*(i+2) people, at most i+3, capacity 8, two visits
    of 40 s and 55 s (p50 47.5 s, p90 40 + 0.9 * 15 = 53.5 s; from the histogram within 2 %: 47.5 and 53.2 s)."""
    mean = (300 * (i + 2)) / 300
    return {
        "count_mean": mean,
        "count_max": i + 3,
        "occupancy": mean / 8,
        "staffed_ratio": None,
        "visits": 2,
        "wait_p50_s": 47.5,
        "wait_p90_s": 53.2,
        "seconds_offline": 0.0,
    }


# staff-a: 300 people-samples over 300 samples (1 person), 45 of 60 s staffed, no visits, no wait figures.
EXPECTED_STAFF_A = {
    "count_mean": 1.0,
    "count_max": 1,
    "occupancy": None,
    "staffed_ratio": 0.75,
    "visits": 0,
    "wait_p50_s": None,
    "wait_p90_s": None,
    "seconds_offline": 0.0,
}


def _figures(point: Any) -> dict[str, Any]:
    return {k: getattr(point, k) for k in EXPECTED_STAFF_A}


def test_pack_figures_are_the_seeded_minute_rows(seeded: Seeded) -> None:
    pack = _pack(seeded, "ulp-ampenan", ["ulp-ampenan"], _minute(0), _minute(3))
    assert (pack.unit.name, pack.unit.timezone, pack.units, pack.window_minutes) == (
        "ULP Ampenan",
        "Asia/Makassar",
        ["ulp-ampenan"],
        3,
    )
    (cam,) = pack.cameras
    assert cam.id == "cam-a" and [z.zone_id for z in cam.zones] == ["queue-a", "staff-a"]
    queue, staff = cam.zones
    assert [p.t for p in queue.points] == [_minute(i) for i in range(3)]
    assert [_figures(p) for p in queue.points] == [_expected_queue_a(i) for i in range(3)]
    assert [_figures(p) for p in staff.points] == [EXPECTED_STAFF_A] * 3
    # Coverage: frames 300, 299, 298, each minute fully online.
    assert [(c.minute, c.frames_analysed, c.seconds_online, c.seconds_offline) for c in cam.coverage] == [
        (_minute(i), 300 - i, 60.0, 0.0) for i in range(3)
    ]
    assert (cam.seconds_online, cam.seconds_offline) == (180.0, 0.0)

    later = _pack(seeded, "ulp-ampenan", ["ulp-ampenan"], _minute(1), _minute(2))
    assert [[p.t for p in z.points] for z in later.cameras[0].zones] == [[_minute(1)], [_minute(1)]]
    assert [c.minute for c in later.cameras[0].coverage] == [_minute(1)]


def test_pack_of_a_unit_holds_its_subtree_only(seeded: Seeded) -> None:
    pack = _pack(seeded, "up3-mataram", MATARAM, _minute(0), _minute(3))
    assert pack.units == MATARAM
    assert [c.id for c in pack.cameras] == ["cam-a", "cam-b"]
    queue_b = pack.cameras[1].zones[0]
    # queue-b: the default row, 630 people-samples over 300 samples, at most 4, no capacity; no coverage rows.
    assert [(p.count_mean, p.count_max, p.occupancy, p.wait_p90_s) for p in queue_b.points] == [
        (2.1, 4, None, 53.2)
    ] * 3
    assert pack.cameras[1].coverage == []
    assert sorted(a.camera_id for a in pack.alerts) == ["cam-a", "cam-b"]
    assert sorted(s.camera_id for s in pack.snapshots) == ["cam-a", "cam-b"]
    with pytest.raises(PackUnitNotFound):
        _pack(seeded, "ulp-bima", MATARAM, _minute(0), _minute(3))
    with pytest.raises(PackUnitNotFound):
        _pack(seeded, "up3-mataram", ["ulp-ampenan"], _minute(0), _minute(3))


def test_pack_lists_alerts_and_snapshots_of_its_window_only(seeded: Seeded) -> None:
    alert, shot = seeded.alerts["cam-a"], seeded.evidence["cam-a"]  # both at 09:01 WITA

    def found(start: int, end: int) -> tuple[list[int], list[int]]:
        pack = _pack(seeded, "ulp-ampenan", ["ulp-ampenan"], _minute(start), _minute(end))
        return [a.id for a in pack.alerts], [s.id for s in pack.snapshots]

    assert found(0, 1) == ([], [])  # before the alert opened and the snapshot was taken
    assert found(1, 2) == ([alert], [shot])
    assert found(2, 10) == ([alert], [])  # still open, no snapshot after 09:01
    cleared = AlertChange(Rule.QUEUE_LONG, "queue-a", ChangeKind.CLEARED, _minute(3), 0.0, _minute(1))
    AlertRepository(seeded.db).apply_changes("ulp-ampenan", "cam-a", [cleared])
    assert found(2, 10) == ([alert], [])  # cleared at 09:03, inside the window
    assert found(3, 10) == ([alert], [])  # cleared at the window's start: still overlapping
    assert found(4, 10) == ([], [])  # cleared before the window


@pytest.mark.parametrize(
    ("minutes", "reason"),
    [(0, "short"), (-5, "short"), (6 * 60 + 1, "long")],
)
def test_pack_window_bounds(seeded: Seeded, minutes: int, reason: str) -> None:
    with pytest.raises(PackWindowError) as caught:
        _pack(seeded, "ulp-ampenan", ["ulp-ampenan"], _minute(0), _minute(minutes))
    assert caught.value.reason == reason
    assert _pack(seeded, "ulp-ampenan", ["ulp-ampenan"], _minute(0), _minute(6 * 60)).window_minutes == 360
    with pytest.raises(PackWindowError):
        _pack(seeded, "ulp-ampenan", ["ulp-ampenan"], _minute(0).replace(tzinfo=None), _minute(1).replace(tzinfo=None))


def _zone_rows(page: str, zone: str) -> list[dict[str, str]]:
    """The figures of each minute row of a zone's table, by their data-fig names."""
    block = re.search(rf'<div class="zone" data-zone="{zone}">(.*?)</div>', page, re.DOTALL)
    assert block is not None, zone
    rows = re.findall(r'<tr data-minute="[^"]+">(.*?)</tr>', block.group(1), re.DOTALL)
    return [dict(re.findall(r'data-fig="(\w+)">([^<]*)</td>', row)) for row in rows]


def _audit(web: Browser) -> list[Any]:
    return list(reversed(web.api.app.state.cvmon.audit.find(action=AuditAction.EVIDENCE_PACK.value)))


def test_pack_page_shows_the_minutes_alerts_and_thumbnails(web: Browser) -> None:
    client, _ = web.login("pic-a")
    form = client.get("/evidence/pack")
    assert form.status_code == 200 and 'data-testid="pack-form"' in form.text and 'data-testid="pack"' not in form.text
    assert 'value="ulp-ampenan"' in form.text and 'value="ulp-cakra"' not in form.text
    assert _audit(web) == []  # the form alone shows no evidence

    response = client.get(PACK)
    assert response.status_code == 200
    page = response.text
    assert "ULP Ampenan, 23 Nov 2026 09.00 WITA sampai 23 Nov 2026 09.03 WITA" in page
    assert 'data-camera="cam-a"' in page and 'data-camera="cam-b"' not in page
    assert _zone_rows(page, "queue-a") == [
        {"mean": "2", "max": "3", "occupancy": "25%", "visits": "2", "p50": "47.5 s", "p90": "53.2 s", "offline": "0"},
        {"mean": "3", "max": "4", "occupancy": "38%", "visits": "2", "p50": "47.5 s", "p90": "53.2 s", "offline": "0"},
        {"mean": "4", "max": "5", "occupancy": "50%", "visits": "2", "p50": "47.5 s", "p90": "53.2 s", "offline": "0"},
    ]
    assert (
        _zone_rows(page, "staff-a") == [{"mean": "1", "max": "1", "staffed": "75%", "visits": "0", "offline": "0"}] * 3
    )
    assert "daring 180 s, luring 0 s; 3 dari 3 menit dengan data" in page
    alert, shot = web.api.seeded.alerts, web.api.seeded.evidence
    assert f'<tr data-alert="{alert["cam-a"]}">' in page and f'data-alert="{alert["cam-b"]}"' not in page
    assert f'src="/api/evidence/{shot["cam-a"]}/image"' in page and f"/api/evidence/{shot['cam-b']}/" not in page
    assert "/evidence/pack.pdf?unit=ulp-ampenan&amp;from=2026-11-23T09%3A00&amp;to=2026-11-23T09%3A03" in page

    (entry,) = _audit(web)
    assert (entry.actor, entry.target) == ("pic-a", "unit:ulp-ampenan")
    assert entry.details == {
        "unit": "ulp-ampenan",
        "from": "2026-11-23T09:00:00+08:00",
        "to": "2026-11-23T09:03:00+08:00",
        "format": "html",
        "evidence": [shot["cam-a"]],
    }
    # The thumbnails are views of the audited image endpoint.
    assert client.get(f"/api/evidence/{shot['cam-a']}/image").status_code == 200

    early = client.get("/evidence/pack?unit=ulp-ampenan&date=2026-11-23&from=08:00&to=09:01").text
    assert f'data-alert="{alert["cam-a"]}"' not in early and f'data-evidence="{shot["cam-a"]}"' not in early
    assert "Tidak ada peringatan selama rentang ini." in early and "Tidak ada cuplikan dalam rentang ini." in early


def test_pack_keeps_to_the_callers_units_and_role(web: Browser) -> None:
    client, _ = web.login("pic-a")
    for path in (
        PACK.replace("ulp-ampenan", "ulp-cakra"),
        PACK.replace("ulp-ampenan", "no-such-unit"),
        PDF.replace("ulp-ampenan", "ulp-cakra"),
        "/evidence/pack?unit=ulp-bima",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Tidak ditemukan." in response.text
    viewer, _ = web.login("viewer")
    for path in ("/evidence/pack", PACK.replace("ulp-ampenan", "up3-mataram"), PDF):
        assert viewer.get(path).status_code == 403, path
    assert "/evidence/pack" not in viewer.get("/").text
    manager, _ = web.login("manager")
    page = manager.get(PACK.replace("ulp-ampenan", "up3-mataram")).text
    assert 'data-camera="cam-a"' in page and 'data-camera="cam-b"' in page and 'data-camera="cam-c"' not in page
    assert 'href="/evidence/pack"' in manager.get("/evidence").text
    assert [(e.actor, e.target) for e in _audit(web)] == [("manager", "unit:up3-mataram")]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("unit=ulp-ampenan&date=23-11-2026&from=09:00&to=09:03", "Tanggal tidak valid: 23-11-2026"),
        ("unit=ulp-ampenan&date=2026-11-23&from=9h&to=09:03", "Waktu tidak valid: 9h"),
        ("unit=ulp-ampenan&date=2026-11-23&from=09:00&to=09:00", "paling sedikit 1 menit"),
        ("unit=ulp-ampenan&date=2026-11-23&from=09:03&to=09:00", "paling sedikit 1 menit"),
        ("unit=ulp-ampenan&date=2026-11-23&from=08:00&to=14:01", "paling lama 6 jam"),
        ("unit=ulp-ampenan&date=2026-11-23&from=09:00", "Isi unit, tanggal"),
        ("date=2026-11-23&from=09:00&to=09:03", "Isi unit, tanggal"),
        ("unit=ulp-ampenan&date=0001-01-01&from=00:00&to=01:00", "di luar rentang"),
        ("unit=ulp-ampenan&date=2026-11-23&from=09:00&to=" + "9" * 100, "to:"),
    ],
)
def test_bad_pack_input_gives_the_error_page(web: Browser, query: str, message: str) -> None:
    client, _ = web.login("auditor")
    response = client.get(f"/evidence/pack?{query}")
    assert response.status_code == 422
    assert message in response.text and "Terjadi kesalahan" in response.text
    assert _audit(web) == []


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("unit=ulp-ampenan&from=2026-11-23T09:00&to=nine", 422),
        ("unit=ulp-ampenan&from=2026-11-23T09:00&to=2026-11-23T15:01", 422),
        ("unit=ulp-ampenan&from=2026-11-23T09:00", 422),
        ("unit=ulp-ampenan&from=2026-11-23T01:00Z&to=2026-11-23T01:03%2B00:00", 200),
    ],
)
def test_pdf_input(web: Browser, query: str, status: int) -> None:
    client, _ = web.login("auditor")
    response = client.get(f"/evidence/pack.pdf?{query}")
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == ("application/pdf" if status == 200 else "text/html; charset=utf-8")


def _run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, timeout=60).stdout


def test_pack_pdf_holds_the_figures_and_the_snapshot(web: Browser, tmp_path: Path) -> None:
    client, _ = web.login("auditor")
    response = client.get(PDF)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert (
        response.headers["content-disposition"] == 'attachment; filename="evidence-pack-ulp-ampenan-20261123-0900.pdf"'
    )
    assert response.headers["cache-control"] == "no-store"
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(response.content)

    text = " ".join(_run("pdftotext", "-layout", pdf, "-").split())
    shot = web.api.seeded.evidence["cam-a"]
    for expected in (
        "Paket bukti kunjungan",
        "ULP Ampenan, 23 Nov 2026 09.00 WITA sampai 23 Nov 2026 09.03 WITA",
        "Dibuat 23 Nov 2026 11.00 WITA oleh auditor",
        "queue-a",
        "staff-a",
        "09.00 WITA 2 3 25% 2 47.5 s 53.2 s 0",
        "09.01 WITA 3 4 38% 2 47.5 s 53.2 s 0",
        "09.02 WITA 4 5 50% 2 47.5 s 53.2 s 0",
        "09.00 WITA 1 1 75% 0 0",
        "09.02 WITA 298 60 0",
        "daring 180 s, luring 0 s; 3 dari 3 menit dengan data",
        "Antrean panjang",
        f"Bukti #{shot}",
    ):
        assert expected in text, expected
    assert "cam-b" not in text

    _run("pdftoppm", "-png", "-r", "40", pdf, tmp_path / "page")
    assert sorted(tmp_path.glob("page*.png")), "no page rendered"
    images = _run("pdfimages", "-list", pdf).splitlines()[2:]
    # The seeded snapshot (160 x 90, JPEG) is embedded as an image of its own.
    assert [(cols[3], cols[4], cols[8]) for cols in (line.split() for line in images)] == [("160", "90", "jpeg")]

    (entry,) = _audit(web)
    assert (entry.actor, entry.target, entry.details["format"]) == ("auditor", "unit:ulp-ampenan", "pdf")
    assert (entry.details["from"], entry.details["to"], entry.details["evidence"]) == (
        "2026-11-23T09:00:00+08:00",
        "2026-11-23T09:03:00+08:00",
        [shot],
    )


@pytest.mark.parametrize(
    ("language", "head", "made", "page_of"),
    [
        (
            "id",
            "Paket bukti kunjungan · ULP Ampenan",
            "Dibuat 23 Nov 2026 11.00 WITA oleh auditor",
            "Halaman {n} dari {pages}",
        ),
        (
            "en",
            "Evidence pack for a visit · ULP Ampenan",
            "Made 23 Nov 2026 11:00 WITA by auditor",
            "Page {n} of {pages}",
        ),
    ],
)
def test_pack_pdf_is_a4_with_unit_window_maker_and_page_numbers_on_every_page(
    web: Browser, tmp_path: Path, language: str, head: str, made: str, page_of: str
) -> None:
    client, _ = web.login("auditor")
    client.cookies.set("cvmon_lang", language)
    response = client.get(PDF)
    assert response.status_code == 200
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(response.content)
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", pdf)).group(1))  # type: ignore[union-attr]
    sizes = re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", _run("pdfinfo", "-f", "1", "-l", str(pages), pdf))
    assert len(sizes) == pages
    window = (
        "23 Nov 2026 09.00 WITA – 23 Nov 2026 09.03 WITA"
        if language == "id"
        else "23 Nov 2026 09:00 WITA – 23 Nov 2026 09:03 WITA"
    )
    for n in range(1, pages + 1):
        text = " ".join(_run("pdftotext", "-f", str(n), "-l", str(n), "-layout", pdf, "-").split())
        for expected in (head, window, made, page_of.format(n=n, pages=pages)):
            assert expected in text, (n, expected, text[:400])


def test_pack_pdf_marks_a_tampered_snapshot(web: Browser, tmp_path: Path) -> None:
    shot = web.api.seeded.evidence["cam-a"]
    context = web.api.app.state.cvmon
    (record,) = context.evidence.find(evidence_id=shot)
    (web.api.seeded.evidence_root / record.path).write_bytes(b"not the snapshot")
    client, _ = web.login("pic-a")
    response = client.get(PDF)
    assert response.status_code == 200
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(response.content)
    assert "(sha256 tidak cocok)" in " ".join(_run("pdftotext", pdf, "-").split())
    assert _run("pdfimages", "-list", pdf).splitlines()[2:] == []
    assert _audit(web)[0].details["unreadable"] == [shot]

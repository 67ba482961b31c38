"""The list pages (alerts, evidence, audit log) a page at a time with their filters, the bulk acknowledge
form, and the dashboard's summary per unit: what the server renders, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np

from cvmon.evidence import anonymise
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.audit import AuditAction, AuditRepository
from cvmon.storage.evidence import EvidenceRepository
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.types import AlertChange, ChangeKind, Rule
from tests.api.conftest import T0, sqlite_only
from tests.web.conftest import Browser

ROW = re.compile(r'<tr data-alert="(\d+)"')


def _more_alerts(web: Browser, n: int, *, rule: Rule = Rule.LONG_WAIT, start_min: int = 10) -> list[int]:
    """``n`` alerts on cam-a, one a minute from T0 + ``start_min``; the odd ones cleared 5 minutes later."""
    repo = AlertRepository(web.api.seeded.db)
    ids = []
    for i in range(n):
        at = T0 + timedelta(minutes=start_min + i)
        changes = [AlertChange(rule, "queue-a", ChangeKind.OPENED, at, 5.0, at)]
        if i % 2:
            changes.append(AlertChange(rule, "queue-a", ChangeKind.CLEARED, at + timedelta(minutes=5), 1.0, at))
        ids.append(repo.apply_changes("ulp-ampenan", "cam-a", changes)[0].alert_id)
    return ids


def _rows(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


def _card(html: str, unit: str) -> str:
    """The summary card of one unit, from its opening tag."""
    found = re.search(rf'<article class="([^"]*)" data-unit-summary="{unit}">(.*?)</article>', html, re.DOTALL)
    assert found is not None, unit
    return found.group(1) + found.group(2)


def test_alerts_page_shows_fifty_at_a_time_with_a_pager_that_keeps_the_filters(web: Browser) -> None:
    extra = _more_alerts(web, 60)
    client, _ = web.login("pic-a")
    first = client.get("/alerts").text
    newest_first = [*reversed(extra), web.api.seeded.alerts["cam-a"]]
    assert _rows(first) == newest_first[:50]
    assert "1–50 dari 61" in first
    assert 'href="?state=open&amp;page=2" data-testid="older"' in first
    second = client.get("/alerts?state=open&page=2").text
    assert _rows(second) == newest_first[50:]
    assert "51–61 dari 61" in second and 'data-testid="older"' not in second
    assert 'href="?state=open&amp;page=1" data-testid="newer"' in second
    filtered = client.get("/alerts?rule=long_wait&state=open&camera=cam-a").text
    assert _rows(filtered) == list(reversed(extra))[:50]
    assert 'href="?camera=cam-a&amp;rule=long_wait&amp;state=open&amp;page=2"' in filtered
    assert _rows(client.get("/alerts?state=waiting&rule=long_wait").text) == list(reversed(extra[1::2]))
    assert _rows(client.get("/alerts?state=waiting&rule=queue_long").text) == []


def test_alert_days_are_the_units_days(web: Browser) -> None:
    """T0 is 09:00 WITA on 23 Nov; alerts opened from 16:00 UTC (00:00 WITA the next day) fall on the 24th."""
    late = _more_alerts(web, 2, start_min=15 * 60)  # 16:00 and 16:01 UTC
    client, _ = web.login("pic-a")
    assert _rows(client.get("/alerts?from=2026-11-24&to=2026-11-24").text) == list(reversed(late))
    assert _rows(client.get("/alerts?to=2026-11-23").text) == [web.api.seeded.alerts["cam-a"]]
    page = client.get("/alerts?from=2026-11-23").text
    assert 'name="from" value="2026-11-23"' in page and "Asia/Makassar" in page


def test_condition_ongoing_and_waiting_are_told_apart(web: Browser) -> None:
    ongoing, cleared = _more_alerts(web, 2)
    client, _ = web.login("pic-a")
    page = client.get("/alerts").text
    row = {int(m.group(1)): m.group(2) for m in re.finditer(r'<tr data-alert="(\d+)"(.*?)</tr>', page, re.DOTALL)}
    assert "condition-ongoing" in row[ongoing] and "Kondisi berlangsung" in row[ongoing]
    assert "condition-cleared" in row[cleared] and "Pulih, menunggu ditangani" in row[cleared]
    AlertRepository(web.api.seeded.db).acknowledge(cleared, "pic-a", T0 + timedelta(hours=1))
    english = web.client()
    english.cookies.set("cvmon_lang", "en")
    english.post("/login", data={"username": "pic-a", "password": "correct horse battery"})
    waiting = english.get("/alerts?state=waiting").text
    assert _rows(waiting) == [cleared] and "Over, awaiting follow-up" in waiting


@sqlite_only
def test_bad_list_filters_get_422_pages_and_foreign_units_404(web: Browser) -> None:
    client, _ = web.login("pic-a")
    for path, text in (
        ("/alerts?state=closed", "state: pilihan tidak dikenal &#39;closed&#39;"),
        ("/alerts?rule=loud", "rule: pilihan tidak dikenal &#39;loud&#39;"),
        ("/alerts?from=23-11-2026", "from: bukan tanggal (tttt-bb-hh): 23-11-2026"),
        ("/alerts?from=2026-11-24&to=2026-11-23", "Tanggal akhir sebelum tanggal awal."),
        ("/alerts?page=0", None),
        ("/evidence?kind=selfie", "kind: pilihan tidak dikenal &#39;selfie&#39;"),
        ("/evidence?to=yesterday", "to: bukan tanggal"),
    ):
        response = client.get(path)
        assert response.status_code == 422, path
        assert response.headers["content-type"].startswith("text/html")
        if text:
            assert text in response.text, path
    for path in ("/alerts?unit=ulp-cakra", "/alerts?camera=cam-b", "/evidence?unit=ulp-bima", "/evidence?camera=cam-c"):
        assert client.get(path).status_code == 404, path


def test_bulk_acknowledge_form_acks_the_ticked_alerts_one_audit_row_each(web: Browser) -> None:
    first, second = _more_alerts(web, 2)
    foreign = web.api.seeded.alerts["cam-b"]
    client, csrf = web.login("pic-a")
    page = client.get("/alerts").text
    assert 'form="bulk-ack"' in page and 'action="/alerts/ack"' in page and 'data-testid="check-all"' in page
    form = {"csrf_token": csrf, "ids": [str(first), str(second), str(foreign)], "next": "/alerts?rule=long_wait"}
    response = client.post("/alerts/ack", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/alerts?rule=long_wait&done=bulk&acked=2&skipped=0&refused=1"
    shown = client.get(response.headers["location"]).text
    assert "2 peringatan ditangani. 1 ditolak: tidak ada di unit Anda." in shown
    rows = AuditRepository(web.api.seeded.db).find(action=AuditAction.ALERT_ACK.value)
    assert sorted(r.target for r in rows) == sorted([f"alert:{first}", f"alert:{second}"])
    assert all(r.actor == "pic-a" and r.details["bulk"] is True for r in rows)
    assert AlertRepository(web.api.seeded.db).get(foreign).acked_at is None
    again = client.post("/alerts/ack", data={**form, "ids": [str(first)]})
    assert "0 peringatan ditangani. 1 dilewati karena sudah ditangani atau selesai." in again.text
    nothing = client.post("/alerts/ack", data={"csrf_token": csrf})
    assert "Tidak ada peringatan yang dipilih." in nothing.text
    assert len(AuditRepository(web.api.seeded.db).find(action=AuditAction.ALERT_ACK.value)) == 2


@sqlite_only
def test_bulk_acknowledge_form_needs_csrf_a_role_and_ids(web: Browser) -> None:
    alert_id = web.api.seeded.alerts["cam-a"]
    client, csrf = web.login("pic-a")
    assert client.post("/alerts/ack", data={"ids": [str(alert_id)]}).status_code == 403
    for ids in (["abc"], ["0"], [str(2**31)], [str(i) for i in range(1, 502)]):
        response = client.post("/alerts/ack", data={"csrf_token": csrf, "ids": ids})
        assert response.status_code == 422 and response.headers["content-type"].startswith("text/html"), ids[:2]
    viewer, token = web.login("viewer")
    assert viewer.post("/alerts/ack", data={"csrf_token": token, "ids": [str(alert_id)]}).status_code == 403
    assert 'id="bulk-ack"' not in viewer.get("/alerts").text and 'data-testid="pick"' not in viewer.get("/alerts").text
    assert AlertRepository(web.api.seeded.db).get(alert_id).acked_at is None


def test_evidence_page_is_paged_and_filtered(web: Browser) -> None:
    store = EvidenceRepository(web.api.seeded.db, EvidenceStore(web.api.seeded.evidence_root))
    jpeg = anonymise(np.zeros((90, 160, 3), np.uint8), [])
    periodic = [
        store.add("cam-a", "periodic", T0 + timedelta(minutes=10 + i), jpeg, {"queue-a": i}).id for i in range(55)
    ]
    client, _ = web.login("manager")
    page = client.get("/evidence").text
    shown = [int(i) for i in re.findall(r'<tr data-evidence="(\d+)"', page)]
    assert shown == list(reversed(periodic))[:50] and "1–50 dari 57" in page
    only_open = client.get("/evidence?kind=open").text
    assert sorted(int(i) for i in re.findall(r'<tr data-evidence="(\d+)"', only_open)) == sorted(
        [web.api.seeded.evidence["cam-a"], web.api.seeded.evidence["cam-b"]]
    )
    in_cakra = client.get("/evidence?unit=ulp-cakra&rule=queue_long").text
    assert re.findall(r'<tr data-evidence="(\d+)"', in_cakra) == [str(web.api.seeded.evidence["cam-b"])]
    assert 'data-testid="unit-filter"' in in_cakra and '<option value="ulp-cakra" selected>' in in_cakra
    assert 'value="cam-a"' not in in_cakra  # the camera choices follow the unit
    assert "1–0 dari 0" not in client.get("/evidence?from=2030-01-01").text


def test_audit_page_filters_by_unit_and_camera_with_a_pager(web: Browser) -> None:
    pic, csrf = web.login("pic-a")
    pic.post("/alerts/ack", data={"csrf_token": csrf, "ids": [str(web.api.seeded.alerts["cam-a"])]})
    admin, _ = web.login("admin")
    about_a = admin.get("/admin/audit?camera=cam-a").text
    assert re.findall(r'<tr data-action="([a-z._]+)"', about_a) == ["alert.ack"]
    assert 'href="/api/audit.csv?camera=cam-a"' in about_a
    cakra = admin.get("/admin/audit?unit=ulp-cakra").text
    assert "user:pic-b" in cakra and "user:pic-a" not in cakra
    everything = admin.get("/admin/audit").text
    assert re.search(r"1–\d+ dari \d+", everything)


def test_dashboard_opens_with_a_summary_per_unit_most_urgent_first(web: Browser) -> None:
    manager, _ = web.login("manager")
    page = manager.get("/").text
    assert page.index('data-testid="unit-summary"') < page.index('class="tiles"')
    order = re.findall(r'data-unit-summary="([a-z0-9-]+)"', page)
    assert order == ["ulp-cakra", "ulp-ampenan"]  # cam-b offline and an unacknowledged alert; then Ampenan
    cakra = _card(page, "ulp-cakra")
    assert "needs-action" in cakra and "1 peringatan belum ditangani" in cakra and "1 kamera luring" in cakra
    assert 'href="/alerts?unit=ulp-cakra&state=unacknowledged"' in cakra.replace("&amp;", "&")
    assert "2 unit perlu tindakan" in page
    AlertRepository(web.api.seeded.db).acknowledge(web.api.seeded.alerts["cam-a"], "manager", T0)
    refreshed = manager.get("/ui/tiles").text
    ampenan = _card(refreshed, "ulp-ampenan")
    assert "needs-action" not in ampenan and 'data-testid="reasons"' not in ampenan
    assert "1 unit perlu tindakan" in refreshed and 'data-camera="cam-a"' in refreshed

"""Acknowledging and resolving alerts through the API: roles, follow-up body, conflicts, audit rows."""

from __future__ import annotations

from cvmon.storage.audit import AuditAction, AuditRepository
from tests.api.conftest import NOW, Api, sqlite_only


def test_ack_then_resolve_with_follow_up_are_audited(api: Api) -> None:
    alert_id = api.seeded.alerts["cam-a"]
    client, csrf = api.login("pic-a", addr="10.2.3.4")
    headers = {"X-CSRF-Token": csrf}
    acked = client.post(f"/api/alerts/{alert_id}/ack", headers=headers).json()
    assert (acked["status"], acked["acked_by"], acked["acked_at"]) == ("acknowledged", "pic-a", "2026-11-23T03:00:00Z")
    api.clock.advance(minutes=30)
    body = {"category": "flow_change", "note": "  Opened loket 2 during the morning peak  "}
    resolved = client.post(f"/api/alerts/{alert_id}/resolve", json=body, headers=headers)
    assert resolved.status_code == 200
    out = resolved.json()
    assert (out["status"], out["resolved_by"], out["followup_category"]) == ("resolved", "pic-a", "flow_change")
    assert out["followup_note"] == "Opened loket 2 during the morning peak"
    assert out["acked_at"] == "2026-11-23T03:00:00Z"

    audit = AuditRepository(api.seeded.db)
    (ack_row,) = audit.find(action=AuditAction.ALERT_ACK.value)
    (resolve_row,) = audit.find(action=AuditAction.ALERT_RESOLVE.value)
    assert (ack_row.actor, ack_row.target, ack_row.client_addr, ack_row.ts) == (
        "pic-a",
        f"alert:{alert_id}",
        "10.2.3.4",
        NOW,
    )
    assert ack_row.details == {"unit": "ulp-ampenan", "camera": "cam-a", "rule": "queue_long"}
    assert resolve_row.target == f"alert:{alert_id}"
    assert resolve_row.details["category"] == "flow_change"
    assert resolve_row.details["note"] == body["note"]

    again = client.post(f"/api/alerts/{alert_id}/resolve", json=body, headers=headers)
    assert again.status_code == 409
    assert again.json() == {"detail": f"alert {alert_id} is already resolved"}
    assert client.post(f"/api/alerts/{alert_id}/ack", headers=headers).status_code == 409
    assert len(audit.find(action=AuditAction.ALERT_RESOLVE.value)) == 1
    assert [a["status"] for a in client.get("/api/alerts?open=true").json()] == []
    assert [a["id"] for a in client.get("/api/alerts?since=2026-11-23T01:01:00Z").json()] == [alert_id]
    assert client.get("/api/alerts?since=2026-11-23T01:02:00%2B00:00").json() == []


@sqlite_only
def test_resolve_needs_a_known_category_and_a_note(api: Api) -> None:
    alert_id = api.seeded.alerts["cam-b"]
    client, csrf = api.login("manager")
    headers = {"X-CSRF-Token": csrf}
    for body in ({"category": "shouting", "note": "x"}, {"category": "coaching", "note": ""}, {"category": "coaching"}):
        assert client.post(f"/api/alerts/{alert_id}/resolve", json=body, headers=headers).status_code == 422
    blank = client.post(f"/api/alerts/{alert_id}/resolve", json={"category": "other", "note": "   "}, headers=headers)
    assert blank.status_code == 409
    assert AuditRepository(api.seeded.db).find(action=AuditAction.ALERT_RESOLVE.value) == []


@sqlite_only
def test_auditor_and_viewer_change_nothing(api: Api) -> None:
    alert_id = api.seeded.alerts["cam-a"]
    for username in ("auditor", "viewer"):
        client, csrf = api.login(username)
        headers = {"X-CSRF-Token": csrf}
        assert client.post(f"/api/alerts/{alert_id}/ack", headers=headers).status_code == 403
        body = {"category": "coaching", "note": "n"}
        denied = client.post(f"/api/alerts/{alert_id}/resolve", json=body, headers=headers)
        assert denied.status_code == 403
        assert denied.json()["detail"] == f"role '{username}' may not do this (only admin, manager, pic)"
    audit = AuditRepository(api.seeded.db)
    assert audit.find(action=AuditAction.ALERT_ACK.value) == audit.find(action=AuditAction.ALERT_RESOLVE.value) == []


def test_ids_beyond_an_integer_column_and_nul_characters_are_422_not_server_errors(api: Api) -> None:
    """Found by the schema fuzz run: a huge id overflowed the INTEGER column (500 on SQLite, 503 on
    PostgreSQL), a NUL in the note or the unit could not be stored or compared on PostgreSQL (503)."""
    client, csrf = api.login("manager")
    headers = {"X-CSRF-Token": csrf}
    alert_id = api.seeded.alerts["cam-a"]
    body = {"category": "other", "note": "fixed"}
    for path in ("/api/alerts/54714175022646468608/ack", "/api/alerts/-198302924320/ack", "/api/alerts/0/ack"):
        assert client.post(path, headers=headers).status_code == 422, path
    assert client.post("/api/alerts/54714175022646468608/resolve", json=body, headers=headers).status_code == 422
    nul_note = client.post(f"/api/alerts/{alert_id}/resolve", json={**body, "note": "a\x00b"}, headers=headers)
    assert nul_note.status_code == 422
    assert "NUL characters are not allowed" in nul_note.json()["detail"][0]["msg"]
    nul_unit = client.get("/api/alerts?unit=ulp%00x")
    assert (nul_unit.status_code, nul_unit.json()) == (422, {"detail": "the URL may not contain NUL characters"})
    assert AuditRepository(api.seeded.db).find(action=AuditAction.ALERT_RESOLVE.value) == []
    assert client.get("/api/alerts?open=true").json()[0]["status"] == "open"


def test_since_out_of_range_is_422(api: Api) -> None:
    """A time that overflows when converted to UTC (year 1 east of UTC, year 9999 west of it) was a 503."""
    client, _ = api.login("admin")
    for since in ("0001-01-01T00:00:00%2B01:00", "9999-12-31T23:59:59-01:00", "1969-12-31T23:59:59Z"):
        response = client.get(f"/api/alerts?since={since}")
        assert response.status_code == 422, since
        assert response.json() == {"detail": "'since' must lie from 1970-01-01 to before 9999-01-01 (UTC)"}
    assert len(client.get("/api/alerts?since=1970-01-01T00:00:00Z").json()) == 3

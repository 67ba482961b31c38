"""The audit log: append-only, browsable and exportable by admins only, the export audited itself."""

from __future__ import annotations

import csv
import inspect
import io
import re

import pytest
from sqlalchemy import text

from cvmon.api.routers.audit import _cell
from cvmon.errors import StorageError
from cvmon.storage.audit import AuditAction, AuditActor, AuditRepository
from tests.api.conftest import NOW, PASSWORD, Api


def test_repository_has_no_way_to_change_or_remove_a_row() -> None:
    methods = {name for name, _ in inspect.getmembers(AuditRepository, inspect.isfunction)}
    assert methods == {"__init__", "record", "find", "count", "login_failures", "failed_logins", "verify", "_filtered"}
    forbidden = re.compile(r"update|delete|remove|clear|purge|edit|truncate|set_|replace", re.IGNORECASE)
    assert not [m for m in methods if forbidden.search(m)]


def test_rows_are_only_ever_appended(api: Api) -> None:
    audit = AuditRepository(api.seeded.db)
    before = audit.find(limit=10_000)
    assert {e.action for e in before} == {"user.add"}  # the seeded users
    admin, csrf = api.login("admin")
    api.client().post("/api/login", json={"username": "admin", "password": "nope-nope"})
    admin.post(f"/api/alerts/{api.seeded.alerts['cam-c']}/ack", headers={"X-CSRF-Token": csrf})
    admin.get(f"/api/evidence/{api.seeded.evidence['cam-c']}/image")
    admin.get("/api/audit.csv")
    after = audit.find(limit=10_000)
    assert after[len(after) - len(before) :] == before  # old rows untouched, new ones on top
    assert [e.action for e in after[: len(after) - len(before)]] == [
        "audit.export",
        "evidence.view",
        "alert.ack",
        "login.failure",
        "login.success",
    ]
    assert audit.count() == len(after)


def test_the_database_refuses_to_change_or_delete_audit_rows(api: Api) -> None:
    db = api.seeded.db
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(StorageError, match="append-only"), db.transaction("cannot change", write=True) as session:
            session.execute(text(statement))
    assert AuditRepository(db).count() == 6
    assert {e.actor for e in AuditRepository(db).find()} == {"cli:seed"}


def test_admin_browses_with_filters_newest_first(api: Api) -> None:
    admin, _ = api.login("admin", addr="10.0.0.9")
    api.clock.advance(minutes=1)
    api.client("10.7.7.7").post("/api/login", json={"username": "pic-a", "password": "wrong-password"})
    api.clock.advance(minutes=1)
    api.login("pic-a", addr="10.7.7.7")
    rows = admin.get("/api/audit").json()
    assert [r["action"] for r in rows[:3]] == ["login.success", "login.failure", "login.success"]
    assert rows[0] == {
        "id": rows[0]["id"],
        "ts": "2026-11-23T03:02:00Z",
        "actor": "pic-a",
        "action": "login.success",
        "target": "user:pic-a",
        "client_addr": "10.7.7.7",
        "details": {},
    }
    assert [r["client_addr"] for r in admin.get("/api/audit?action=login.failure").json()] == ["10.7.7.7"]
    assert [r["action"] for r in admin.get("/api/audit?actor=admin").json()] == ["login.success"]
    assert len(admin.get("/api/audit?target=user:pic-a").json()) == 3
    assert len(admin.get("/api/audit?since=2026-11-23T03:01:00Z").json()) == 2
    assert len(admin.get("/api/audit?until=2026-11-23T03:00:00%2B00:00").json()) == 6  # the seeded users
    assert len(admin.get("/api/audit?limit=2&offset=1").json()) == 2
    assert admin.get("/api/audit?action=no.such").status_code == 422
    assert admin.get("/api/audit?since=2026-11-23T03:01:00").status_code == 422


def test_csv_export_is_audited_itself(api: Api) -> None:
    admin, _ = api.login("admin")
    response = admin.get("/api/audit.csv?action=user.add")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="cvmon-audit-20261123T030000Z.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["target"] for r in rows] == [  # same time: newest id first
        "user:viewer",
        "user:auditor",
        "user:pic-b",
        "user:pic-a",
        "user:manager",
        "user:admin",
    ]
    assert {r["action"] for r in rows} == {"user.add"}
    assert rows[0]["details"].startswith("{")
    (export,) = AuditRepository(api.seeded.db).find(action=AuditAction.AUDIT_EXPORT.value)
    assert (export.actor, export.target, export.ts, export.details) == (
        "admin",
        "audit_log",
        NOW,
        {"filters": {"action": "user.add"}},
    )
    full = list(csv.reader(io.StringIO(admin.get("/api/audit.csv").text)))
    assert full[0] == ["id", "ts", "actor", "action", "target", "client_addr", "details"]
    assert full[1][3] == "audit.export"  # written before the rows are read


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    assert _cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert _cell("+1") == "'+1"
    assert _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("user:alice") == "user:alice"
    assert _cell(None) == ""


def test_failed_logins_of_strange_names_are_stored_clipped(api: Api) -> None:
    api.client().post("/api/login", json={"username": "x" * 200, "password": PASSWORD})
    (row,) = AuditRepository(api.seeded.db).find(action=AuditAction.LOGIN_FAILURE.value)
    assert row.target is not None and len(row.target) == 200
    AuditRepository(api.seeded.db).record(NOW, AuditActor(None, "y" * 100), AuditAction.LOGOUT)
    assert len(AuditRepository(api.seeded.db).find(action="logout")[0].client_addr or "") == 64


def test_bad_filters_are_422_not_server_errors(api: Api) -> None:
    """Times that overflow in the UTC conversion, offsets beyond an INTEGER and NUL characters (which
    PostgreSQL cannot compare) were 500 or 503."""
    admin, _ = api.login("admin")
    out_of_range = "must lie from 1970-01-01 to before 9999-01-01 (UTC)"
    for path, detail in (
        ("/api/audit?since=0001-01-01T00:00:00%2B01:00", f"'since' {out_of_range}"),
        ("/api/audit?until=9999-12-31T23:59:59-01:00", f"'until' {out_of_range}"),
        ("/api/audit.csv?since=0001-01-01T00:00:00%2B01:00", f"'since' {out_of_range}"),
        ("/api/audit?actor=a%00b", "the URL may not contain NUL characters"),
        ("/api/audit.csv?target=user:%00", "the URL may not contain NUL characters"),
    ):
        response = admin.get(path)
        assert (response.status_code, response.json()) == (422, {"detail": detail}), path
    for offset in ("99999999999999999999", "2147483648"):
        assert admin.get(f"/api/audit?offset={offset}").status_code == 422
    assert admin.get("/api/audit?offset=2147483647").json() == []
    assert AuditRepository(api.seeded.db).find(action="audit.export") == []

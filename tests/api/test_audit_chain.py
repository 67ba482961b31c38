"""The audit log is append-only on both databases and hash-chained: every way of changing a row is
refused, and a change made with the guards dropped is found by `cvmon audit verify` and the audit page."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import text
from typer.testing import CliRunner

from cvmon.cli import app as cvmon_app
from cvmon.errors import StorageError
from cvmon.storage import Database, open_database
from cvmon.storage.audit import AuditAction, AuditActor, AuditRepository
from cvmon.storage.audit_chain import GENESIS, row_hash
from cvmon.storage.engine import make_engine
from cvmon.storage.migrate import alembic_config
from tests.api.conftest import NOW, T0, Api

runner = CliRunner()
INSERTED = "INSERT INTO audit_log (id, ts, actor, action, target, client_addr, details, prev_hash, row_hash)"
FORGED = "VALUES (1, '2026-11-23 01:00:00', 'intruder', 'logout', 'user:admin', NULL, '{}', 'x', 'y')"


def _dialect(db: Database) -> str:
    return db.engine.dialect.name


def _attempts(db: Database) -> list[str]:
    """Statements that would change, remove or replace row 1 (each must be refused)."""
    attempts = [
        "UPDATE audit_log SET actor = 'someone else' WHERE id = 1",
        "UPDATE audit_log SET row_hash = prev_hash",
        "DELETE FROM audit_log WHERE id = 1",
        f"{INSERTED} {FORGED} ON CONFLICT (id) DO UPDATE SET actor = excluded.actor",
    ]
    if _dialect(db) == "sqlite":
        attempts += [
            f"INSERT OR REPLACE {INSERTED[len('INSERT ') :]} {FORGED}",
            f"REPLACE {INSERTED[len('INSERT ') :]} {FORGED}",
            f"{INSERTED} {FORGED} ON CONFLICT DO UPDATE SET details = '{{\"x\": 1}}'",
            f"{INSERTED} {FORGED} ON CONFLICT DO NOTHING",  # refused too: the id exists
        ]
    else:
        attempts.append("TRUNCATE audit_log")
    return attempts


def test_every_way_of_changing_a_row_is_refused(api: Api) -> None:
    db = api.seeded.db
    audit = AuditRepository(db)
    before = audit.find(limit=100)
    for statement in _attempts(db):
        with pytest.raises(StorageError, match="append-only"), db.transaction("cannot change", write=True) as s:
            s.execute(text(statement))
    if _dialect(db) == "postgresql":  # an upsert that does nothing leaves the row as it is
        with db.transaction("cannot change", write=True) as session:
            session.execute(text(f"{INSERTED} {FORGED} ON CONFLICT DO NOTHING"))
    assert audit.find(limit=100) == before
    assert audit.verify().intact


def test_rows_are_chained_in_id_order(api: Api) -> None:
    admin, _ = api.login("admin")
    admin.get("/api/audit.csv")
    with api.seeded.db.transaction("read", write=False) as session:
        rows = session.execute(text("SELECT id, prev_hash, row_hash FROM audit_log ORDER BY id")).all()
    assert rows[0].prev_hash == GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]
    report = AuditRepository(api.seeded.db).verify()
    assert (report.rows, report.head, report.broken) == (len(rows), rows[-1].row_hash, None)


def _drop_guards(db: Database) -> None:
    """What someone with direct access to the database can do: drop the triggers."""
    with db.transaction("drop", write=True) as session:
        if _dialect(db) == "sqlite":
            for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"):
                session.execute(text(f"DROP TRIGGER {name}"))
        else:
            session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))


@pytest.mark.parametrize(
    ("tamper", "broken_id", "reason"),
    [
        ('UPDATE audit_log SET details = \'{"role": "viewer"}\' WHERE id = 3', 3, "content does not match"),
        ("UPDATE audit_log SET actor = 'someone' WHERE id = 1", 1, "content does not match"),
        ("DELETE FROM audit_log WHERE id = 4", 5, "does not follow row 3"),
        ("DELETE FROM audit_log WHERE id = 1", 2, "does not follow the start of the log"),
        (f"{INSERTED} VALUES (99, '2026-11-23 04:00:00', 'x', 'logout', NULL, NULL, '{{}}', 'f', 'f')", 99, "follow"),
    ],
)
def test_an_edit_made_with_the_guards_dropped_is_found(
    api: Api, database_url: str, tamper: str, broken_id: int, reason: str
) -> None:
    admin, _ = api.login("admin")
    page = admin.get("/admin/audit")
    assert 'data-intact="true"' in page.text
    assert runner.invoke(cvmon_app, ["audit", "verify", "--database", database_url]).exit_code == 0
    db = api.seeded.db
    _drop_guards(db)
    with db.transaction("tamper", write=True) as session:
        session.execute(text(tamper))
    report = AuditRepository(db).verify()
    assert report.broken is not None
    assert report.broken.id == broken_id
    assert reason in report.broken.reason
    result = runner.invoke(cvmon_app, ["audit", "verify", "--database", database_url])
    assert result.exit_code == 1
    assert result.output.startswith(f"audit log BROKEN at row {broken_id}: ")
    api.clock.advance(minutes=2)  # past the page's cached check
    page = admin.get("/admin/audit")
    assert 'data-intact="false"' in page.text
    assert f"row {broken_id}" in page.text or f"baris {broken_id}" in page.text


def test_verify_reports_an_intact_log_and_exits_0(api: Api, database_url: str) -> None:
    result = runner.invoke(cvmon_app, ["audit", "verify", "--database", database_url])
    assert result.exit_code == 0, result.output
    head = AuditRepository(api.seeded.db).verify().head
    assert result.output == f"audit log intact: 6 row(s), last hash {head}\n"


def test_the_migration_chains_the_rows_stored_before_it(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0008")
        with engine.begin() as conn:
            for i in range(3):
                conn.execute(
                    text(
                        "INSERT INTO audit_log (ts, actor, action, target, client_addr, details) "
                        "VALUES (:ts, 'cli:old', 'user.add', :target, 'local', :details)"
                    ),
                    {
                        "ts": T0 + timedelta(minutes=i, microseconds=7),
                        "target": f"user:u{i}",
                        "details": f'{{"n": {i}}}',
                    },
                )
    finally:
        engine.dispose()
    with open_database(database_url) as db:  # upgrades to the newest revision
        audit = AuditRepository(db)
        assert audit.verify().intact
        prev = GENESIS
        for entry in reversed(audit.find(limit=10)):
            prev = row_hash(prev, entry.ts, entry.actor, entry.action, entry.target, entry.client_addr, entry.details)
        assert audit.verify().head == prev
        # New rows continue the chain, and the triggers are back in place.
        audit.record(NOW, AuditActor("cli:new"), AuditAction.LOGOUT)
        assert audit.verify().rows == 4
        with pytest.raises(StorageError, match="append-only"), db.transaction("x", write=True) as session:
            session.execute(text("UPDATE audit_log SET actor = 'x'"))
        with pytest.raises(StorageError, match="append-only"), db.transaction("x", write=True) as session:
            session.execute(text(f"{INSERTED} {FORGED} ON CONFLICT (id) DO UPDATE SET actor = 'x'"))


def test_concurrent_writers_never_fork_the_chain(database_url: str) -> None:
    db = open_database(database_url)
    try:
        audit = AuditRepository(db)
        errors: list[BaseException] = []

        def write(worker: int) -> None:
            try:
                for i in range(15):
                    audit.record(NOW, AuditActor(f"w{worker}"), AuditAction.LOGOUT, f"user:w{worker}", {"i": i})
            except BaseException as err:
                errors.append(err)

        threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        report = audit.verify()
        assert (report.rows, report.broken) == (60, None)
    finally:
        db.close()


def _refuse_audit_inserts(db: Database) -> None:
    """Make the audit write fail for real: the database refuses new audit rows."""
    with db.transaction("break", write=True) as session:
        if _dialect(db) == "sqlite":
            session.execute(
                text("CREATE TRIGGER audit_broken BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk'); END")
            )
        else:
            session.execute(
                text(
                    "CREATE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'disk'; END $$"
                )
            )
            session.execute(
                text(
                    "CREATE TRIGGER audit_broken BEFORE INSERT ON audit_log "
                    "FOR EACH ROW EXECUTE FUNCTION audit_broken()"
                )
            )


def test_an_alert_change_whose_audit_row_fails_is_not_made(api: Api) -> None:
    alert_id = api.seeded.alerts["cam-a"]
    pic, csrf = api.login("pic-a")
    _refuse_audit_inserts(api.seeded.db)
    headers = {"X-CSRF-Token": csrf}
    assert pic.post(f"/api/alerts/{alert_id}/ack", headers=headers).status_code == 503
    body = {"category": "coaching", "note": "briefed the guard"}
    assert pic.post(f"/api/alerts/{alert_id}/resolve", json=body, headers=headers).status_code == 503
    alert = api.app.state.cvmon.alerts.get(alert_id)
    assert (alert.acked_at, alert.resolved_at, alert.followup_note) == (None, None, None)

"""Old evidence goes with its file, the store and the rows are reconciled, old alerts go after their evidence."""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

from cvmon.storage import Database
from cvmon.storage.alerts import AlertRepository, FollowUp
from cvmon.storage.evidence import Evidence, EvidenceRepository
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.retention import ORPHAN_GRACE_S, run_retention
from cvmon.types import AlertChange, ChangeKind, Rule
from tests.retention.conftest import DAY, NOW, POLICY, blank_jpeg

UNIT = "ulp-ampenan"


def add_evidence(db: Database, store: EvidenceStore, ts: datetime, alert_id: int | None = None) -> Evidence:
    kind = "periodic" if alert_id is None else "open"
    return EvidenceRepository(db, store).add("cam-hall", kind, ts, blank_jpeg(), {"queue-1": 2}, alert_id=alert_id)


def open_alert(db: Database, opened_at: datetime, zone_id: str = "queue-1", rule: Rule = Rule.QUEUE_LONG) -> int:
    """Open an alert as the rules do; returns its id."""
    change = AlertChange(
        rule=rule, zone_id=zone_id, kind=ChangeKind.OPENED, ts=opened_at, value=6.0, opened_at=opened_at
    )
    repo = AlertRepository(db)
    repo.apply_changes(UNIT, "cam-hall", [change])
    (alert,) = [a for a in repo.find() if (a.zone_id, a.rule, a.opened_at) == (zone_id, rule.value, opened_at)]
    return alert.id


def age(path: Path, seconds: float) -> None:
    """Set a file's modification time ``seconds`` into the past (wall clock)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def evidence_paths(db: Database, store: EvidenceStore) -> set[str]:
    return {e.path for e in EvidenceRepository(db, store).find()}


def test_old_evidence_rows_and_files_go_together(synced: Database, store: EvidenceStore) -> None:
    old = [add_evidence(synced, store, NOW - timedelta(days=d)) for d in (3.5, 4, 30)]
    recent = [add_evidence(synced, store, NOW - timedelta(days=d)) for d in (0.01, 1, 2.9)]

    report = run_retention(synced, store, POLICY, NOW)

    assert report.evidence_deleted == report.evidence_files_deleted == 3
    assert evidence_paths(synced, store) == {e.path for e in recent}
    assert store.list_files() == sorted(e.path for e in recent)
    assert not any((store.root / e.path).exists() for e in old)
    assert (store.root / "cam-hall").is_dir()  # folders of kept files stay, emptied ones are removed
    assert not (store.root / "cam-hall" / f"{(NOW - timedelta(days=30)):%Y/%m/%d}").exists()
    for e in recent:
        assert EvidenceRepository(synced, store).read(e.id)[1] == store.read(e.path, e.sha256)


def test_orphan_files_and_rows_without_files_are_cleaned_up(synced: Database, store: EvidenceStore) -> None:
    kept = add_evidence(synced, store, NOW - DAY)
    lost = add_evidence(synced, store, NOW - 2 * DAY)
    (store.root / lost.path).unlink()  # a row whose file is gone
    crashed = store.write(
        "cam-hall", NOW - 2 * DAY - timedelta(seconds=1), "periodic", blank_jpeg()
    )  # file whose row is gone
    age(store.root / crashed.path_relative, ORPHAN_GRACE_S + 60)
    in_flight = store.write("cam-door", NOW - 10 * DAY, "periodic", blank_jpeg())  # file whose row comes next
    leftover = store.root / "cam-hall" / ".tmp-abc.part"  # an interrupted write
    leftover.write_bytes(b"partial")
    age(leftover, ORPHAN_GRACE_S + 60)
    latest = store.root / store.write_latest("cam-hall", blank_jpeg())
    age(latest, 30 * 86400.0)

    report = run_retention(synced, store, POLICY, NOW)

    assert report.orphan_files_deleted == 2
    assert report.missing_file_rows_deleted == 1
    assert evidence_paths(synced, store) == {kept.path}
    assert store.list_files() == sorted([kept.path, in_flight.path_relative])
    assert latest.is_file()
    assert store.list_files(include_latest=True) == sorted([kept.path, in_flight.path_relative, "latest/cam-hall.jpg"])
    # Once its grace is over, the file nobody recorded goes too.
    age(store.root / in_flight.path_relative, ORPHAN_GRACE_S + 1)
    assert run_retention(synced, store, POLICY, NOW).orphan_files_deleted == 1
    assert store.list_files() == [kept.path]


def test_rows_stay_when_the_store_holds_none_of_their_files(synced: Database, store: EvidenceStore) -> None:
    """An unmounted or empty store looks like every file is gone; rows are not removed for that."""
    recent = {add_evidence(synced, store, NOW - timedelta(days=d)).path for d in (1, 2)}
    shutil.move(store.root, store.root.with_name("elsewhere"))

    report = run_retention(synced, store, POLICY, NOW)
    assert report.missing_file_rows_deleted == 0
    store.root.mkdir()
    assert run_retention(synced, store, POLICY, NOW).missing_file_rows_deleted == 0
    assert evidence_paths(synced, store) == recent


def test_old_alerts_go_with_and_after_their_evidence(synced: Database, store: EvidenceStore) -> None:
    alerts = AlertRepository(synced)
    old_bare = open_alert(synced, NOW - 10 * DAY)
    old_with_evidence = open_alert(synced, NOW - 10 * DAY, "loket-1", Rule.OVER_CAPACITY)
    add_evidence(synced, store, NOW - 10 * DAY, old_with_evidence)
    old_but_resolved_lately = open_alert(synced, NOW - 9 * DAY)
    alerts.resolve(old_but_resolved_lately, "pic", NOW - 2 * DAY, FollowUp.COACHING, "Satpam dibina")
    recent = open_alert(synced, NOW - DAY)
    recent_evidence = add_evidence(synced, store, NOW - DAY, recent)

    # Snapshots kept longer than alerts: the old alert waits for its evidence.
    report = run_retention(synced, store, POLICY.model_copy(update={"snapshots_days": 30}), NOW)
    assert report.alerts_deleted == 1 and report.alerts_kept_for_evidence == 1
    assert {a.id for a in alerts.find()} == {old_with_evidence, old_but_resolved_lately, recent}

    # With the usual policy the evidence goes first, then its alert, in the same run.
    report = run_retention(synced, store, POLICY, NOW)
    assert report.evidence_deleted == 1 and report.alerts_deleted == 1
    assert {a.id for a in alerts.find()} == {old_but_resolved_lately, recent}
    assert evidence_paths(synced, store) == {recent_evidence.path}
    assert old_bare not in {a.id for a in alerts.find()}

    # Later on, everything is past its period.
    report = run_retention(synced, store, POLICY, NOW + 30 * DAY)
    assert report.alerts_deleted == 2 and report.evidence_deleted == 1
    assert alerts.find() == [] and store.list_files() == [] and synced.count_rows()["evidence"] == 0


def test_the_room_reference_in_use_is_kept_however_old_and_older_ones_expire(
    synced: Database, store: EvidenceStore
) -> None:
    from cvmon.storage.audit import AuditActor
    from cvmon.storage.room import current_references, mark_reference

    actor = AuditActor("admin")
    first = mark_reference(synced, store, "cam-hall", NOW - timedelta(days=40), blank_jpeg(), actor, "file")
    in_use = mark_reference(synced, store, "cam-hall", NOW - timedelta(days=30), blank_jpeg(), actor, "frame")
    old_shot = add_evidence(synced, store, NOW - timedelta(days=30))

    report = run_retention(synced, store, POLICY, NOW)

    assert report.evidence_deleted == 2  # the first reference (replaced) and the old periodic snapshot
    assert evidence_paths(synced, store) == {in_use.path}
    assert not (store.root / first.path).exists() and not (store.root / old_shot.path).exists()
    assert current_references(synced, ["cam-hall"]) == {"cam-hall": in_use}
    assert store.reference_path("cam-hall").is_file()  # the working copy the camera compares with stays

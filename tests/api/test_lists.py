"""Paged, filtered lists of the API (alerts, evidence, audit log), bulk acknowledge and the summary per unit:
totals and links, every filter, 422 for bad values, 404 outside the caller's units, one audit row per alert."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from cvmon.errors import StorageError
from cvmon.evidence import anonymise
from cvmon.storage import alerts as alert_storage
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.audit import AuditAction, AuditActor, AuditRepository
from cvmon.storage.evidence import EvidenceRepository
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.minutes import MinuteRepository
from cvmon.types import AlertChange, ChangeKind, Rule
from tests.api.conftest import NOW, T0, Api, add_scoped_users, make_minute_row, sqlite_only


def _open(api: Api, camera: str, unit: str, zone: str, rule: Rule, minutes: int) -> int:
    """Open an alert ``minutes`` after T0 and return its id."""
    at = T0 + timedelta(minutes=minutes)
    (applied,) = AlertRepository(api.seeded.db).apply_changes(
        unit, camera, [AlertChange(rule, zone, ChangeKind.OPENED, at, 5.0, at)]
    )
    return applied.alert_id


@pytest.fixture
def many(api: Api) -> dict[str, int]:
    """Beside the seeded alert of each camera (opened T0+1 min): five more on cam-a, each in another state."""
    repo = AlertRepository(api.seeded.db)
    ids = {
        "ongoing": _open(api, "cam-a", "ulp-ampenan", "queue-a", Rule.LONG_WAIT, 10),
        "cleared": _open(api, "cam-a", "ulp-ampenan", "queue-a", Rule.QUEUE_LONG, 20),
        "acked": _open(api, "cam-a", "ulp-ampenan", "staff-a", Rule.COUNTER_UNSTAFFED, 30),
        "acked_cleared": _open(api, "cam-a", "ulp-ampenan", "queue-a", Rule.OVER_CAPACITY, 40),
        "resolved": _open(api, "cam-a", "ulp-ampenan", "queue-a", Rule.QUEUE_LONG, 50),
    }
    for name in ("cleared", "acked_cleared"):
        at = T0 + timedelta(minutes=60)
        alert = repo.get(ids[name])
        change = AlertChange(Rule(alert.rule), alert.zone_id, ChangeKind.CLEARED, at, 1.0, alert.opened_at)
        repo.apply_changes("ulp-ampenan", "cam-a", [change])
    repo.acknowledge(ids["acked"], "pic-a", NOW)
    repo.acknowledge(ids["acked_cleared"], "pic-a", NOW)
    repo.resolve(ids["resolved"], "pic-a", NOW, alert_storage.FollowUp.COACHING, "done")
    return ids


def test_alerts_come_a_page_at_a_time_with_the_total_and_links(api: Api, many: dict[str, int]) -> None:
    client, _ = api.login("admin")
    everything = client.get("/api/alerts?limit=1000")
    assert everything.headers["X-Total-Count"] == "8"
    ids = [a["id"] for a in everything.json()]
    assert "Link" not in everything.headers
    pages, offset = [], 0
    while True:
        response = client.get(f"/api/alerts?limit=3&offset={offset}")
        assert response.headers["X-Total-Count"] == "8"
        pages.append([a["id"] for a in response.json()])
        link = response.headers.get("Link", "")
        if offset:
            assert f"offset={max(0, offset - 3)}" in link and 'rel="prev"' in link
        if 'rel="next"' not in link:
            break
        assert f"offset={offset + 3}" in link and "limit=3" in link
        offset += 3
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [i for p in pages for i in p] == ids  # disjoint pages, newest first, nothing lost
    assert client.get("/api/alerts?offset=8").json() == []


def test_alert_filters_by_state_rule_camera_unit_and_time(api: Api, many: dict[str, int]) -> None:
    client, _ = api.login("manager")  # up3-mataram: cam-a and cam-b
    seeded_a, seeded_b = api.seeded.alerts["cam-a"], api.seeded.alerts["cam-b"]

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/alerts?{query}")
        assert response.status_code == 200, response.text
        assert response.headers["X-Total-Count"] == str(len(response.json()))
        return {a["id"] for a in response.json()}

    unresolved = {seeded_a, seeded_b} | {many[n] for n in ("ongoing", "cleared", "acked", "acked_cleared")}
    assert ids("state=open") == ids("open=true") == unresolved
    assert ids("state=ongoing") == {seeded_a, seeded_b, many["ongoing"], many["acked"]}
    assert ids("state=waiting") == {many["cleared"], many["acked_cleared"]}
    assert ids("state=unacknowledged") == {seeded_a, seeded_b, many["ongoing"], many["cleared"]}
    assert ids("state=acknowledged") == {many["acked"], many["acked_cleared"]}
    assert ids("state=resolved") == {many["resolved"]}
    assert ids("state=all") == ids("") == unresolved | {many["resolved"]}
    assert ids("rule=queue_long") == {seeded_a, seeded_b, many["cleared"], many["resolved"]}
    assert ids("rule=queue_long&state=open&camera=cam-a") == {seeded_a, many["cleared"]}
    assert ids("unit=ulp-cakra") == {seeded_b}
    assert ids("unit=up3-mataram&camera=cam-b") == {seeded_b}
    assert ids("since=2026-11-23T01:20:00Z&until=2026-11-23T01:40:00Z") == {many["cleared"], many["acked"]}
    assert ids("until=2026-11-23T09:02:00%2B08:00") == {seeded_a, seeded_b}

    by_id = {a["id"]: a for a in client.get("/api/alerts").json()}
    assert (by_id[many["cleared"]]["condition"], by_id[many["cleared"]]["status"]) == ("cleared", "open")
    assert (by_id[many["acked"]]["condition"], by_id[many["acked"]]["status"]) == ("ongoing", "acknowledged")


@sqlite_only
@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("state=closed", None),
        ("rule=loud_music", None),
        ("limit=0", None),
        ("limit=1001", None),
        ("offset=-1", None),
        ("since=2026-11-23T01:00:00", "'since' needs a UTC offset, e.g. +08:00 or Z"),
        ("since=2026-11-23T02:00:00Z&until=2026-11-23T01:00:00Z", "'until' must be after 'since'"),
    ],
)
def test_bad_alert_filters_are_422(api: Api, query: str, detail: str | None) -> None:
    client, _ = api.login("pic-a")
    response = client.get(f"/api/alerts?{query}")
    assert response.status_code == 422
    if detail is not None:
        assert response.json() == {"detail": detail}


def test_filters_naming_units_or_cameras_outside_the_scope_are_404(api: Api) -> None:
    client, _ = api.login("pic-a")  # ulp-ampenan: cam-a only
    for path in (
        "/api/alerts?unit=ulp-cakra",
        "/api/alerts?camera=cam-b",
        "/api/alerts?camera=no-such",
        "/api/evidence?unit=up3-mataram",
        "/api/evidence?unit=ulp-ampenan&camera=cam-b",
        "/api/units/summary?unit=ulp-bima",
    ):
        assert client.get(path).status_code == 404, path
    manager, _ = api.login("manager")
    assert manager.get("/api/alerts?unit=ulp-cakra&camera=cam-a").json() == {"detail": "no camera 'cam-a'"}


def test_bulk_acknowledge_audits_each_alert_skips_the_done_and_refuses_the_unseen(
    api: Api, many: dict[str, int]
) -> None:
    client, csrf = api.login("pic-a", addr="10.4.4.4")
    api.clock.advance(minutes=5)
    wanted = [many["ongoing"], many["cleared"], many["acked"], many["resolved"], api.seeded.alerts["cam-b"], 999_999]
    response = client.post("/api/alerts/ack", json={"ids": [*wanted, many["ongoing"]]}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "acknowledged": sorted([many["ongoing"], many["cleared"]]),
        "skipped": sorted([many["acked"], many["resolved"]]),
        "refused": sorted([api.seeded.alerts["cam-b"], 999_999]),
    }
    rows = AuditRepository(api.seeded.db).find(action=AuditAction.ALERT_ACK.value)
    assert sorted((r.target, r.actor, r.client_addr, r.ts) for r in rows) == sorted(
        (f"alert:{i}", "pic-a", "10.4.4.4", NOW + timedelta(minutes=5)) for i in (many["ongoing"], many["cleared"])
    )
    repo = AlertRepository(api.seeded.db)
    assert repo.get(many["cleared"]).acked_by == "pic-a"
    assert repo.get(many["acked"]).acked_at == NOW  # skipped: left as it was
    assert repo.get(api.seeded.alerts["cam-b"]).acked_at is None
    again = client.post("/api/alerts/ack", json={"ids": [many["ongoing"]]}, headers={"X-CSRF-Token": csrf})
    assert again.json() == {"acknowledged": [], "skipped": [many["ongoing"]], "refused": []}
    assert len(AuditRepository(api.seeded.db).find(action=AuditAction.ALERT_ACK.value)) == 2


@sqlite_only
def test_bulk_acknowledge_needs_csrf_a_role_and_a_sane_body(api: Api) -> None:
    alert_id = api.seeded.alerts["cam-a"]
    client, csrf = api.login("pic-a")
    assert client.post("/api/alerts/ack", json={"ids": [alert_id]}).status_code == 403
    for body in ({"ids": []}, {"ids": [0]}, {"ids": [2**31]}, {"ids": list(range(1, 502))}, {"ids": ["x"]}, {}):
        assert client.post("/api/alerts/ack", json=body, headers={"X-CSRF-Token": csrf}).status_code == 422, body
    viewer, token = api.login("viewer")
    assert viewer.post("/api/alerts/ack", json={"ids": [alert_id]}, headers={"X-CSRF-Token": token}).status_code == 403
    assert AlertRepository(api.seeded.db).get(alert_id).acked_at is None


def test_bulk_acknowledge_is_one_transaction(api: Api, many: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """When the second audit row cannot be written, the first alert stays unacknowledged too."""
    real = alert_storage.add_audit_row
    calls = []

    def failing_second(*args: object, **kwargs: object) -> object:
        calls.append(args)
        if len(calls) == 2:
            raise StorageError("disk full")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(alert_storage, "add_audit_row", failing_second)
    repo = AlertRepository(api.seeded.db)
    ids = [many["ongoing"], many["cleared"]]
    with pytest.raises(StorageError):
        repo.acknowledge_many(ids, "pic-a", NOW, ["ulp-ampenan"], audit=AuditActor("pic-a"))
    assert [repo.get(i).acked_at for i in ids] == [None, None]
    assert AuditRepository(api.seeded.db).find(action=AuditAction.ALERT_ACK.value) == []


def test_evidence_is_paged_and_filtered_by_unit_camera_alert_rule_kind_and_time(api: Api, many: dict[str, int]) -> None:
    store = EvidenceRepository(api.seeded.db, EvidenceStore(api.seeded.evidence_root))
    jpeg = anonymise(np.zeros((90, 160, 3), np.uint8), [])
    long_wait = store.add("cam-a", "peak", T0 + timedelta(minutes=12), jpeg, {"queue-a": 9}, alert_id=many["ongoing"])
    periodic = store.add("cam-a", "periodic", T0 + timedelta(minutes=90), jpeg, {"queue-a": 2})
    client, _ = api.login("manager")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/evidence?{query}")
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()]

    seeded_a, seeded_b = api.seeded.evidence["cam-a"], api.seeded.evidence["cam-b"]
    assert ids("") == [periodic.id, long_wait.id, seeded_b, seeded_a]  # newest first, ties by id
    first = client.get("/api/evidence?limit=2")
    assert first.headers["X-Total-Count"] == "4" and 'rel="next"' in first.headers["Link"]
    assert ids("limit=2&offset=2") == [seeded_b, seeded_a]
    assert ids("unit=ulp-cakra") == [seeded_b]
    assert ids("camera=cam-a&kind=open") == [seeded_a]
    assert ids("rule=long_wait") == [long_wait.id]
    assert ids("rule=queue_long") == [seeded_b, seeded_a]
    assert ids(f"alert={many['ongoing']}") == [long_wait.id]
    assert ids("since=2026-11-23T01:05:00Z") == [periodic.id, long_wait.id]
    assert ids("until=2026-11-23T01:05:00Z") == [seeded_b, seeded_a]
    for bad in (
        "kind=selfie",
        "rule=x",
        "until=2026-11-23T01:05:00",
        "since=2026-11-23T02:00:00Z&until=2026-11-23T01:00:00Z",
    ):
        assert client.get(f"/api/evidence?{bad}").status_code == 422, bad


def test_audit_log_by_unit_and_camera_with_the_total(api: Api) -> None:
    add_scoped_users(api.seeded.db)
    pic, csrf = api.login("pic-a")
    alert_a = api.seeded.alerts["cam-a"]
    pic.post("/api/alerts/ack", json={"ids": [alert_a]}, headers={"X-CSRF-Token": csrf})
    pic.get(f"/api/evidence/{api.seeded.evidence['cam-a']}/image")
    admin, _ = api.login("admin")
    about_a = admin.get("/api/audit?camera=cam-a")
    assert {(r["action"], r["target"]) for r in about_a.json()} == {
        ("alert.ack", f"alert:{alert_a}"),
        ("evidence.view", f"evidence:{api.seeded.evidence['cam-a']}"),
    }
    assert about_a.headers["X-Total-Count"] == "2"
    assert admin.get("/api/audit?camera=cam-b").json() == []
    in_ampenan = {r["target"] for r in admin.get("/api/audit?unit=ulp-ampenan&limit=1000").json()}
    assert {f"alert:{alert_a}", "user:pic-a"} <= in_ampenan and "user:pic-b" not in in_ampenan
    everything = admin.get("/api/audit?limit=1")
    assert int(everything.headers["X-Total-Count"]) > 2 and 'rel="next"' in everything.headers["Link"]
    bima, _ = api.login("admin-bima")
    assert bima.get("/api/audit?unit=ulp-ampenan").status_code == 404
    assert bima.get("/api/audit?camera=cam-a").status_code == 404
    assert bima.get("/api/audit?camera=cam-c").json() == []


def test_summary_per_unit_puts_what_needs_action_first(api: Api) -> None:
    AlertRepository(api.seeded.db).acknowledge(api.seeded.alerts["cam-c"], "admin", NOW)
    api.clock.now = T0 + timedelta(minutes=4)  # the seeded minutes (up to T0+2 min) are fresh
    client, _ = api.login("admin")
    summary = client.get("/api/units/summary").json()
    assert [s["unit_id"] for s in summary] == ["ulp-cakra", "ulp-ampenan", "ulp-bima"]
    cakra, ampenan, bima = summary
    assert cakra["needs_action"] == ["unacknowledged", "offline"]  # cam-b's latest event: offline
    assert (cakra["cameras"], cakra["cameras_online"], cakra["cameras_offline"]) == (1, 0, 1)
    assert ampenan["needs_action"] == ["unacknowledged"]
    assert (ampenan["cameras_online"], ampenan["alerts"]["open"], ampenan["alerts"]["ongoing"]) == (1, 1, 1)
    # queue-a: 300 * (i + 2) people-samples over 300 samples in its latest minute (i = 2)
    assert ampenan["queue_now"] == 4.0
    # queue-a's three minutes each had visits of 40 and 55 s, all in the hour from T0 (09:00 WITA)
    assert ampenan["worst_wait_today"] == {
        "seconds": 47.5,
        "camera_id": "cam-a",
        "zone_id": "queue-a",
        "hour": "2026-11-23T01:00:00Z",
        "visits": 6,
    }
    assert bima["needs_action"] == [] and bima["alerts"]["unacknowledged"] == 0
    assert bima["worst_wait_today"] is None and bima["queue_now"] is None
    api.clock.now = NOW  # two hours later: the minutes are no longer "now", the day's worst wait stays
    later = {s["unit_id"]: s for s in client.get("/api/units/summary").json()}
    assert later["ulp-ampenan"]["queue_now"] is None
    assert later["ulp-ampenan"]["worst_wait_today"]["seconds"] == ampenan["worst_wait_today"]["seconds"]
    pic, _ = api.login("pic-a")
    assert [s["unit_id"] for s in pic.get("/api/units/summary").json()] == ["ulp-ampenan"]


def test_worst_wait_is_the_longest_hourly_mean_of_the_units_own_day(api: Api) -> None:
    late_yesterday = T0 - timedelta(hours=9, minutes=30)  # 15:30 UTC, 23:30 WITA on 22 Nov
    rows = [
        make_minute_row("cam-a", "queue-a", late_yesterday, visit_durations=(900.0,)),
        make_minute_row("cam-a", "queue-a", T0 + timedelta(hours=1), visit_durations=(100.0, 130.0)),
        make_minute_row("cam-a", "queue-a", T0 + timedelta(hours=1, minutes=1), visit_durations=(90.0,)),
        make_minute_row("cam-b", "queue-b", T0 + timedelta(hours=1), visit_durations=(20.0,)),
        make_minute_row("cam-a", "queue-a", NOW + timedelta(minutes=1), visit_durations=(2000.0,)),  # not yet
    ]
    MinuteRepository(api.seeded.db).write_minutes(rows, [], source="test-worst-wait")
    client, _ = api.login("manager")
    summary = {s["unit_id"]: s["worst_wait_today"] for s in client.get("/api/units/summary").json()}
    assert summary["ulp-ampenan"] == {
        "seconds": 106.7,  # (100 + 130 + 90) / 3, the hour from 02:00 UTC; not yesterday's 900 s
        "camera_id": "cam-a",
        "zone_id": "queue-a",
        "hour": "2026-11-23T02:00:00Z",
        "visits": 3,
    }
    assert summary["ulp-cakra"]["seconds"] == 47.5  # its seeded hour beats the 20 s one

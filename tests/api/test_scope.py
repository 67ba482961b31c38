"""Roles x endpoints x units: each user sees their units' subtrees only, and each role only its routes.

Something outside the caller's units is answered like something that does not exist (404), so
its existence does not leak; a route the role may not use is 403 whatever the target.
"""

from __future__ import annotations

from tests.api.conftest import USERS, Api

SCOPE = {
    "admin": {"cam-a", "cam-b", "cam-c"},
    "manager": {"cam-a", "cam-b"},
    "auditor": {"cam-a", "cam-b"},
    "viewer": {"cam-a", "cam-b"},
    "pic-a": {"cam-a"},
    "pic-b": {"cam-b"},
}
EVIDENCE_ROLES = {"admin", "manager", "pic", "auditor"}
FOLLOW_UP_ROLES = {"admin", "manager", "pic"}


def expected(role: str, allowed_roles: set[str] | None, in_scope: bool) -> int:
    if allowed_roles is not None and role not in allowed_roles:
        return 403
    return 200 if in_scope else 404


def test_role_endpoint_unit_matrix(api: Api) -> None:
    wrong = []
    for username, (role, _units) in USERS.items():
        client, csrf = api.login(username)
        for cam in ("cam-a", "cam-b", "cam-c"):
            visible = cam in SCOPE[username]
            alert_id, evidence_id = api.seeded.alerts[cam], api.seeded.evidence[cam]
            checks = [
                ("GET", f"/api/cameras/{cam}/zones/current", None),
                ("GET", f"/api/series?camera={cam}&resolution=minute", None),
                ("GET", f"/api/evidence?camera={cam}", EVIDENCE_ROLES),
                ("GET", f"/api/evidence/{evidence_id}/image", EVIDENCE_ROLES),
                ("POST", f"/api/alerts/{alert_id}/ack", FOLLOW_UP_ROLES),
            ]
            for method, path, roles in checks:
                response = client.request(method, path, headers={"X-CSRF-Token": csrf})
                want = expected(role, roles, visible)
                if response.status_code != want:
                    wrong.append(f"{username} {method} {path}: {response.status_code}, expected {want}")
        for path, roles in (
            ("/api/units", None),
            ("/api/cameras", None),
            ("/api/alerts", None),
            ("/api/evidence", EVIDENCE_ROLES),
            ("/api/audit", {"admin"}),
            ("/api/audit.csv", {"admin"}),
            ("/api/users", {"admin"}),
        ):
            response = client.get(path)
            want = expected(role, roles, True)
            if response.status_code != want:
                wrong.append(f"{username} GET {path}: {response.status_code}, expected {want}")
    assert wrong == []


def test_lists_hold_only_the_callers_units(api: Api) -> None:
    for username in USERS:
        client, _ = api.login(username)
        cameras = {c["id"] for c in client.get("/api/cameras").json()}
        assert cameras == SCOPE[username], username
        alerts = {a["camera_id"] for a in client.get("/api/alerts").json()}
        assert alerts == SCOPE[username], username
        if USERS[username][0] != "viewer":
            shots = {e["camera_id"] for e in client.get("/api/evidence").json()}
            assert shots == SCOPE[username], username


def test_pic_cannot_see_or_follow_up_another_ulps_alert_but_their_manager_can(api: Api) -> None:
    alert_b = api.seeded.alerts["cam-b"]
    pic, pic_csrf = api.login("pic-a")
    assert alert_b not in {a["id"] for a in pic.get("/api/alerts").json()}
    ack = pic.post(f"/api/alerts/{alert_b}/ack", headers={"X-CSRF-Token": pic_csrf})
    assert ack.status_code == 404
    assert ack.json() == {"detail": f"no alert {alert_b}"}
    body = {"category": "coaching", "note": "not mine"}
    resolve = pic.post(f"/api/alerts/{alert_b}/resolve", json=body, headers={"X-CSRF-Token": pic_csrf})
    assert resolve.status_code == 404
    # The same answer as for an alert that does not exist at all.
    assert pic.post("/api/alerts/99999/ack", headers={"X-CSRF-Token": pic_csrf}).json() == {"detail": "no alert 99999"}
    assert pic.get("/api/alerts?unit=ulp-cakra").status_code == 404
    assert pic.get("/api/alerts?unit=no-such-unit").status_code == 404

    manager, manager_csrf = api.login("manager")
    assert {a["camera_id"] for a in manager.get("/api/alerts?unit=ulp-cakra").json()} == {"cam-b"}
    acked = manager.post(f"/api/alerts/{alert_b}/ack", headers={"X-CSRF-Token": manager_csrf})
    assert acked.status_code == 200
    assert (acked.json()["status"], acked.json()["acked_by"]) == ("acknowledged", "manager")


def test_units_tree_is_the_callers_subtrees(api: Api) -> None:
    def ids(node: dict[str, object]) -> object:
        children = node["children"]
        assert isinstance(children, list)
        return (node["id"], [ids(c) for c in children])

    admin, _ = api.login("admin")
    assert [ids(n) for n in admin.get("/api/units").json()] == [
        ("uiw-ntb", [("up3-bima", [("ulp-bima", [])]), ("up3-mataram", [("ulp-ampenan", []), ("ulp-cakra", [])])])
    ]
    manager, _ = api.login("manager")
    assert [ids(n) for n in manager.get("/api/units").json()] == [
        ("up3-mataram", [("ulp-ampenan", []), ("ulp-cakra", [])])
    ]
    pic, _ = api.login("pic-b")
    tree = pic.get("/api/units").json()
    assert tree == [
        {"id": "ulp-cakra", "name": "ULP Cakranegara", "level": "ulp", "timezone": "Asia/Makassar", "children": []}
    ]

"""Administrators bound to units are scoped like everyone else, on every JSON route, page and form.

Two unit-scoped admins (UP3 Bima, UP3 Mataram) and the root admin walk every route that names a
camera, alert, snapshot, unit or user (GET and state-changing, with the CSRF token), for each seeded
object; anything outside the admin's units must answer 404 and change nothing, anything inside
must work. A test checks that the walk covers every route of the app. Then the escalation attempts:
a root admin created, own units widened, a user of another unit changed, another unit's camera edited.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from cvmon.config.editing import ConfigFile, OutOfScope
from cvmon.i18n.dates import format_moment
from cvmon.server import create_app
from cvmon.storage.audit import AuditRepository
from cvmon.storage.users import UserRepository
from cvmon.web.setup_actions import shown_source
from tests.api.conftest import (
    CONFIG,
    FAST_PASSWORDS,
    NOW,
    PASSWORD,
    SCOPED_USERS,
    USERS,
    FakeClock,
    Seeded,
    add_scoped_users,
    make_settings,
)

CAMERA_UNIT = {"cam-a": "ulp-ampenan", "cam-b": "ulp-cakra", "cam-c": "ulp-bima"}
SOURCES = {c["id"]: c["source"] for c in CONFIG["cameras"]}
SCOPE = {
    "admin": {"uiw-ntb", "up3-mataram", "ulp-ampenan", "ulp-cakra", "up3-bima", "ulp-bima"},
    "admin-bima": {"up3-bima", "ulp-bima"},
    "admin-mataram": {"up3-mataram", "ulp-ampenan", "ulp-cakra"},
}
ALL_USERS = {**USERS, **SCOPED_USERS}
ADMINS = tuple(SCOPE)
_CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
STRONG = "lampu kota bima malam"


def users_of(admin: str) -> set[str]:
    return {name for name, (_role, units) in ALL_USERS.items() if set(units) <= SCOPE[admin]}


@dataclass
class Scoped:
    app: Any
    seeded: Seeded
    clock: FakeClock
    config: Path

    def login(self, username: str) -> tuple[TestClient, str]:
        """A client signed in through the login form, and the CSRF token of its session."""
        client = TestClient(self.app, base_url="https://testserver", client=("10.2.2.2", 1))
        response = client.post("/api/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return client, response.json()["csrf_token"]

    def digest(self) -> str:
        return hashlib.sha256(self.config.read_bytes()).hexdigest()


@pytest.fixture
def scoped(seeded: Seeded, clock: FakeClock, tmp_path: Path) -> Iterator[Scoped]:
    add_scoped_users(seeded.db)
    config = tmp_path / "cameras.yaml"
    config.write_text(yaml.safe_dump(CONFIG, sort_keys=False), encoding="utf-8")
    app = create_app(
        make_settings(config=config),
        database=seeded.db,
        evidence_dir=seeded.evidence_root,
        clock=clock,
        passwords=FAST_PASSWORDS,
    )
    yield Scoped(app, seeded, clock, config)


# A check: (route template, method, path, JSON body or form, how the body is sent, code when in scope).
Check = tuple[str, str, str, Any, str, int]
DAY = f"{NOW:%Y-%m-%d}"


def camera_checks(cam: str) -> list[Check]:
    unit = CAMERA_UNIT[cam]
    checks: list[Check] = [
        ("/api/cameras/{camera_id}/zones/current", "GET", f"/api/cameras/{cam}/zones/current", None, "", 200),
        ("/api/series", "GET", f"/api/series?camera={cam}&resolution=minute", None, "", 200),
        ("/api/evidence", "GET", f"/api/evidence?camera={cam}", None, "", 200),
        ("/cameras/{camera_id}", "GET", f"/cameras/{cam}", None, "", 200),
        ("/evidence", "GET", f"/evidence?camera={cam}", None, "", 200),
        ("/alerts", "GET", f"/alerts?camera={cam}", None, "", 200),
        ("/admin/cameras/{camera_id}", "GET", f"/admin/cameras/{cam}", None, "", 200),
        ("/admin/cameras/{camera_id}/zones", "GET", f"/admin/cameras/{cam}/zones", None, "", 200),
        (
            "/admin/cameras/{camera_id}",
            "POST",
            f"/admin/cameras/{cam}",
            {"name": f"Renamed {cam}", "unit": unit, "source": shown_source(SOURCES[cam]), "enabled": "on"},
            "form",
            303,
        ),
        (
            "/admin/cameras/{camera_id}/zones",
            "POST",
            f"/admin/cameras/{cam}/zones",
            {"zones": [z for c in CONFIG["cameras"] if c["id"] == cam for z in c["zones"]], "privacy_masks": []},
            "json",
            200,
        ),
    ]
    if cam == "cam-c":  # a missing file: the snapshot fails at once, without the network
        checks.append(
            ("/admin/cameras/{camera_id}/snapshot", "POST", f"/admin/cameras/{cam}/snapshot", {}, "json", 422)
        )
        checks.append(
            (
                "/admin/cameras-test",
                "POST",
                "/admin/cameras-test",
                {"source": "/footage/c.mp4", "camera": cam},
                "form",
                422,
            )
        )
        checks.append(
            ("/cameras/{camera_id}/latest.jpg", "GET", f"/cameras/{cam}/latest.jpg", None, "", 404)  # no frame yet
        )
    else:  # out of scope only: an in-scope RTSP camera would be opened
        checks.append(("/admin/cameras/{camera_id}/snapshot", "POST", f"/admin/cameras/{cam}/snapshot", {}, "json", -1))
        checks.append(
            ("/admin/cameras-test", "POST", "/admin/cameras-test", {"source": "***", "camera": cam}, "form", -1)
        )
    return checks


def unit_checks(unit: str) -> list[Check]:
    period = f"from={DAY}&to={DAY}"
    return [
        ("/api/alerts", "GET", f"/api/alerts?unit={unit}", None, "", 200),
        ("/api/reports", "GET", f"/api/reports?unit={unit}&{period}", None, "", 200),
        ("/", "GET", f"/?unit={unit}", None, "", 200),
        ("/ui/tiles", "GET", f"/ui/tiles?unit={unit}", None, "", 200),
        ("/alerts", "GET", f"/alerts?unit={unit}", None, "", 200),
        ("/reports", "GET", f"/reports?unit={unit}&{period}", None, "", 200),
        ("/reports/report.csv", "GET", f"/reports/report.csv?unit={unit}&{period}", None, "", 200),
        ("/reports/report.pdf", "GET", f"/reports/report.pdf?unit={unit}&{period}", None, "", 200),
        ("/evidence/pack", "GET", f"/evidence/pack?unit={unit}&date={DAY}&from=09:00&to=10:00", None, "", 200),
        ("/evidence/pack.pdf", "GET", f"/evidence/pack.pdf?unit={unit}&from={DAY}T09:00&to={DAY}T10:00", None, "", 200),
    ]


def alert_checks(alert_id: int, evidence_id: int) -> list[Check]:
    return [
        ("/api/evidence", "GET", f"/api/evidence?alert={alert_id}", None, "", 200),
        ("/api/evidence/{evidence_id}/image", "GET", f"/api/evidence/{evidence_id}/image", None, "", 200),
        ("/evidence/{evidence_id}", "GET", f"/evidence/{evidence_id}", None, "", 200),
        ("/evidence", "GET", f"/evidence?alert={alert_id}", None, "", 200),
        ("/alerts", "GET", f"/alerts?alert={alert_id}", None, "", 200),
        ("/api/alerts/{alert_id}/ack", "POST", f"/api/alerts/{alert_id}/ack", None, "", 200),
        ("/alerts/{alert_id}/ack", "POST", f"/alerts/{alert_id}/ack", {}, "form", 303),
        (
            "/api/alerts/{alert_id}/resolve",
            "POST",
            f"/api/alerts/{alert_id}/resolve",
            {"category": "coaching", "note": "x"},
            "json",
            200,
        ),
        (
            "/alerts/{alert_id}/resolve",
            "POST",
            f"/alerts/{alert_id}/resolve",
            {"category": "coaching", "note": "again"},
            "form",
            409,  # resolved by the JSON call just before
        ),
    ]


def user_checks(name: str) -> list[Check]:
    return [
        ("/api/users/{username}", "GET", f"/api/users/{name}", None, "", 200),
        ("/api/users/{username}", "PATCH", f"/api/users/{name}", {"disabled": False}, "json", 200),
        ("/api/users/{username}/unlock", "POST", f"/api/users/{name}/unlock", None, "", 200),
        ("/admin/users/{username}", "POST", f"/admin/users/{name}", {"state": "active"}, "form", 303),
        ("/admin/users/{username}/unlock", "POST", f"/admin/users/{name}/unlock", {}, "form", 303),
    ]


def _send(client: TestClient, csrf: str, method: str, path: str, body: Any, how: str) -> Any:
    if how == "form":
        return client.request(method, path, data={**body, "csrf_token": csrf}, follow_redirects=False)
    return client.request(method, path, json=body, headers={"X-CSRF-Token": csrf}, follow_redirects=False)


def _walk(scoped: Scoped, admin: str, covered: set[tuple[str, str]]) -> list[str]:
    """Every check of every object for one admin; the wrong answers, as lines."""
    client, csrf = scoped.login(admin)
    wrong: list[str] = []
    alerts, evidence = scoped.seeded.alerts, scoped.seeded.evidence

    def expect(checks: list[Check], inside: bool) -> None:
        for template, method, path, body, how, code in checks:
            covered.add((method, template))
            if inside and code == -1:
                continue
            before = scoped.digest()
            response = _send(client, csrf, method, path, body, how)
            want = code if inside else 404
            if response.status_code != want:
                wrong.append(f"{admin} {method} {path}: {response.status_code}, expected {want}")
            if not inside and scoped.digest() != before:
                wrong.append(f"{admin} {method} {path}: changed cameras.yaml")

    for cam, unit in CAMERA_UNIT.items():
        expect(camera_checks(cam), unit in SCOPE[admin])
        expect(alert_checks(alerts[cam], evidence[cam]), unit in SCOPE[admin])
    for unit in sorted(SCOPE["admin"]):
        expect(unit_checks(unit), unit in SCOPE[admin])
    for name in sorted(ALL_USERS):
        expect(user_checks(name), name in users_of(admin))
    return wrong


def _lists(scoped: Scoped, admin: str) -> list[str]:
    """The lists and pages that list things hold only the admin's units' objects."""
    client, _ = scoped.login(admin)
    cams = {c for c, u in CAMERA_UNIT.items() if u in SCOPE[admin]}
    wrong = []
    found = {
        "cameras": {c["id"] for c in client.get("/api/cameras").json()},
        "alerts": {a["camera_id"] for a in client.get("/api/alerts").json()},
        "evidence": {e["camera_id"] for e in client.get("/api/evidence").json()},
        "users": {u["username"] for u in client.get("/api/users").json()},
    }
    for what, want in (("cameras", cams), ("alerts", cams), ("evidence", cams), ("users", users_of(admin))):
        if found[what] != want:
            wrong.append(f"{admin} /api/{what}: {sorted(found[what])}, expected {sorted(want)}")
    cameras_page = client.get("/admin/cameras").text
    users_page = client.get("/admin/users").text
    for cam in CAMERA_UNIT:
        if (f'/admin/cameras/{cam}"' in cameras_page) != (cam in cams):
            wrong.append(f"{admin} /admin/cameras shows {cam}: {cam not in cams}")
    for name in ALL_USERS:
        if (f'data-user="{name}"' in users_page) != (name in users_of(admin)):
            wrong.append(f"{admin} /admin/users shows {name}: {name not in users_of(admin)}")
    return wrong


def _audit_targets_outside(scoped: Scoped, admin: str) -> list[str]:
    client, _ = scoped.login(admin)
    inside = (
        {f"user:{u}" for u in users_of(admin)}
        | {f"camera:{c}" for c, u in CAMERA_UNIT.items() if u in SCOPE[admin]}
        | {f"alert:{scoped.seeded.alerts[c]}" for c, u in CAMERA_UNIT.items() if u in SCOPE[admin]}
        | {f"evidence:{scoped.seeded.evidence[c]}" for c, u in CAMERA_UNIT.items() if u in SCOPE[admin]}
        | {f"unit:{u}" for u in SCOPE[admin]}
        | {"audit_log"}
    )
    rows = client.get("/api/audit?limit=1000").json()
    csv_rows = client.get("/api/audit.csv").text.splitlines()[1:]
    page = client.get("/admin/audit").text
    wrong = [f"{admin} /api/audit shows {r['target']}" for r in rows if r["target"] not in inside]
    if not rows or len(csv_rows) != len(rows) + 1:  # the export's own row comes first
        wrong.append(f"{admin} /api/audit.csv: {len(csv_rows)} rows, /api/audit {len(rows)}")
    for outside in ("user:admin", "user:pic-a" if admin == "admin-bima" else "user:pic-c"):
        if f"<td>{outside}</td>" in page:
            wrong.append(f"{admin} /admin/audit shows {outside}")
    return wrong


def test_scoped_admins_stay_inside_their_units_on_every_route_page_and_form(scoped: Scoped) -> None:
    root, _ = scoped.login("admin")
    root.get(f"/api/evidence/{scoped.seeded.evidence['cam-a']}/image")  # rows about several units
    scoped.login("pic-c")[0].get(f"/api/evidence/{scoped.seeded.evidence['cam-c']}/image")
    wrong: list[str] = []
    covered: set[tuple[str, str]] = set()
    for admin in ("admin-bima", "admin-mataram"):
        wrong += _lists(scoped, admin)
        wrong += _audit_targets_outside(scoped, admin)
        wrong += _walk(scoped, admin, covered)
    assert wrong == []
    # The walk covers every route that names a camera, alert, snapshot, unit or user.
    named = {
        (method, route.path)
        for route in scoped.app.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if re.search(r"\{(camera_id|alert_id|evidence_id|username)\}", route.path)
    }
    filters = ["/api/series", "/api/evidence", "/api/alerts", "/api/reports", "/", "/ui/tiles", "/alerts"]
    filters += ["/evidence", "/reports", "/reports/report.csv", "/reports/report.pdf", "/evidence/pack"]
    filtered = {("GET", p) for p in [*filters, "/evidence/pack.pdf"]} | {("POST", "/admin/cameras-test")}
    assert named | filtered <= covered


def test_the_root_admin_reaches_everything(scoped: Scoped) -> None:
    covered: set[tuple[str, str]] = set()
    assert _walk(scoped, "admin", covered) + _lists(scoped, "admin") == []


def test_escalation_attempts_are_refused_and_change_nothing(scoped: Scoped) -> None:
    client, csrf = scoped.login("admin-bima")
    headers = {"X-CSRF-Token": csrf}
    users = UserRepository(scoped.seeded.db)
    before_users, before_file = users.all_users(), scoped.digest()
    unknown = "unknown unit(s): uiw-ntb"
    attempts = [
        # a root admin, or one of another UP3
        ("POST", "/api/users", {"username": "boss", "password": STRONG, "role": "admin", "units": ["uiw-ntb"]}, 422),
        (
            "POST",
            "/api/users",
            {"username": "boss", "password": STRONG, "role": "admin", "units": ["ulp-ampenan"]},
            422,
        ),
        # its own units widened, a user of its unit moved out
        ("PATCH", "/api/users/admin-bima", {"units": ["uiw-ntb"]}, 422),
        ("PATCH", "/api/users/admin-bima", {"units": ["up3-bima", "up3-mataram"]}, 422),
        ("PATCH", "/api/users/pic-c", {"units": ["ulp-bima", "ulp-ampenan"]}, 422),
        # a user of another unit, or the root admin: as if they did not exist
        ("PATCH", "/api/users/pic-a", {"password": STRONG}, 404),
        ("PATCH", "/api/users/admin", {"disabled": True}, 404),
        ("PATCH", "/api/users/admin-mataram", {"role": "viewer"}, 404),
        ("POST", "/api/users/pic-a/unlock", None, 404),
    ]
    for method, path, body, code in attempts:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == code, (method, path, response.text)
    first = client.post("/api/users", json=attempts[0][2], headers=headers).json()
    assert first["detail"].startswith(unknown)
    # The same through the pages' forms.
    form = {"csrf_token": csrf, "username": "boss", "password": STRONG, "role": "admin", "units": "uiw-ntb"}
    assert client.post("/admin/users", data=form).status_code == 422
    form = {"csrf_token": csrf, "units": ["up3-bima", "uiw-ntb"]}
    assert client.post("/admin/users/admin-bima", data=form).status_code == 422
    assert client.post("/admin/users/pic-a", data={"csrf_token": csrf, "password": STRONG}).status_code == 404
    # Another unit's camera: not edited, not moved in, none added there, none moved out.
    new = {"csrf_token": csrf, "id": "cam-x", "unit": "ulp-ampenan", "source": "/footage/x.mp4", "enabled": "on"}
    assert client.post("/admin/cameras/new", data=new, follow_redirects=False).status_code == 404
    edit = {"csrf_token": csrf, "unit": "ulp-ampenan", "source": "/footage/c.mp4", "enabled": "on"}
    assert client.post("/admin/cameras/cam-c", data=edit, follow_redirects=False).status_code == 404
    edit = {"csrf_token": csrf, "unit": "ulp-bima", "source": "/footage/a.mp4", "enabled": "on"}
    assert client.post("/admin/cameras/cam-a", data=edit, follow_redirects=False).status_code == 404
    assert client.post("/admin/cameras/cam-a/delete", data={"csrf_token": csrf}).status_code == 404
    assert users.all_users() == before_users
    assert scoped.digest() == before_file
    # Nobody signs in as the other unit's user with a password the scoped admin chose.
    outsider = TestClient(scoped.app, base_url="https://testserver")
    assert outsider.post("/api/login", json={"username": "pic-a", "password": STRONG}).status_code == 401
    # Inside its units it administers: a new admin of its own UP3, a user made admin there.
    body = {"username": "wakil", "password": STRONG, "role": "admin", "units": ["ulp-bima"]}
    assert client.post("/api/users", json=body, headers=headers).status_code == 201
    assert client.patch("/api/users/pic-c", json={"role": "admin"}, headers=headers).status_code == 200
    new = {**new, "unit": "ulp-bima"}
    assert client.post("/admin/cameras/new", data=new, follow_redirects=False).status_code == 303
    assert "cam-x" in scoped.config.read_text()


def test_a_save_touching_another_units_camera_is_refused_before_writing(scoped: Scoped) -> None:
    before = scoped.digest()
    editor = ConfigFile(scoped.config)
    editor.set_camera("cam-a", {"name": "mine now"})
    with pytest.raises(OutOfScope, match="camera 'cam-a': unit 'ulp-ampenan' is not one of your units"):
        editor.save(["up3-bima", "ulp-bima"])
    editor = ConfigFile(scoped.config)
    editor.doc["units"][0]["name"] = "renamed"
    with pytest.raises(OutOfScope, match="only cameras"):
        editor.save(["up3-bima", "ulp-bima"])
    editor = ConfigFile(scoped.config)
    editor.remove_camera("cam-b")
    with pytest.raises(OutOfScope):
        editor.save(["up3-bima", "ulp-bima"])
    assert scoped.digest() == before
    editor = ConfigFile(scoped.config)
    editor.set_camera("cam-c", {"name": "Bima hall"})
    editor.save(["up3-bima", "ulp-bima"])
    assert "Bima hall" in scoped.config.read_text()


def test_scoped_admins_see_lock_outs_of_their_users_and_lift_them(scoped: Scoped) -> None:
    guesser = TestClient(scoped.app, base_url="https://testserver", client=("10.8.8.8", 1))
    for _ in range(5):
        assert guesser.post("/api/login", json={"username": "pic-c", "password": "not it at all"}).status_code == 401
    assert guesser.post("/api/login", json={"username": "pic-c", "password": PASSWORD}).status_code == 429
    bima, csrf = scoped.login("admin-bima")
    (locked,) = [u for u in bima.get("/api/users").json() if u["username"] == "pic-c"]
    until = (NOW + timedelta(minutes=15)).isoformat().replace("+00:00", "Z")
    assert locked["lockouts"] == [{"until": until, "by": "username_address", "client_addr": "10.8.8.8"}]
    page = bima.get("/admin/users").text
    shown_until = format_moment(NOW + timedelta(minutes=15), "id", "UTC", seconds=True)  # the page's one format
    assert "10.8.8.8" in page and shown_until in page
    mataram, mataram_csrf = scoped.login("admin-mataram")
    assert mataram.post("/api/users/pic-c/unlock", headers={"X-CSRF-Token": mataram_csrf}).status_code == 404
    page_csrf = _CSRF_INPUT.search(page)
    assert page_csrf is not None
    lifted = bima.post("/admin/users/pic-c/unlock", data={"csrf_token": page_csrf.group(1)}, follow_redirects=False)
    assert lifted.status_code == 303
    assert bima.get("/api/users/pic-c").json()["lockouts"] == []
    assert guesser.post("/api/login", json={"username": "pic-c", "password": PASSWORD}).status_code == 200
    (row,) = AuditRepository(scoped.seeded.db).find(action="login.unlock")
    assert (row.actor, row.target, row.details["lifted"][0]["client_addr"]) == ("admin-bima", "user:pic-c", "10.8.8.8")
    assert csrf


@pytest.mark.parametrize(
    "path",
    [
        "/api/reports?unit=uiw-ntb&from=0001-01-01&to=0001-01-31",
        "/api/reports?unit=uiw-ntb&from=9999-12-01&to=9999-12-31",
        "/reports?unit=uiw-ntb&from=0001-01-01&to=0001-01-02",
        "/reports?unit=uiw-ntb&from=9999-12-30&to=9999-12-31",
        "/reports/report.csv?unit=uiw-ntb&from=0001-01-01&to=0001-01-02",
        "/reports/report.pdf?unit=uiw-ntb&from=9999-12-31&to=9999-12-31",
        "/cameras/cam-a?day=9999-12-31",
        "/cameras/cam-a?day=0001-01-01",
        "/admin/audit?until=9999-12-31",
        "/admin/audit?since=0001-01-01",
        "/api/audit?until=9999-12-31T23:59:59Z",
        "/api/audit?since=0001-01-01T00:00:00Z",
        "/api/alerts?since=0001-01-01T00:00:00Z",
        "/api/series?camera=cam-a&from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z",
        "/api/series?camera=cam-a&from=9999-12-31T00:00:00Z&to=9999-12-31T23:00:00Z",
        "/evidence/pack?unit=ulp-ampenan&date=9999-12-31&from=23:00&to=23:59",
        "/evidence/pack.pdf?unit=ulp-ampenan&from=0001-01-01T00:00&to=0001-01-01T01:00",
        "/evidence/pack.pdf?unit=ulp-ampenan&from=9999-12-31T22:00%2B14:00&to=9999-12-31T23:00%2B14:00",
    ],
)
def test_dates_at_the_calendars_edges_are_422(scoped: Scoped, path: str) -> None:
    client, _ = scoped.login("admin")
    response = client.get(path)
    assert response.status_code == 422, response.text
    if path.startswith("/api/"):
        assert "must" in response.json()["detail"]


@pytest.mark.parametrize("username", ["admin", "admin-bima"])
def test_weak_passwords_are_refused_by_the_api_and_the_form(scoped: Scoped, username: str) -> None:
    client, csrf = scoped.login(username)
    unit = "ulp-bima"
    for weak in ("aaaaaaaaaaaa", "password123", "bima123456"):
        body = {"username": "bima-new", "password": weak, "role": "viewer", "units": [unit]}
        response = client.post("/api/users", json=body, headers={"X-CSRF-Token": csrf})
        assert response.status_code == 422, weak
        assert response.json()["detail"].startswith(("the password is too easy to guess", "the password needs"))
        form = {"csrf_token": csrf, "username": "bima-new", "password": weak, "role": "viewer", "units": unit}
        page = client.post("/admin/users", data=form)
        assert page.status_code == 422
        assert "too easy to guess" in page.text or "at least 10" in page.text
        patched = client.patch("/api/users/pic-c", json={"password": weak}, headers={"X-CSRF-Token": csrf})
        assert patched.status_code == 422
    assert "bima-new" not in {u["username"] for u in client.get("/api/users").json()}

"""/api/users: admins list, read, add and change users; every change audited, bad input a clear 4xx."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cvmon.api.user_admin import admin_conflict
from cvmon.storage.audit import AuditRepository
from cvmon.storage.users import Role, User
from tests.api.conftest import NOW, PASSWORD, USERS, Api, sqlite_only

NEW_PASSWORD = "a brand new password"
UNKNOWN_UNIT = (
    "unknown unit(s): ulp-nowhere (units come from cameras.yaml; store them first with `cvmon run` or `cvmon process`)"
)
WEAK = "the password needs at least 10 characters"
ROLES = "is not one of admin, manager, pic, auditor, viewer"
OWN_ROLE = "you cannot remove your own admin role"


def user_rows(api: Api) -> list[tuple[str | None, str, str | None, str | None, dict[str, Any]]]:
    """The audit rows of user changes made through the API, oldest first."""
    rows = AuditRepository(api.seeded.db).find(limit=1000)
    return [
        (r.actor, r.action, r.target, r.client_addr, r.details)
        for r in reversed(rows)
        if r.action.startswith("user.") and r.actor != "cli:seed"
    ]


def test_admin_lists_and_reads_users(api: Api) -> None:
    admin, _ = api.login("admin")
    listed = admin.get("/api/users")
    assert listed.status_code == 200
    assert listed.json() == [
        {"username": name, "role": role, "units": units, "disabled": False, "lockouts": []}
        for name, (role, units) in sorted(USERS.items())
    ]
    one = admin.get("/api/users/PIC-A")
    assert one.status_code == 200
    assert one.json() == {
        "username": "pic-a",
        "role": "pic",
        "units": ["ulp-ampenan"],
        "disabled": False,
        "lockouts": [],
    }
    missing = admin.get("/api/users/nobody")
    assert (missing.status_code, missing.json()) == (404, {"detail": "no user 'nobody'"})


def test_admin_adds_a_user_who_can_sign_in(api: Api) -> None:
    admin, csrf = api.login("admin", addr="10.9.9.9")
    body = {"username": "Kepala.ULP", "password": NEW_PASSWORD, "role": "pic", "units": ["ulp-bima", " ulp-cakra "]}
    added = admin.post("/api/users", json=body, headers={"X-CSRF-Token": csrf})
    assert added.status_code == 201, added.text
    assert added.json() == {
        "username": "kepala.ulp",
        "role": "pic",
        "units": ["ulp-bima", "ulp-cakra"],
        "disabled": False,
        "lockouts": [],
    }
    assert admin.get("/api/users/kepala.ulp").json() == added.json()
    assert user_rows(api) == [
        ("admin", "user.add", "user:kepala.ulp", "10.9.9.9", {"role": "pic", "units": ["ulp-bima", "ulp-cakra"]})
    ]
    (row,) = AuditRepository(api.seeded.db).find(action="user.add", actor="admin")
    assert row.ts == NOW
    client, _ = api.login("kepala.ulp", NEW_PASSWORD)
    assert client.get("/api/me").json()["scope"] == ["ulp-bima", "ulp-cakra"]


def test_admin_changes_a_user_and_each_change_is_audited(api: Api) -> None:
    pic, _ = api.login("pic-a")
    admin, csrf = api.login("admin", addr="10.9.9.9")
    headers = {"X-CSRF-Token": csrf}
    body = {"role": "manager", "units": ["up3-bima", "ulp-cakra"], "password": NEW_PASSWORD, "disabled": True}
    changed = admin.patch("/api/users/pic-a", json=body, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        "username": "pic-a",
        "role": "manager",
        "units": ["ulp-cakra", "up3-bima"],
        "disabled": True,
        "lockouts": [],
    }
    assert pic.get("/api/me").status_code == 401  # the changes ended the user's sessions
    assert api.client().post("/api/login", json={"username": "pic-a", "password": NEW_PASSWORD}).status_code == 401

    enabled = admin.patch("/api/users/pic-a", json={"disabled": False}, headers=headers)
    assert enabled.json()["disabled"] is False
    client, _ = api.login("pic-a", NEW_PASSWORD)
    assert client.get("/api/me").json()["role"] == "manager"

    target = ("user:pic-a", "10.9.9.9")
    assert user_rows(api) == [
        ("admin", "user.set_units", *target, {"from": ["ulp-ampenan"], "to": ["ulp-cakra", "up3-bima"]}),
        ("admin", "user.set_role", *target, {"from": "pic", "to": "manager"}),
        ("admin", "user.set_password", *target, {}),
        ("admin", "user.disable", *target, {}),
        ("admin", "user.enable", *target, {}),
    ]
    assert NEW_PASSWORD not in str(AuditRepository(api.seeded.db).find(limit=1000))


@sqlite_only
def test_a_change_to_the_same_value_changes_nothing(api: Api) -> None:
    pic, _ = api.login("pic-a")
    admin, csrf = api.login("admin")
    body = {"role": "pic", "units": ["ulp-ampenan", "ulp-ampenan"], "disabled": False}
    for patch in (body, {}, {"role": None, "units": None, "disabled": None, "password": None}):
        same = admin.patch("/api/users/pic-a", json=patch, headers={"X-CSRF-Token": csrf})
        assert same.status_code == 200, same.text
        assert same.json() == {
            "username": "pic-a",
            "role": "pic",
            "units": ["ulp-ampenan"],
            "disabled": False,
            "lockouts": [],
        }
    assert user_rows(api) == []
    assert pic.get("/api/me").status_code == 200  # no session ended


def test_another_admin_may_demote_an_admin(api: Api) -> None:
    admin, csrf = api.login("admin")
    body = {"username": "admin2", "password": NEW_PASSWORD, "role": "admin", "units": ["uiw-ntb"]}
    assert admin.post("/api/users", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    second, second_csrf = api.login("admin2", NEW_PASSWORD)
    demoted = second.patch("/api/users/admin", json={"role": "viewer"}, headers={"X-CSRF-Token": second_csrf})
    assert demoted.status_code == 200, demoted.text
    assert demoted.json()["role"] == "viewer"
    assert admin.get("/api/users").status_code == 401  # the demoted admin's session ended


ADD = {"username": "baru", "password": NEW_PASSWORD, "role": "viewer", "units": ["ulp-bima"]}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    [
        ("POST", "/api/users", {**ADD, "username": "PIC-A"}, 409, "user 'pic-a' already exists"),
        ("POST", "/api/users", {**ADD, "units": ["ulp-bima", "ulp-nowhere"]}, 422, UNKNOWN_UNIT),
        ("POST", "/api/users", {**ADD, "role": "root"}, 422, f"role 'root' {ROLES}"),
        ("POST", "/api/users", {**ADD, "password": "short"}, 422, WEAK),
        ("POST", "/api/users", {**ADD, "units": [" ", ""]}, 422, "a user needs at least one unit"),
        (
            "POST",
            "/api/users",
            {**ADD, "username": "-x"},
            422,
            "username '-x': 2 to 64 characters, letters, digits, '.', '_', '@', '-', starting with a letter or digit",
        ),
        ("PATCH", "/api/users/nobody", {"role": "pic"}, 404, "no user 'nobody'"),
        ("PATCH", "/api/users/pic-a", {"role": "boss"}, 422, f"role 'boss' {ROLES}"),
        ("PATCH", "/api/users/pic-a", {"password": "123456789"}, 422, WEAK),
        ("PATCH", "/api/users/pic-a", {"units": ["ulp-nowhere"]}, 422, UNKNOWN_UNIT),
        ("PATCH", "/api/users/pic-a", {"units": []}, 422, "a user needs at least one unit"),
        # Nothing changes when one field of several is bad.
        ("PATCH", "/api/users/pic-a", {"role": "viewer", "password": "short"}, 422, WEAK),
        ("PATCH", "/api/users/admin", {"disabled": True}, 409, "you cannot disable your own account"),
        ("PATCH", "/api/users/Admin", {"role": "manager"}, 409, OWN_ROLE),
        ("PATCH", "/api/users/admin", {"role": "pic", "units": ["ulp-bima"]}, 409, OWN_ROLE),
    ],
)
def test_bad_requests_get_a_clear_4xx_and_change_nothing(
    api: Api, method: str, path: str, body: dict[str, Any], status: int, detail: str
) -> None:
    admin, csrf = api.login("admin")
    before = admin.get("/api/users").json()
    response = admin.request(method, path, json=body, headers={"X-CSRF-Token": csrf})
    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert admin.get("/api/users").json() == before
    assert user_rows(api) == []


@sqlite_only
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/users", {**ADD, "admin": True}),
        ("POST", "/api/users", {"username": "baru", "password": NEW_PASSWORD, "role": "viewer"}),
        ("POST", "/api/users", {**ADD, "units": "ulp-bima"}),
        ("POST", "/api/users", {**ADD, "username": "ba\x00ru"}),
        ("POST", "/api/users", {**ADD, "units": ["ulp\x00bima"]}),
        ("PATCH", "/api/users/pic-a", {"disabled": "maybe"}),
        ("PATCH", "/api/users/pic-a", {"units": ["ulp-\x00"]}),
        ("PATCH", "/api/users/pic-a", {"name": "x"}),
    ],
)
def test_malformed_bodies_are_422(api: Api, method: str, path: str, body: dict[str, Any]) -> None:
    admin, csrf = api.login("admin")
    response = admin.request(method, path, json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422, response.text
    assert user_rows(api) == []


def test_only_admins_may_use_the_users_api(api: Api) -> None:
    for username, (role, _units) in USERS.items():
        if role == "admin":
            continue
        client, csrf = api.login(username)
        headers = {"X-CSRF-Token": csrf}
        for method, path, body in (
            ("GET", "/api/users", None),
            ("GET", "/api/users/admin", None),
            ("POST", "/api/users", ADD),
            ("PATCH", "/api/users/pic-a", {"role": "admin"}),
            ("PATCH", f"/api/users/{username}", {"role": "admin"}),
        ):
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (username, method, path)
            assert response.json() == {"detail": f"role '{role}' may not do this (only admin)"}
    assert user_rows(api) == []
    assert api.client().get("/api/users").status_code == 401


def test_changes_need_the_csrf_token(api: Api) -> None:
    admin, _ = api.login("admin")
    for headers in ({}, {"X-CSRF-Token": "not-the-token"}):
        for method, path, body in (("POST", "/api/users", ADD), ("PATCH", "/api/users/pic-a", {"role": "viewer"})):
            response = admin.request(method, path, json=body, headers=headers)
            assert (response.status_code, response.json()) == (403, {"detail": "missing or wrong X-CSRF-Token header"})
    assert user_rows(api) == []
    assert admin.get("/api/users/pic-a").json()["role"] == "pic"


def make_user(username: str, role: Role, *, disabled: bool = False) -> User:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    return User(1, username, role, disabled, ("uiw-ntb",), t, t)


ADMIN_A, ADMIN_B = make_user("a", Role.ADMIN), make_user("b", Role.ADMIN)
OLD_ADMIN, PIC = make_user("old", Role.ADMIN, disabled=True), make_user("p", Role.PIC)


@pytest.mark.parametrize(
    ("target", "users", "role", "disabled", "conflict"),
    [
        (ADMIN_B, [ADMIN_A, ADMIN_B, PIC], Role.PIC, None, None),
        (ADMIN_B, [ADMIN_A, ADMIN_B, PIC], None, True, None),
        (ADMIN_B, [ADMIN_B, OLD_ADMIN, PIC], Role.PIC, None, "'b' is the last active admin"),
        (ADMIN_B, [ADMIN_B, OLD_ADMIN, PIC], None, True, "'b' is the last active admin"),
        (ADMIN_B, [ADMIN_B], Role.ADMIN, False, None),
        (ADMIN_A, [ADMIN_A, ADMIN_B], Role.VIEWER, None, "you cannot remove your own admin role"),
        (ADMIN_A, [ADMIN_A, ADMIN_B], None, True, "you cannot disable your own account"),
        (ADMIN_A, [ADMIN_A, ADMIN_B], Role.ADMIN, None, None),
        (OLD_ADMIN, [ADMIN_A, OLD_ADMIN], Role.PIC, None, None),
        (OLD_ADMIN, [OLD_ADMIN], Role.PIC, True, None),  # a disabled admin is no active admin to lose
        (PIC, [PIC], None, True, None),
    ],
)
def test_admin_conflict_keeps_an_active_admin(
    target: User, users: list[User], role: Role | None, disabled: bool | None, conflict: str | None
) -> None:
    assert admin_conflict(target, users, "a", role=role, disabled=disabled) == conflict


@sqlite_only
def test_a_signed_in_admin_can_still_change_their_own_units_and_password(api: Api) -> None:
    admin, csrf = api.login("admin")
    changed = admin.patch("/api/users/admin", json={"units": ["up3-bima"]}, headers={"X-CSRF-Token": csrf})
    assert changed.status_code == 200, changed.text
    assert changed.json()["units"] == ["up3-bima"]
    assert admin.get("/api/me").status_code == 401  # their own session ended too
    again, csrf = api.login("admin", PASSWORD)
    assert again.get("/api/me").json()["scope"] == ["ulp-bima", "up3-bima"]

"""Login, sessions, logout, CSRF and login throttling."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cvmon.server import create_app
from cvmon.storage.audit import AuditAction, AuditRepository
from cvmon.storage.users import UserRepository
from tests.api.conftest import FAST_PASSWORDS, PASSWORD, SEED_ACTOR, Api, make_settings, sqlite_only


def audit_rows(api: Api, action: AuditAction) -> list[tuple[str | None, str | None, str | None, dict[str, object]]]:
    """(actor, target, client address, details) of the rows of one action, newest first."""
    entries = AuditRepository(api.seeded.db).find(action=action.value)
    return [(e.actor, e.target, e.client_addr, e.details) for e in entries]


def test_login_sets_a_secure_session_cookie_and_returns_the_csrf_token(api: Api) -> None:
    client = api.client()
    response = client.post("/api/login", json={"username": "PIC-A ", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["role"], body["units"], body["scope"]) == (
        "pic-a",
        "pic",
        ["ulp-ampenan"],
        ["ulp-ampenan"],
    )
    assert body["capabilities"] == {"read_evidence": True, "follow_up_alerts": True, "administer": False}
    assert body["expires_at"] == "2026-11-23T11:00:00Z"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-cvmon_session=")
    for attribute in ("HttpOnly", "Secure", "Path=/", "SameSite=lax", "Max-Age=28800"):
        assert attribute in cookie
    me = client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["csrf_token"] == body["csrf_token"]
    assert audit_rows(api, AuditAction.LOGIN_SUCCESS) == [("pic-a", "user:pic-a", "10.1.1.1", {})]


@sqlite_only
def test_login_by_form_and_cookie_without_secure_in_development(api: Api) -> None:
    app = create_app(
        make_settings(environment="development"),
        database=api.seeded.db,
        evidence_dir=api.seeded.evidence_root,
        clock=api.clock,
        passwords=FAST_PASSWORDS,
    )
    client = TestClient(app)  # plain http
    response = client.post("/api/login", data={"username": "viewer", "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("cvmon_session=")
    assert "Secure" not in cookie and "HttpOnly" in cookie
    assert client.get("/api/me").json()["role"] == "viewer"


def test_wrong_password_unknown_user_and_bad_requests_are_refused_and_failures_audited(api: Api) -> None:
    client = api.client()
    wrong = client.post("/api/login", json={"username": "pic-a", "password": "not the password"})
    unknown = client.post("/api/login", json={"username": "nobody", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "wrong username or password"}
    assert "set-cookie" not in wrong.headers
    assert client.post("/api/login", json={"username": "pic-a"}).status_code == 422
    assert (
        client.post("/api/login", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
    )
    other_site = client.post(
        "/api/login", json={"username": "pic-a", "password": PASSWORD}, headers={"Origin": "https://evil.example"}
    )
    assert other_site.status_code == 403
    assert audit_rows(api, AuditAction.LOGIN_FAILURE) == [
        (None, "user:nobody", "10.1.1.1", {"reason": "unknown_user"}),
        (None, "user:pic-a", "10.1.1.1", {"reason": "bad_password"}),
    ]
    assert client.get("/api/me").status_code == 401


def test_a_nul_character_in_the_username_is_422(api: Api) -> None:
    """PostgreSQL cannot compare or store text with a NUL: the lookup and the failure's audit row were a 503."""
    client = api.client()
    as_json = client.post("/api/login", json={"username": "pic\x00a", "password": PASSWORD})
    as_form = client.post("/api/login", data={"username": "a\x00", "password": "x"})
    for response in (as_json, as_form):
        assert response.status_code == 422
        assert response.json() == {"detail": "send username and password as JSON or as a form"}
    assert audit_rows(api, AuditAction.LOGIN_FAILURE) == []


def test_lockout_after_repeated_failures_per_username_and_address_and_unlock_after_the_period(api: Api) -> None:
    attacker = api.client("10.9.9.9")
    for _ in range(5):
        assert attacker.post("/api/login", json={"username": "pic-a", "password": "guess-guess"}).status_code == 401
    # From the guessing address even the right password is refused while the lock-out lasts...
    locked = attacker.post("/api/login", json={"username": "pic-a", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "900"
    assert "try again in 15 minute(s)" in locked.json()["detail"]
    # ...but the owner, at their own address, is not locked out by someone else's guesses.
    owner = api.client("10.1.1.1")
    assert owner.post("/api/login", json={"username": "pic-a", "password": PASSWORD}).status_code == 200
    api.clock.advance(minutes=10)
    # Attempts during the lock-out do not extend it (the owner's login started the count again, though).
    for _ in range(5):
        assert attacker.post("/api/login", json={"username": "pic-a", "password": "guess"}).status_code == 401
    assert attacker.post("/api/login", json={"username": "pic-a", "password": "guess"}).status_code == 429
    assert attacker.post("/api/login", json={"username": "pic-b", "password": PASSWORD}).status_code == 200
    api.clock.advance(minutes=15, seconds=1)
    assert attacker.post("/api/login", json={"username": "pic-a", "password": PASSWORD}).status_code == 200
    assert [r[3] for r in audit_rows(api, AuditAction.LOGIN_LOCKED)] == [{"by": "username_address"}] * 2
    # A successful login starts the count again: four more failures do not lock.
    for _ in range(4):
        assert attacker.post("/api/login", json={"username": "pic-a", "password": "guess-again"}).status_code == 401
    assert attacker.post("/api/login", json={"username": "pic-a", "password": PASSWORD}).status_code == 200


def test_guessing_spread_over_many_addresses_locks_the_username_everywhere(api: Api) -> None:
    app = create_app(
        make_settings(login_max_failures_per_username=6),
        database=api.seeded.db,
        evidence_dir=api.seeded.evidence_root,
        clock=api.clock,
        passwords=FAST_PASSWORDS,
    )
    for i in range(3):
        guesser = TestClient(app, base_url="https://testserver", client=(f"10.5.5.{i}", 1))
        for _ in range(2):
            assert guesser.post("/api/login", json={"username": "pic-a", "password": "guessing!"}).status_code == 401
    owner = TestClient(app, base_url="https://testserver", client=("10.1.1.1", 1))
    assert owner.post("/api/login", json={"username": "pic-a", "password": PASSWORD}).status_code == 429
    assert [r[3] for r in audit_rows(api, AuditAction.LOGIN_LOCKED)] == [{"by": "username"}]


@sqlite_only
def test_failures_spread_beyond_the_window_do_not_lock(api: Api) -> None:
    client = api.client()
    for _ in range(8):
        assert client.post("/api/login", json={"username": "pic-a", "password": "slow guessing"}).status_code == 401
        api.clock.advance(minutes=4)
    assert client.post("/api/login", json={"username": "pic-a", "password": PASSWORD}).status_code == 200


def test_lockout_per_client_address(api: Api) -> None:
    app = create_app(
        make_settings(login_max_failures_per_address=3),
        database=api.seeded.db,
        evidence_dir=api.seeded.evidence_root,
        clock=api.clock,
        passwords=FAST_PASSWORDS,
    )
    sprayer = TestClient(app, base_url="https://testserver", client=("10.6.6.6", 1))
    for name in ("manager", "auditor", "viewer"):
        assert sprayer.post("/api/login", json={"username": name, "password": "spring2026!"}).status_code == 401
    assert sprayer.post("/api/login", json={"username": "admin", "password": PASSWORD}).status_code == 429
    elsewhere = TestClient(app, base_url="https://testserver", client=("10.1.1.1", 1))
    assert elsewhere.post("/api/login", json={"username": "admin", "password": PASSWORD}).status_code == 200
    api.clock.advance(minutes=15, seconds=1)
    assert sprayer.post("/api/login", json={"username": "admin", "password": PASSWORD}).status_code == 200


def test_logout_ends_the_session_and_needs_the_csrf_token(api: Api) -> None:
    client, csrf = api.login("manager")
    assert client.post("/api/logout").status_code == 403
    assert client.get("/api/me").status_code == 200
    token = client.cookies.get("__Host-cvmon_session")
    response = client.post("/api/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert client.get("/api/me").status_code == 401
    # The old cookie, replayed, opens nothing.
    replay = api.client()
    replay.cookies.set("__Host-cvmon_session", token or "")
    assert replay.get("/api/me").status_code == 401
    assert audit_rows(api, AuditAction.LOGOUT) == [("manager", "user:manager", "10.1.1.1", {})]


def test_expired_session_is_rejected(api: Api) -> None:
    client, _ = api.login("auditor")
    api.clock.advance(hours=7, minutes=59)
    assert client.get("/api/me").status_code == 200
    api.clock.advance(minutes=1)
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "session expired or ended; sign in again"


def test_disabled_user_is_rejected_at_once_and_cannot_log_in(api: Api) -> None:
    client, _ = api.login("pic-a")
    users = UserRepository(api.seeded.db, FAST_PASSWORDS)
    users.set_disabled("pic-a", True, actor=SEED_ACTOR, now=api.clock())
    assert client.get("/api/me").status_code == 401
    again = api.client().post("/api/login", json={"username": "pic-a", "password": PASSWORD})
    assert again.status_code == 401
    assert audit_rows(api, AuditAction.LOGIN_FAILURE)[0][3] == {"reason": "disabled"}
    users.set_disabled("pic-a", False, actor=SEED_ACTOR, now=api.clock())
    api.login("pic-a")


def test_role_and_unit_changes_end_sessions(api: Api) -> None:
    client, _ = api.login("viewer")
    users = UserRepository(api.seeded.db, FAST_PASSWORDS)
    users.set_role("viewer", "pic", actor=SEED_ACTOR, now=api.clock())
    assert client.get("/api/me").status_code == 401
    client, _ = api.login("viewer")
    assert client.get("/api/me").json()["role"] == "pic"
    users.set_units("viewer", ["ulp-bima"], actor=SEED_ACTOR, now=api.clock())
    assert client.get("/api/me").status_code == 401
    client, _ = api.login("viewer")
    assert client.get("/api/me").json()["scope"] == ["ulp-bima"]


@sqlite_only
def test_state_changing_requests_without_the_right_csrf_token_are_refused(api: Api) -> None:
    client, csrf = api.login("manager")
    _, other_session = api.login("admin")
    alert_id = api.seeded.alerts["cam-a"]
    for headers in ({}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": other_session}):
        response = client.post(f"/api/alerts/{alert_id}/ack", headers=headers)
        assert response.status_code == 403, headers
        assert response.json()["detail"] == "missing or wrong X-CSRF-Token header"
    statuses = {a["id"]: a["status"] for a in client.get("/api/alerts").json()}
    assert statuses[alert_id] == "open"
    assert client.post(f"/api/alerts/{alert_id}/ack", headers={"X-CSRF-Token": csrf}).status_code == 200

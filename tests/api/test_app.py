"""The app refuses a weak secret outside development, and every route declares who may call it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from cvmon.api.deps import authenticated, csrf_protected, metrics_auth
from cvmon.api.permissions import ADMINISTER, FOLLOW_UP_ALERTS, IMPORT_FIGURES, READ_EVIDENCE, READ_FIGURES
from cvmon.cli_server import serve
from cvmon.errors import ConfigError
from cvmon.server import create_app
from cvmon.storage import Database, open_database
from cvmon.storage.users import Role
from cvmon.web.session import form_csrf_protected, json_csrf_protected, page_principal
from tests.api.conftest import Api, make_settings, sqlite_only

OPEN_ROUTES = {
    ("POST", "/api/login"),
    ("GET", "/api/health"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/lang/{language}"),
    ("GET", "/privacy"),
}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'app.db'}")
    yield db
    db.close()


@pytest.fixture
def app(sqlite_db: Database, tmp_path: Path) -> FastAPI:
    return create_app(make_settings(), database=sqlite_db, evidence_dir=tmp_path / "evidence")


@pytest.mark.parametrize(
    ("secret", "environment", "message"),
    [
        (None, "production", "CVMON_SECRET_KEY is missing or a default value"),
        ("changeme", "production", "CVMON_SECRET_KEY is missing or a default value"),
        ("  Secret ", "production", "CVMON_SECRET_KEY is missing or a default value"),
        ("short-but-not-default", "production", "CVMON_SECRET_KEY is too short: 21 characters, at least 32"),
        (None, "development", None),
        ("x" * 32, "production", None),
    ],
)
def test_refuses_to_start_without_a_real_secret_outside_development(
    secret: str | None, environment: str, message: str | None, sqlite_db: Database, tmp_path: Path
) -> None:
    settings = make_settings(secret_key=secret, environment=environment)
    if message is None:
        app = create_app(settings, database=sqlite_db, evidence_dir=tmp_path)
        assert TestClient(app).get("/api/health").json() == {"status": "ok"}
        return
    with pytest.raises(ConfigError) as caught:
        create_app(settings, database=sqlite_db, evidence_dir=tmp_path)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_serve_refuses_a_missing_secret_and_bad_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CVMON_SECRET_KEY", raising=False)
    monkeypatch.delenv("CVMON_ENVIRONMENT", raising=False)
    with pytest.raises(ConfigError, match="CVMON_SECRET_KEY is missing"):
        serve()
    monkeypatch.setenv("CVMON_ENVIRONMENT", "staging")
    with pytest.raises(ConfigError, match=r"^CVMON_ENVIRONMENT: "):
        serve()


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


ANY_SIGNED_IN = frozenset(Role)
# Who may call each route; every route is listed, so a new one fails here until it is declared.
WHO_MAY_CALL: dict[tuple[str, str], frozenset[Role] | str] = {
    ("GET", "/api/health"): "everyone",
    ("POST", "/api/login"): "everyone",
    ("POST", "/api/logout"): ANY_SIGNED_IN,
    ("GET", "/api/me"): ANY_SIGNED_IN,
    ("GET", "/api/units"): frozenset(READ_FIGURES),
    ("GET", "/api/units/summary"): frozenset(READ_FIGURES),
    ("GET", "/api/cameras"): frozenset(READ_FIGURES),
    ("GET", "/api/cameras/{camera_id}/zones/current"): frozenset(READ_FIGURES),
    ("GET", "/api/series"): frozenset(READ_FIGURES),
    ("GET", "/api/alerts"): frozenset(READ_FIGURES),
    ("POST", "/api/alerts/ack"): frozenset({Role.PIC, Role.MANAGER, Role.ADMIN}),
    ("POST", "/api/alerts/{alert_id}/ack"): frozenset({Role.PIC, Role.MANAGER, Role.ADMIN}),
    ("POST", "/api/alerts/{alert_id}/resolve"): frozenset({Role.PIC, Role.MANAGER, Role.ADMIN}),
    ("GET", "/api/evidence"): frozenset({Role.AUDITOR, Role.PIC, Role.MANAGER, Role.ADMIN}),
    ("GET", "/api/evidence/{evidence_id}/image"): frozenset({Role.AUDITOR, Role.PIC, Role.MANAGER, Role.ADMIN}),
    ("GET", "/api/audit"): frozenset({Role.ADMIN}),
    ("GET", "/api/audit.csv"): frozenset({Role.ADMIN}),
    ("GET", "/api/users"): frozenset({Role.ADMIN}),
    ("POST", "/api/users"): frozenset({Role.ADMIN}),
    ("GET", "/api/users/{username}"): frozenset({Role.ADMIN}),
    ("PATCH", "/api/users/{username}"): frozenset({Role.ADMIN}),
    ("POST", "/api/users/{username}/unlock"): frozenset({Role.ADMIN}),
    ("GET", "/metrics"): "metrics token",
    ("GET", "/openapi.json"): ANY_SIGNED_IN,
    ("GET", "/docs"): ANY_SIGNED_IN,
    ("GET", "/docs/assets/{name}"): ANY_SIGNED_IN,
    # The web viewer's pages.
    ("GET", "/login"): "everyone",
    ("POST", "/login"): "everyone",
    ("POST", "/logout"): ANY_SIGNED_IN,
    ("GET", "/lang/{language}"): "everyone",
    ("GET", "/privacy"): "everyone",
    ("GET", "/api/reports"): frozenset(READ_FIGURES),
    ("POST", "/api/imports/ratings"): frozenset(IMPORT_FIGURES),
    ("POST", "/api/imports/mystery-shopper"): frozenset(IMPORT_FIGURES),
    ("GET", "/admin/cameras"): frozenset(ADMINISTER),
    ("GET", "/admin/cameras/new"): frozenset(ADMINISTER),
    ("POST", "/admin/cameras/new"): frozenset(ADMINISTER),
    ("GET", "/admin/cameras/{camera_id}"): frozenset(ADMINISTER),
    ("POST", "/admin/cameras/{camera_id}"): frozenset(ADMINISTER),
    ("POST", "/admin/cameras/{camera_id}/delete"): frozenset(ADMINISTER),
    ("POST", "/admin/cameras-test"): frozenset(ADMINISTER),
    ("GET", "/admin/cameras/{camera_id}/zones"): frozenset(ADMINISTER),
    ("POST", "/admin/cameras/{camera_id}/zones"): frozenset(ADMINISTER),
    ("POST", "/admin/cameras/{camera_id}/snapshot"): frozenset(ADMINISTER),
    ("GET", "/reports"): frozenset(READ_FIGURES),
    ("GET", "/reports/report.pdf"): frozenset(READ_FIGURES),
    ("GET", "/reports/report.csv"): frozenset(READ_FIGURES),
    ("GET", "/"): frozenset(READ_FIGURES),
    ("GET", "/ui/tiles"): frozenset(READ_FIGURES),
    ("GET", "/cameras/{camera_id}"): frozenset(READ_FIGURES),
    ("GET", "/cameras/{camera_id}/latest.jpg"): frozenset(READ_EVIDENCE),
    ("GET", "/alerts"): frozenset(READ_FIGURES),
    ("POST", "/alerts/ack"): frozenset(FOLLOW_UP_ALERTS),
    ("POST", "/alerts/{alert_id}/ack"): frozenset(FOLLOW_UP_ALERTS),
    ("POST", "/alerts/{alert_id}/resolve"): frozenset(FOLLOW_UP_ALERTS),
    ("GET", "/evidence"): frozenset(READ_EVIDENCE),
    ("GET", "/evidence/{evidence_id}"): frozenset(READ_EVIDENCE),
    ("GET", "/evidence/pack"): frozenset(READ_EVIDENCE),
    ("GET", "/evidence/pack.pdf"): frozenset(READ_EVIDENCE),
    ("GET", "/room"): frozenset(READ_EVIDENCE),
    ("GET", "/room/{camera_id}/candidate.jpg"): frozenset(ADMINISTER),
    ("POST", "/room/{camera_id}/reference"): frozenset(ADMINISTER),
    ("GET", "/greetings"): frozenset(READ_FIGURES),
    ("POST", "/greetings/reference"): frozenset(ADMINISTER),
    ("GET", "/flow"): frozenset(READ_FIGURES),
    ("POST", "/cameras/{camera_id}/staff-example"): frozenset(ADMINISTER),
    ("GET", "/admin/audit"): frozenset(ADMINISTER),
    ("GET", "/admin/users"): frozenset(ADMINISTER),
    ("POST", "/admin/users"): frozenset(ADMINISTER),
    ("POST", "/admin/users/{username}"): frozenset(ADMINISTER),
    ("POST", "/admin/users/{username}/unlock"): frozenset(ADMINISTER),
}


def test_every_route_declares_who_may_call_it(app: FastAPI) -> None:
    """Deny by default: apart from login, health, the language switch and the data-protection notice,
    each route needs a session or the metrics token, each state-changing route the CSRF token (header
    or form field), and each route's roles are the declared ones."""
    found: dict[tuple[str, str], frozenset[Role] | str] = {}
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            # Only the viewer's own CSS and script, open to all like any site's (no data in them).
            assert context.original_route.path == "/static"
            continue
        assert isinstance(context.original_route, APIRoute), context.original_route
        calls = set(_calls(context.dependant))
        for method in context.methods or ():
            key = (method, str(context.path))
            if authenticated in calls or page_principal in calls:
                roles = ANY_SIGNED_IN
                for call in calls:
                    roles &= getattr(call, "roles", ANY_SIGNED_IN)
                found[key] = roles
            elif metrics_auth in calls:
                found[key] = "metrics token"
            else:
                found[key] = "everyone"
            if method not in SAFE_METHODS and key not in OPEN_ROUTES:
                assert calls & {csrf_protected, form_csrf_protected, json_csrf_protected}, (
                    f"{method} {context.path} has no CSRF check"
                )
    assert found == WHO_MAY_CALL
    assert {key for key, who in found.items() if who == "everyone"} == OPEN_ROUTES


@sqlite_only
def test_health_is_open_docs_need_a_session_and_are_served_without_a_cdn(api: Api) -> None:
    anonymous = api.client()
    health = anonymous.get("/api/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert health.headers["x-content-type-options"] == "nosniff"
    assert health.headers["x-frame-options"] == "DENY"
    assert health.headers["cache-control"] == "no-store"
    assert anonymous.get("/api/units").status_code == 401
    for path in ("/docs", "/openapi.json", "/docs/assets/swagger-ui-bundle.js"):
        assert anonymous.get(path).status_code == 401
    client, _ = api.login("viewer")
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/assets/other.js").status_code == 404
    schema = client.get("/openapi.json").json()
    assert {"/api/login", "/api/series", "/api/evidence/{evidence_id}/image", "/api/audit.csv"} <= set(schema["paths"])

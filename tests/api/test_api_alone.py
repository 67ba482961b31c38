"""The JSON API can be served without the web viewer: ``create_api`` answers the API, no pages, and
importing it loads neither the page templates (jinja2) nor the charts (pygal)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cvmon.api.app import create_api
from tests.api.conftest import FAST_PASSWORDS, PASSWORD, FakeClock, Seeded, make_settings, sqlite_only


@pytest.fixture
def client(seeded: Seeded, clock: FakeClock) -> Iterator[TestClient]:
    app = create_api(
        make_settings(), database=seeded.db, evidence_dir=seeded.evidence_root, clock=clock, passwords=FAST_PASSWORDS
    )
    with TestClient(app, base_url="https://testserver") as client:
        yield client


@sqlite_only
def test_the_api_alone_answers_its_routes(client: TestClient) -> None:
    health = client.get("/api/health")
    assert health.json() == {"status": "ok"}
    assert health.headers["Cache-Control"] == "no-store"
    assert health.headers["X-Frame-Options"] == "DENY"
    assert client.get("/api/units").status_code == 401
    assert client.post("/api/login", json={"username": "admin", "password": PASSWORD}).status_code == 200
    units = client.get("/api/units")
    assert units.status_code == 200
    assert units.json()


@sqlite_only
@pytest.mark.parametrize("path", ["/", "/login", "/dashboard", "/privacy", "/static/cvmon.css"])
def test_the_api_alone_has_no_pages(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


def test_importing_the_api_loads_no_page_library() -> None:
    probe = (
        "import json, sys, cvmon.api.app; "
        "print(json.dumps([m for m in ('jinja2', 'pygal', 'cvmon.web') if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []

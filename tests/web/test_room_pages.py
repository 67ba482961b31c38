"""Who may see the room checklist and mark a reference, and what bad requests get (no browser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bench.room_scenes import frames, reference
from cvmon.config import parse_config
from cvmon.evidence.room_picture import reference_picture
from cvmon.server import create_app
from cvmon.storage import Database
from cvmon.storage.audit import AuditRepository
from cvmon.storage.config_history import sync_config
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.room import current_references, mark_reference
from cvmon.storage.users import UserRepository
from tests.api.conftest import FAST_PASSWORDS, PASSWORD, SEED_ACTOR, FakeClock, make_settings, sqlite_only
from tests.conftest import ONE_BY_ONE
from tests.pipeline.test_room_stage import EMPTY, at
from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    postgres_admin,
    postgres_template,
    sqlite_template,
)

pytestmark = [sqlite_only, pytest.mark.skipif(not ONE_BY_ONE.is_file(), reason="needs the shared footage")]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def site(database: Database, tmp_path: Path) -> Iterator[tuple[TestClient, Database, EvidenceStore]]:  # noqa: F811
    config = parse_config(
        {
            "units": [
                {"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp"},
                {"id": "ulp-cakra", "name": "ULP Cakranegara", "level": "ulp"},
            ],
            "cameras": [
                {"id": "hall", "unit": "ulp-ampenan", "source": "x.mp4", "room": {}},
                {"id": "lobby", "unit": "ulp-cakra", "source": "y.mp4"},
            ],
        }
    )
    sync_config(database, config)
    store = EvidenceStore(tmp_path / "evidence")
    mark_reference(database, store, "hall", at(6, 0), reference_picture(reference(), [], []), SEED_ACTOR, "file")
    users = UserRepository(database, FAST_PASSWORDS)
    for name, role, unit in (
        ("admin-a", "admin", "ulp-ampenan"),
        ("viewer-a", "viewer", "ulp-ampenan"),
        ("pic-c", "pic", "ulp-cakra"),
    ):
        users.add(name, PASSWORD, role, [unit], actor=SEED_ACTOR, now=at(7, 0))
    app = create_app(
        make_settings(environment="development"),
        database=database,
        evidence_dir=store.root,
        clock=FakeClock(at(10, 0)),
        passwords=FAST_PASSWORDS,
        config=config,
    )
    with TestClient(app, base_url="https://testserver") as client:
        yield client, database, store


def login(client: TestClient, username: str) -> str:
    client.cookies.clear()
    done = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert done.status_code == 303, done.text
    found = CSRF.search(client.get("/").text)
    assert found is not None
    return found.group(1)


def test_roles_and_units_decide_who_sees_the_checklist(site: tuple[TestClient, Database, EvidenceStore]) -> None:
    client, _, _ = site
    login(client, "viewer-a")
    assert client.get("/room").status_code == 403  # pictures are evidence: not for viewers
    login(client, "pic-c")
    assert client.get("/room?unit=ulp-ampenan").status_code == 404  # another unit's
    mine = client.get("/room")
    assert (
        mine.status_code == 200 and 'data-testid="room-hall"' not in mine.text and 'data-testid="no-rooms"' in mine.text
    )
    login(client, "admin-a")
    page = client.get("/room?day=2026-11-23")
    assert (
        page.status_code == 200
        and 'data-testid="room-hall"' in page.text
        and 'data-testid="no-reference"' not in page.text
    )
    assert client.get("/room?day=23-11-2026").status_code == 422


def test_only_an_admin_marks_with_the_csrf_token_and_a_picture_to_mark(
    site: tuple[TestClient, Database, EvidenceStore],
) -> None:
    client, db, store = site
    before = current_references(db, ["hall"])["hall"]
    token = login(client, "pic-c")
    assert client.post("/room/hall/reference", data={"csrf_token": token}, follow_redirects=False).status_code == 403
    token = login(client, "admin-a")
    assert client.post("/room/hall/reference", data={"csrf_token": "wrong"}, follow_redirects=False).status_code == 403
    nothing = client.post("/room/hall/reference", data={"csrf_token": token}, follow_redirects=False)
    assert nothing.status_code == 409  # the camera has not yet seen its room with nobody in it
    assert client.post("/room/lobby/reference", data={"csrf_token": token}, follow_redirects=False).status_code == 404
    assert current_references(db, ["hall"])["hall"] == before

    store.write_candidate("hall", reference_picture(frames((EMPTY,))[EMPTY], [], []))
    assert client.get("/room/hall/candidate.jpg").headers["content-type"] == "image/jpeg"
    marked = client.post(
        "/room/hall/reference", data={"csrf_token": token, "unit": "ulp-ampenan"}, follow_redirects=False
    )
    assert marked.status_code == 303 and marked.headers["location"] == "/room?unit=ulp-ampenan&done=reference"
    after = current_references(db, ["hall"])["hall"]
    assert after.id > before.id
    audit = [(e.actor, e.action, e.target, e.details.get("evidence")) for e in AuditRepository(db).find(limit=20)]
    assert ("admin-a", "room.reference", "camera:hall", after.id) in audit
    assert ("admin-a", "frame.view", "camera:hall", None) in audit  # the candidate picture was looked at

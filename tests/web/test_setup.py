"""Camera set-up pages: only admins; every change validated before it is written, backed up, audited;
comments of cameras.yaml survive; the connection test shows an anonymised snapshot and never a password."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cvmon.config import load_config
from cvmon.server import create_app
from cvmon.storage import Database
from cvmon.storage.audit import AuditRepository
from cvmon.storage.config_history import sync_config
from cvmon.storage.users import UserRepository
from tests.api.conftest import FAST_PASSWORDS, PASSWORD, SEED_ACTOR, make_settings
from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    postgres_admin,
    postgres_template,
    sqlite_template,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "cameras.yaml"
COMMENT = "# WITA; inherited by the units below"
SQUARE = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]]


@dataclass
class Setup:
    client: TestClient
    csrf: str
    config: Path
    db: Database

    def login(self, username: str) -> tuple[TestClient, str]:
        client = TestClient(self.client.app, base_url="https://testserver")
        response = client.post("/api/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200
        return client, response.json()["csrf_token"]

    def digest(self) -> str:
        return hashlib.sha256(self.config.read_bytes()).hexdigest()

    def audit(self, action: str) -> list:
        return AuditRepository(self.db).find(action=action)


@pytest.fixture
def setup(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:  # noqa: F811
    config = tmp_path / "cameras.yaml"
    shutil.copy(EXAMPLE, config)
    sync_config(database, load_config(config))
    users = UserRepository(database, FAST_PASSWORDS)
    now = datetime.now(UTC)
    for name, role in (("admin", "admin"), ("manager", "manager"), ("pic", "pic")):
        users.add(name, PASSWORD, role, ["uiw-ntb"], actor=SEED_ACTOR, now=now)
    app = create_app(
        make_settings(config=config), database=database, evidence_dir=tmp_path / "ev", passwords=FAST_PASSWORDS
    )
    client = TestClient(app, base_url="https://testserver")
    csrf = client.post("/api/login", json={"username": "admin", "password": PASSWORD}).json()["csrf_token"]
    yield Setup(client, csrf, config, database)


def test_only_admins_reach_the_setup_pages(setup: Setup) -> None:
    for username in ("manager", "pic"):
        client, csrf = setup.login(username)
        assert client.get("/admin/cameras").status_code == 403
        assert client.get("/admin/cameras/ampenan-hall/zones").status_code == 403
        saved = client.post(
            "/admin/cameras/ampenan-hall/zones", json={"zones": [], "privacy_masks": []}, headers={"X-CSRF-Token": csrf}
        )
        assert saved.status_code == 403
        assert client.post("/admin/cameras-test", data={"csrf_token": csrf, "source": "x"}).status_code == 403
    assert setup.audit("config.change") == []


def test_zones_saved_with_backup_comments_kept_and_audited(setup: Setup) -> None:
    before = setup.config.read_text()
    zones = {
        "zones": [
            {"id": "seats", "name": "Kursi", "kind": "waiting", "capacity": 6, "points": SQUARE},
            {"id": "door-q", "kind": "queue", "points": [[0.6, 0.5], [0.9, 0.5], [0.9, 0.9]]},
        ],
        "privacy_masks": [{"name": "layar", "points": [[0.4, 0.2], [0.5, 0.2], [0.5, 0.3]]}],
    }
    response = setup.client.post("/admin/cameras/ampenan-hall/zones", json=zones, headers={"X-CSRF-Token": setup.csrf})
    assert response.status_code == 200, response.text
    assert response.json()["backup"] == "cameras.yaml.1"
    assert (setup.config.parent / "cameras.yaml.1").read_text() == before
    text = setup.config.read_text()
    assert COMMENT in text and "# Friday prayer break" in text
    hall = load_config(setup.config).camera("ampenan-hall")
    assert [z.id for z in hall.zones] == ["seats", "door-q"]
    assert hall.zones[0].capacity == 6 and [m.name for m in hall.privacy_masks] == ["layar"]
    assert load_config(setup.config).camera("ampenan-loket").zones  # the other camera is untouched
    (row,) = setup.audit("config.change")
    assert (row.actor, row.details["camera"], row.details["change"]) == ("admin", "ampenan-hall", "zones")
    assert setup.client.app.state.cvmon.config.camera("ampenan-hall").zones[0].id == "seats"


def test_an_invalid_polygon_is_refused_with_its_reason_and_nothing_written(setup: Setup) -> None:
    digest = setup.digest()
    bad = {"zones": [{"id": "q", "kind": "queue", "points": [[0.1, 0.1], [0.5, 0.1]]}], "privacy_masks": []}
    response = setup.client.post("/admin/cameras/ampenan-hall/zones", json=bad, headers={"X-CSRF-Token": setup.csrf})
    assert response.status_code == 422
    assert response.json() == {"problems": ["zones[0].points: a polygon needs at least 3 points"]}
    crossing = {
        "zones": [{"id": "q", "kind": "queue", "points": [[0, 0], [1, 1], [1, 0], [0, 1]]}],
        "privacy_masks": [],
    }
    response = setup.client.post(
        "/admin/cameras/ampenan-hall/zones", json=crossing, headers={"X-CSRF-Token": setup.csrf}
    )
    assert response.status_code == 422 and "crosses itself" in response.json()["problems"][0]
    assert setup.digest() == digest
    assert not (setup.config.parent / "cameras.yaml.1").exists()
    assert setup.audit("config.change") == []
    no_csrf = setup.client.post("/admin/cameras/ampenan-hall/zones", json=bad)
    assert no_csrf.status_code == 403


def test_camera_added_changed_and_removed_through_the_form(setup: Setup) -> None:
    form = {"csrf_token": setup.csrf, "id": "loket-2", "name": "Loket 2", "unit": "ulp-ampenan"}
    form |= {"source": "rtsp://viewer:s3cret@192.0.2.20:554/ch2", "analysis_fps": "4", "enabled": "on"}
    response = setup.client.post("/admin/cameras/new", data=form, follow_redirects=False)
    assert response.status_code == 303
    cam = load_config(setup.config).camera("loket-2")
    assert (cam.name, cam.analysis_fps, cam.unit) == ("Loket 2", 4.0, "ulp-ampenan")
    listing = setup.client.get("/admin/cameras").text
    assert "loket-2" in listing and "s3cret" not in listing
    change = {**form, "name": "Loket Dua", "enabled": ""}
    del change["id"]
    assert setup.client.post("/admin/cameras/loket-2", data=change, follow_redirects=False).status_code == 303
    cam = load_config(setup.config).camera("loket-2")
    assert (cam.name, cam.enabled) == ("Loket Dua", False)
    bad = {**form, "id": "Loket 3", "source": "", "analysis_fps": "fast"}
    page = setup.client.post("/admin/cameras/new", data=bad)
    assert page.status_code == 422
    problems = re.findall(r"<li>([^<]*)</li>", page.text.split('data-testid="problems"')[1])
    assert any(p.startswith("id: ") for p in problems) and any(p.startswith("analysis_fps: ") for p in problems)
    removed = setup.client.post(
        "/admin/cameras/loket-2/delete", data={"csrf_token": setup.csrf}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert "loket-2" not in [c.id for c in load_config(setup.config).cameras]
    changes = [r.details["change"] for r in reversed(setup.audit("config.change"))]
    assert changes == ["add", "edit", "remove"]
    assert len(list(setup.config.parent.glob("cameras.yaml.*"))) == 3


def test_connection_test_shows_an_anonymised_snapshot_and_hides_passwords(setup: Setup) -> None:
    ok = setup.client.post(
        "/admin/cameras-test",
        data={"csrf_token": setup.csrf, "source": "${CVMON_FOOTAGE_DIR}/intel_classroom.mp4", "camera": "ampenan-hall"},
    )
    assert ok.status_code == 200
    assert re.search(r'data-testid="probe-ok">[^<]*480x270', ok.text)
    assert 'src="data:image/jpeg;base64,' in ok.text
    refused = setup.client.post(
        "/admin/cameras-test", data={"csrf_token": setup.csrf, "source": "rtsp://admin:hunter22@127.0.0.1:9/x"}
    )
    assert refused.status_code == 422 and 'data-kind="unreachable"' in refused.text
    assert "hunter22" not in refused.text
    rows = setup.audit("camera.test")
    assert [r.details["result"] for r in reversed(rows)] == ["ok", "unreachable"]
    assert all("hunter22" not in str(r.details) for r in rows)


def test_setup_without_a_configuration_file_says_so(database: Database, tmp_path: Path) -> None:  # noqa: F811
    app = create_app(make_settings(), database=database, evidence_dir=tmp_path, passwords=FAST_PASSWORDS)
    client = TestClient(app, base_url="https://testserver")
    sync_config(database, load_config(EXAMPLE))
    UserRepository(database, FAST_PASSWORDS).add(
        "admin", PASSWORD, "admin", ["uiw-ntb"], actor=SEED_ACTOR, now=datetime.now(UTC)
    )
    client.post("/api/login", json={"username": "admin", "password": PASSWORD})
    page = client.get("/admin/cameras")
    assert page.status_code == 409 and "--config" in page.text


def test_zone_keys_the_editor_does_not_know_survive(setup: Setup) -> None:
    text = setup.config.read_text().replace(
        "        kind: queue\n        capacity: 8\n",
        "        kind: queue\n        capacity: 8\n        rules: {queue_long: {threshold: 4}}\n",
        1,
    )
    setup.config.write_text(text)
    zones = [
        {"id": "queue-main", "kind": "queue", "capacity": 9, "points": SQUARE},
    ]
    response = setup.client.post(
        "/admin/cameras/ampenan-hall/zones",
        json={"zones": zones, "privacy_masks": []},
        headers={"X-CSRF-Token": setup.csrf},
    )
    assert response.status_code == 200, response.text
    zone = load_config(setup.config).camera("ampenan-hall").zones[0]
    assert zone.capacity == 9 and zone.rules is not None and zone.rules.queue_long.threshold == 4

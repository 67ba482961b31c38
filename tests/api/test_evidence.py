"""Evidence images: served only through the authorised endpoint, sha256 checked, every view audited."""

from __future__ import annotations

import hashlib
import os

from cvmon.storage.audit import AuditAction, AuditRepository
from cvmon.storage.evidence import EvidenceRepository
from cvmon.storage.evidence_files import EvidenceStore
from tests.api.conftest import Api, sqlite_only


def _file(api: Api, camera: str) -> tuple[int, bytes, str]:
    evidence_id = api.seeded.evidence[camera]
    repo = EvidenceRepository(api.seeded.db, EvidenceStore(api.seeded.evidence_root))
    (shot,) = repo.find([camera])
    path = api.seeded.evidence_root / shot.path
    return evidence_id, path.read_bytes(), str(path)


def test_image_is_served_with_the_stored_bytes_and_every_view_is_audited(api: Api) -> None:
    evidence_id, data, _path = _file(api, "cam-a")
    client, _ = api.login("auditor", addr="10.4.4.4")
    listed = client.get("/api/evidence?camera=cam-a").json()
    assert [(e["id"], e["sha256"], e["image_url"]) for e in listed] == [
        (evidence_id, hashlib.sha256(data).hexdigest(), f"/api/evidence/{evidence_id}/image")
    ]
    assert "path" not in listed[0]
    alert_id = api.seeded.alerts["cam-a"]
    assert [e["id"] for e in client.get(f"/api/evidence?alert={alert_id}").json()] == [evidence_id]

    view = client.get(f"/api/evidence/{evidence_id}/image")
    assert view.status_code == 200
    assert view.content == data
    assert view.headers["content-type"] == "image/jpeg"
    assert view.headers["cache-control"] == "no-store"
    assert view.headers["content-disposition"].startswith("inline")
    download = client.get(f"/api/evidence/{evidence_id}/image?download=true")
    assert download.content == data
    assert download.headers["content-disposition"] == f'attachment; filename="evidence-{evidence_id}.jpg"'

    audit = AuditRepository(api.seeded.db)
    (viewed,) = audit.find(action=AuditAction.EVIDENCE_VIEW.value)
    (downloaded,) = audit.find(action=AuditAction.EVIDENCE_DOWNLOAD.value)
    for row in (viewed, downloaded):
        assert (row.actor, row.target, row.client_addr) == ("auditor", f"evidence:{evidence_id}", "10.4.4.4")
        assert row.details == {"result": "ok", "camera": "cam-a", "alert": alert_id, "sha256": listed[0]["sha256"]}


def test_tampered_or_missing_file_gives_409_and_is_audited(api: Api) -> None:
    evidence_id, data, path = _file(api, "cam-a")
    client, _ = api.login("pic-a")
    with open(path, "r+b") as handle:
        handle.seek(len(data) // 2)
        handle.write(b"\x00\x01\x02")
    response = client.get(f"/api/evidence/{evidence_id}/image")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("evidence file altered: cam-a/")
    assert "image" not in response.headers["content-type"]
    (row,) = AuditRepository(api.seeded.db).find(action=AuditAction.EVIDENCE_VIEW.value)
    assert row.details == {"result": "tampered", "reason": "altered"}

    other_id, _, other_path = _file(api, "cam-b")
    os.unlink(other_path)
    manager, _ = api.login("manager")
    missing = manager.get(f"/api/evidence/{other_id}/image")
    assert missing.status_code == 409
    assert missing.json()["detail"].startswith("evidence file missing: cam-b/")


@sqlite_only
def test_viewer_gets_no_evidence_and_others_none_outside_their_units(api: Api) -> None:
    viewer, _ = api.login("viewer")
    for path in ("/api/evidence", f"/api/evidence/{api.seeded.evidence['cam-a']}/image"):
        response = viewer.get(path)
        assert response.status_code == 403
        assert "viewer" in response.json()["detail"]
    pic, _ = api.login("pic-a")
    assert pic.get(f"/api/evidence/{api.seeded.evidence['cam-c']}/image").status_code == 404
    assert pic.get("/api/evidence?camera=cam-c").status_code == 404
    assert pic.get("/api/evidence/424242/image").status_code == 404
    assert AuditRepository(api.seeded.db).find(action=AuditAction.EVIDENCE_VIEW.value) == []


def test_ids_beyond_an_integer_column_are_422(api: Api) -> None:
    """Found by the schema fuzz run: huge ids overflowed the INTEGER column (500 on SQLite, 503 on PostgreSQL)."""
    client, _ = api.login("auditor")
    for path in (
        "/api/evidence/54714175022646468608/image",
        "/api/evidence/-3660550938484210994774016/image",
        "/api/evidence?alert=-198302924320",
        "/api/evidence?alert=2147483648",
    ):
        assert client.get(path).status_code == 422, path
    assert client.get("/api/evidence/2147483647/image").status_code == 404
    assert client.get("/api/evidence?alert=2147483647").status_code == 404  # no such alert

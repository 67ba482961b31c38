"""No stream credential reaches a browser: forms, lists and error pages show sources masked, and a
masked part sent back keeps the stored value."""

from __future__ import annotations

import pytest

from cvmon.web.setup_actions import MaskedSecret, restore_secrets, shown_source
from tests.api.conftest import sqlite_only
from tests.api.test_scoped_admin import Scoped, scoped  # noqa: F401

STORED = "rtsp://viewer:s3cret@10.0.0.7:554/stream1"


@pytest.mark.parametrize(
    ("submitted", "stored", "saved"),
    [
        ("rtsp://***@10.0.0.7:554/stream1", STORED, STORED),
        ("rtsp://***@10.0.0.8:554/other", STORED, "rtsp://viewer:s3cret@10.0.0.8:554/other"),
        ("rtsp://admin:n3w@10.0.0.7/s", STORED, "rtsp://admin:n3w@10.0.0.7/s"),
        (
            "rtsp://10.0.0.7/s?user=***&password=***",
            "rtsp://h/s?user=u1&password=p%40ss",
            "rtsp://10.0.0.7/s?user=u1&password=p%40ss",
        ),
        ("/footage/a.mp4", STORED, "/footage/a.mp4"),
    ],
)
def test_masked_parts_keep_the_stored_values(submitted: str, stored: str, saved: str) -> None:
    assert restore_secrets(submitted, stored) == saved
    assert "s3cret" not in shown_source(STORED)


@pytest.mark.parametrize(
    ("submitted", "stored"),
    [("rtsp://***@10.0.0.9/x", None), ("rtsp://***@10.0.0.9/x", "/footage/a.mp4"), ("rtsp://h/x?pwd=***", STORED)],
)
def test_a_masked_part_with_nothing_stored_is_refused(submitted: str, stored: str | None) -> None:
    with pytest.raises(MaskedSecret, match="type"):
        restore_secrets(submitted, stored)


@sqlite_only
def test_the_camera_form_round_trips_a_masked_source(scoped: Scoped) -> None:  # noqa: F811
    client, csrf = scoped.login("admin")
    for path in ("/admin/cameras", "/admin/cameras/cam-a", "/admin/cameras/cam-a/zones"):
        page = client.get(path)
        assert page.status_code == 200
        assert "s3cret" not in page.text and "viewer:" not in page.text, path
    assert 'value="rtsp://***@10.0.0.7:554/stream1"' in client.get("/admin/cameras/cam-a").text
    # Saved with the password field untouched: the stored credentials stay.
    form = {"csrf_token": csrf, "name": "Hall", "unit": "ulp-ampenan", "enabled": "on"}
    saved = client.post(
        "/admin/cameras/cam-a", data={**form, "source": "rtsp://***@10.0.0.7:554/stream1"}, follow_redirects=False
    )
    assert saved.status_code == 303
    text = scoped.config.read_text()
    assert STORED in text and "name: Hall" in text
    # A refused save shows the form again, still masked, also when a new password was typed.
    bad = client.post(
        "/admin/cameras/cam-a", data={**form, "source": "rtsp://viewer:n3w-pa55@10.0.0.7/s", "analysis_fps": "fast"}
    )
    assert bad.status_code == 422
    assert "n3w-pa55" not in bad.text and "s3cret" not in bad.text
    # A new camera cannot borrow credentials it was never given.
    new = {**form, "id": "cam-new", "source": "rtsp://***@10.0.0.9/x"}
    refused = client.post("/admin/cameras/new", data=new)
    assert refused.status_code == 422
    assert "type the camera&#39;s user name and password" in refused.text
    assert "cam-new" not in scoped.config.read_text()
    # The audit rows of the edits name no credential either.
    rows = client.get("/api/audit?limit=1000").text
    assert "s3cret" not in rows and "n3w-pa55" not in rows

"""The viewer's pages over HTTP (SQLite and PostgreSQL): sign-in, scope, role checks, forms with CSRF, audit rows."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cvmon.evidence import anonymise
from cvmon.storage.audit import AuditAction
from tests.api.conftest import PASSWORD, sqlite_only
from tests.web.conftest import Browser

PAGES = ["/", "/ui/tiles", "/cameras/cam-a", "/alerts", "/evidence", "/admin/audit", "/admin/users"]


def _audit(web: Browser, action: AuditAction) -> list:
    return web.api.app.state.cvmon.audit.find(action=action.value)


@sqlite_only
def test_pages_send_a_stranger_to_the_login_page_and_back(web: Browser) -> None:
    client = web.client()
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/login?next={path}"
    response = client.post(
        "/login", data={"username": "pic-a", "password": PASSWORD, "next": "/alerts"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/alerts"
    assert client.get("/alerts").status_code == 200


@sqlite_only
@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "alerts"])
def test_login_never_redirects_off_site(web: Browser, target: str) -> None:
    response = web.client().post(
        "/login", data={"username": "pic-a", "password": PASSWORD, "next": target}, follow_redirects=False
    )
    assert response.headers["location"] == "/"


@sqlite_only
def test_wrong_password_shows_the_form_again_and_is_audited(web: Browser) -> None:
    response = web.client().post("/login", data={"username": "pic-a", "password": "wrong password!"})
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in response.text
    assert 'value="pic-a"' in response.text
    assert [e.target for e in _audit(web, AuditAction.LOGIN_FAILURE)] == ["user:pic-a"]


@sqlite_only
def test_repeated_failures_lock_the_login_form(web: Browser) -> None:
    client = web.client()
    for _ in range(5):
        assert client.post("/login", data={"username": "pic-a", "password": "wrong password!"}).status_code == 401
    response = client.post("/login", data={"username": "pic-a", "password": PASSWORD})
    assert response.status_code == 429
    assert "coba lagi dalam 15 menit" in response.text


@sqlite_only
def test_login_from_another_origin_is_refused(web: Browser) -> None:
    response = web.client().post(
        "/login",
        data={"username": "pic-a", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_dashboard_shows_only_the_callers_units(web: Browser) -> None:
    client, _ = web.login("pic-a")
    page = client.get("/").text
    assert 'data-camera="cam-a"' in page
    assert 'data-camera="cam-b"' not in page and 'data-camera="cam-c"' not in page
    assert 'data-unit="ulp-ampenan"' in page
    assert 'data-unit="ulp-cakra"' not in page and 'data-unit="uiw-ntb"' not in page
    assert client.get("/?unit=ulp-cakra").status_code == 404
    assert client.get("/ui/tiles?unit=ulp-bima").status_code == 404

    manager, _ = web.login("manager")
    page = manager.get("/?unit=ulp-cakra").text
    assert 'data-camera="cam-b"' in page and 'data-camera="cam-a"' not in page


def test_tiles_show_the_latest_minute_of_each_zone(web: Browser) -> None:
    client, _ = web.login("pic-a")
    zones = {z["zone_id"]: z for z in client.get("/api/cameras/cam-a/zones/current").json()["zones"]}
    tiles = client.get("/ui/tiles").text
    queue_row = re.search(r'<tr data-zone="queue-a">(.*?)</tr>', tiles, re.DOTALL)
    assert queue_row is not None
    # Latest seeded minute of queue-a: 1200 people-samples over 300 samples = 4 people, 5 at most, capacity 8.
    assert zones["queue-a"]["count_mean"] == 4.0
    assert ">4 <" in queue_row.group(1) and "maks 5" in queue_row.group(1)
    assert "50%" in queue_row.group(1)
    staff_row = re.search(r'<tr data-zone="staff-a">(.*?)</tr>', tiles, re.DOTALL)
    assert staff_row is not None and "Terisi 75%" in staff_row.group(1)
    assert 'data-testid="open-alerts">1<' in tiles


def test_camera_page_draws_charts_and_zones_without_scripts(web: Browser) -> None:
    client, _ = web.login("manager")
    page = client.get("/cameras/cam-a?day=2026-11-23").text
    charts = re.findall(r'<figure class="chart">(.*?)</figure>', page, re.DOTALL)
    assert len(charts) == 4  # queue length, wait, staffing, occupancy
    assert all(c.lstrip().startswith("<svg") for c in charts)
    assert "<script" not in "".join(charts)
    assert "queue-a p90" in charts[1]
    assert page.count("<polygon") == 2
    assert client.get("/cameras/cam-a?day=2026-11-22").text.count('data-testid="no-day-data"') == 1
    assert client.get("/cameras/cam-a?day=yesterday").status_code == 422
    assert client.get("/cameras/cam-c").status_code == 404
    csp = client.get("/cameras/cam-a").headers["content-security-policy"]
    assert "script-src 'self'" in csp


def test_latest_frame_is_audited_and_hidden_from_viewers(web: Browser) -> None:
    store = web.api.app.state.cvmon.evidence.store
    client, _ = web.login("pic-a")
    assert client.get("/cameras/cam-a/latest.jpg").status_code == 404  # none written yet
    store.write_latest("cam-a", anonymise(np.zeros((90, 160, 3), np.uint8), []))
    response = client.get("/cameras/cam-a/latest.jpg")
    assert response.status_code == 200 and response.content[:2] == b"\xff\xd8"
    assert [(e.actor, e.target) for e in _audit(web, AuditAction.FRAME_VIEW)] == [("pic-a", "camera:cam-a")]
    assert 'data-testid="latest-frame"' in client.get("/cameras/cam-a").text

    viewer, _ = web.login("viewer")
    assert viewer.get("/cameras/cam-a/latest.jpg").status_code == 403
    page = viewer.get("/cameras/cam-a").text
    assert "latest.jpg" not in page and "<polygon" in page
    other, _ = web.login("pic-b")
    assert other.get("/cameras/cam-a/latest.jpg").status_code == 404
    assert len(_audit(web, AuditAction.FRAME_VIEW)) == 1


def test_alert_acknowledged_and_resolved_through_forms(web: Browser) -> None:
    alert_id = web.api.seeded.alerts["cam-a"]
    client, csrf = web.login("pic-a")
    page = client.get("/alerts").text
    assert f'data-alert="{alert_id}"' in page
    assert f'data-alert="{web.api.seeded.alerts["cam-b"]}"' not in page

    response = client.post(
        f"/alerts/{alert_id}/ack", data={"csrf_token": csrf, "next": "/alerts?state=all"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/alerts?state=all&done=ack&alert={alert_id}"
    page = client.get(response.headers["location"]).text
    assert f"Peringatan #{alert_id} ditangani." in page
    assert "Ditangani pic-a" in page

    response = client.post(
        f"/alerts/{alert_id}/resolve",
        data={"csrf_token": csrf, "category": "coaching", "note": "Petugas loket 2 dipanggil kembali"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    alert = web.api.app.state.cvmon.alerts.find(["ulp-ampenan"])[0]
    assert (alert.status, alert.followup_category, alert.resolved_by) == ("resolved", "coaching", "pic-a")
    assert [e.target for e in _audit(web, AuditAction.ALERT_ACK)] == [f"alert:{alert_id}"]
    assert [e.details["note"] for e in _audit(web, AuditAction.ALERT_RESOLVE)] == ["Petugas loket 2 dipanggil kembali"]
    assert f'data-alert="{alert_id}"' not in client.get("/alerts").text  # open only by default
    again = client.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": csrf, "category": "other", "note": "again"})
    assert again.status_code == 409 and "already resolved" in again.text


def test_alert_forms_need_the_csrf_token_the_role_and_the_unit(web: Browser) -> None:
    alert_a, alert_b = web.api.seeded.alerts["cam-a"], web.api.seeded.alerts["cam-b"]
    client, csrf = web.login("pic-a")
    assert client.post(f"/alerts/{alert_a}/ack", data={}).status_code == 403
    assert client.post(f"/alerts/{alert_a}/ack", data={"csrf_token": "0" * 64}).status_code == 403
    assert client.post(f"/alerts/{alert_b}/ack", data={"csrf_token": csrf}).status_code == 404
    bad = client.post(f"/alerts/{alert_a}/resolve", data={"csrf_token": csrf, "category": "magic", "note": "x"})
    assert bad.status_code == 422
    for username in ("viewer", "auditor"):
        other, token = web.login(username)
        assert other.post(f"/alerts/{alert_a}/ack", data={"csrf_token": token}).status_code == 403
        assert 'data-testid="ack"' not in other.get("/alerts").text
    assert web.api.app.state.cvmon.alerts.find(["ulp-ampenan"])[0].status == "open"
    assert _audit(web, AuditAction.ALERT_ACK) == []


def test_evidence_gallery_and_page_by_role_and_unit(web: Browser) -> None:
    own, other = web.api.seeded.evidence["cam-a"], web.api.seeded.evidence["cam-b"]
    client, _ = web.login("pic-a")
    gallery = client.get("/evidence").text
    assert f'data-evidence="{own}"' in gallery and f'data-evidence="{other}"' not in gallery
    assert "/api/evidence/" not in gallery  # the listing opens no image; only the evidence page does
    page = client.get(f"/evidence/{own}").text
    assert f'src="/api/evidence/{own}/image"' in page
    assert client.get(f"/evidence/{other}").status_code == 404
    assert client.get("/evidence?camera=cam-b").status_code == 404
    assert _audit(web, AuditAction.EVIDENCE_VIEW) == []
    assert client.get(f"/api/evidence/{own}/image").status_code == 200
    assert [e.actor for e in _audit(web, AuditAction.EVIDENCE_VIEW)] == ["pic-a"]

    viewer, _ = web.login("viewer")
    assert viewer.get("/evidence").status_code == 403
    assert viewer.get(f"/evidence/{own}").status_code == 403
    assert 'href="/evidence"' not in viewer.get("/").text


def test_audit_page_for_admins_with_filters_and_export(web: Browser) -> None:
    client, _ = web.login("admin")
    page = client.get("/admin/audit").text
    assert page.count('data-action="user.add"') == 6
    assert page.count('data-action="login.success"') == 1
    filtered = client.get("/admin/audit?action=login.success&since=2026-11-23&until=2026-11-23").text
    assert filtered.count("<tr data-action=") == 1
    assert 'href="/api/audit.csv?action=login.success&amp;since=2026-11-23T00%3A00%3A00%2B00%3A00' in filtered
    assert client.get("/admin/audit?action=nonsense").status_code == 422
    assert client.get("/admin/audit?since=tomorrow").status_code == 422
    for username in ("manager", "pic-a", "auditor", "viewer"):
        other, _ = web.login(username)
        assert other.get("/admin/audit").status_code == 403
        assert other.get("/admin/users").status_code == 403


def test_admin_adds_and_changes_users_through_forms(web: Browser) -> None:
    client, csrf = web.login("admin")
    form = {"csrf_token": csrf, "username": "pic-c", "password": "a long password", "role": "pic", "units": "ulp-cakra"}
    response = client.post("/admin/users", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert "Pengguna pic-c disimpan." in client.get(response.headers["location"]).text
    users = web.api.app.state.cvmon.users
    assert (users.get("pic-c").role.value, users.get("pic-c").units) == ("pic", ("ulp-cakra",))

    change = {"csrf_token": csrf, "role": "manager", "units": ["up3-mataram", "up3-bima"], "state": "disabled"}
    assert client.post("/admin/users/pic-c", data=change, follow_redirects=False).status_code == 303
    user = users.get("pic-c")
    assert (user.role.value, user.units, user.disabled) == ("manager", ("up3-bima", "up3-mataram"), True)
    actions = [e.action for e in web.api.app.state.cvmon.audit.find(target="user:pic-c")]
    assert sorted(actions) == ["user.add", "user.disable", "user.set_role", "user.set_units"]

    weak = client.post("/admin/users", data={**form, "username": "pic-d", "password": "short"})
    assert weak.status_code == 422 and "at least 10 characters" in weak.text
    self_lock = client.post("/admin/users/admin", data={"csrf_token": csrf, "state": "disabled"})
    assert self_lock.status_code == 422 and "your own account" in self_lock.text
    assert not users.get("admin").disabled
    assert client.post("/admin/users/nobody", data={"csrf_token": csrf, "state": "active"}).status_code == 404
    assert client.post("/admin/users", data={**form, "csrf_token": ""}).status_code == 403


@sqlite_only
def test_logout_form_ends_the_session(web: Browser) -> None:
    client, csrf = web.login("pic-a")
    assert client.post("/logout", data={}).status_code == 403
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.headers["location"] == "/login?out=1"
    assert "Anda telah keluar." in client.get("/login?out=1").text
    assert client.get("/", follow_redirects=False).status_code == 303
    assert [e.actor for e in _audit(web, AuditAction.LOGOUT)] == ["pic-a"]


@sqlite_only
def test_indonesian_by_default_english_on_request(web: Browser) -> None:
    client, _ = web.login("pic-a")
    assert '<html lang="id">' in client.get("/alerts").text
    response = client.get("/lang/en?next=/alerts", follow_redirects=False)
    assert response.headers["location"] == "/alerts"
    page = client.get("/alerts").text
    assert '<html lang="en">' in page and "Acknowledge" in page and "Tangani" not in page
    assert client.get("/lang/en?next=https://evil.example", follow_redirects=False).headers["location"] == "/"
    client.get("/lang/xx")
    assert '<html lang="en">' in client.get("/alerts").text  # an unknown language changes nothing


@sqlite_only
def test_english_by_default_when_configured(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    from tests.api.conftest import make_settings

    browser = web_app_factory(settings=make_settings(default_language="en"))
    assert '<html lang="en">' in browser.client().get("/login").text


@sqlite_only
def test_unknown_page_is_an_html_404_and_the_api_stays_json(web: Browser) -> None:
    client, _ = web.login("pic-a")
    page = client.get("/no/such/page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = client.get("/api/no/such/route")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    assert client.get("/api/cameras/cam-b/zones/current").json() == {"detail": "no camera 'cam-b'"}


def test_malformed_ids_and_nul_characters_get_422_pages(web: Browser) -> None:
    client, csrf = web.login("pic-a")
    huge = 2**63
    for method, path, form in (
        ("POST", f"/alerts/{huge}/ack", {"csrf_token": csrf}),
        ("POST", "/alerts/0/resolve", {"csrf_token": csrf, "category": "other", "note": "x"}),
        ("GET", f"/evidence/{huge}", None),
        ("GET", f"/alerts?alert={huge}", None),
        ("GET", "/evidence?alert=-1", None),
    ):
        response = client.request(method, path, data=form)
        assert response.status_code == 422, path
        assert response.headers["content-type"].startswith("text/html"), path
    alert_id = web.api.seeded.alerts["cam-a"]
    nul = client.post(
        f"/alerts/{alert_id}/resolve", data={"csrf_token": csrf, "category": "other", "note": "bad\x00note"}
    )
    assert nul.status_code == 422 and "NUL" in nul.text
    assert client.get("/cameras/cam%00a").status_code == 422
    admin, token = web.login("admin")
    form = {
        "csrf_token": token,
        "username": "x\x00y",
        "password": "a long password",
        "role": "pic",
        "units": "ulp-bima",
    }
    assert admin.post("/admin/users", data=form).status_code == 422
    assert web.api.app.state.cvmon.alerts.find(["ulp-ampenan"])[0].status == "open"

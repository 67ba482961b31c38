"""Pages write dates one way in the page's language, show names instead of ids and translate enumerated values."""

from __future__ import annotations

import re

from tests.api.conftest import PASSWORD, sqlite_only
from tests.web.conftest import Browser


def _english(web: Browser, username: str):  # type: ignore[no-untyped-def]
    client, token = web.login(username)
    client.get("/lang/en")
    return client, token


def test_camera_page_writes_the_last_frame_day_and_chart_hours_in_the_pages_language(web: Browser) -> None:
    client, _ = web.login("pic-a")
    page = client.get("/cameras/cam-a?day=2026-11-23").text
    assert re.search(r"Bingkai terakhir \d{1,2} [A-Z][a-z]{2} 2026 \d\d\.\d\d WITA", page)
    assert 'name="day" value="2026-11-23"' in page and 'data-picker="date"' in page  # the field keeps ISO
    assert 'type="date"' not in page  # no picker that follows the browser's locale
    charts = "".join(re.findall(r'<figure class="chart">(.*?)</figure>', page, re.DOTALL))
    assert "09.00" in charts and "09:00" not in charts
    english, _ = _english(web, "pic-a")
    charts = "".join(re.findall(r'<figure class="chart">(.*?)</figure>', english.get("/cameras/cam-a").text, re.DOTALL))
    assert "09:00" in charts and not re.search(r"\d (AM|PM)", charts)


def test_pages_carry_the_picker_words_of_their_language(web: Browser) -> None:
    client, _ = web.login("pic-a")
    page = client.get("/cameras/cam-a").text
    words = re.search(r'<script type="application/json" id="picker-words">(.*?)</script>', page, re.DOTALL)
    assert words is not None and '"Desember"' in words.group(1) and '"H.i"' in words.group(1)
    assert "/static/vendor/flatpickr/flatpickr.min.js" in page
    assert client.get("/static/vendor/flatpickr/flatpickr.min.js").status_code == 200


def test_alerts_and_evidence_name_cameras_and_zones(web: Browser) -> None:
    client, _ = web.login("pic-a")
    alerts = client.get("/alerts").text
    row = re.search(r"<tr data-alert=.*?</tr>", alerts, re.DOTALL)
    assert row is not None and ">Ruang tunggu Ampenan</a> · queue-a" in row.group(0)
    assert re.search(r"<td>23 Nov 2026 09\.\d\d WITA</td>", row.group(0))
    evidence = client.get("/evidence").text
    cells = re.search(r"<tr data-evidence=.*?</tr>", evidence, re.DOTALL)
    assert cells is not None
    assert "<td>Ruang tunggu Ampenan</td>" in cells.group(0) and "<td>cam-a</td>" not in cells.group(0)


def test_audit_page_translates_actions_and_writes_utc_times_the_same_way(web: Browser) -> None:
    client, _ = web.login("admin")
    page = client.get("/admin/audit").text
    assert "Masuk berhasil <code" in page
    assert re.search(r"<td>\d{1,2} [A-Z][a-z]{2} 20\d\d \d\d\.\d\d\.\d\d UTC</td>", page)
    assert '<option value="login.success" >Masuk berhasil</option>' in page
    english, _ = _english(web, "admin")
    assert "Signed in <code" in english.get("/admin/audit").text


@sqlite_only
def test_users_list_shows_last_sign_in_and_lock_state(web: Browser) -> None:
    web.login("pic-a")
    locker = web.client()
    for _ in range(5):
        locker.post("/login", data={"username": "pic-b", "password": "wrong password!"})
    client, _ = web.login("admin")
    page = client.get("/admin/users").text
    rows = dict(re.findall(r'<tr data-user="([^"]+)">(.*?)</tr>', page, re.DOTALL))
    assert re.search(r'data-testid="last-sign-in">\d{1,2} \w{3} 20\d\d \d\d\.\d\d WITA<', rows["pic-a"])
    assert 'data-testid="last-sign-in">belum pernah<' in rows["viewer"]
    assert 'data-testid="locked-badge"' in rows["pic-b"] and 'data-testid="locked-badge"' not in rows["pic-a"]
    assert re.search(r"sampai \d{1,2} \w{3} 20\d\d \d\d\.\d\d\.\d\d UTC", rows["pic-b"])
    assert '<select name="units" multiple' not in page  # the tree picker, not a Ctrl+click list
    checkbox = r'<input type="checkbox" name="units" value="ulp-cakra"[^>]*form="user-\d+" checked>'
    assert re.search(checkbox, rows["pic-b"])
    assert PASSWORD not in page


@sqlite_only
def test_a_day_written_another_way_gets_a_one_line_422_page(web: Browser) -> None:
    client, _ = web.login("pic-a")
    response = client.get("/cameras/cam-a?day=12/05/2026")
    assert response.status_code == 422 and "Tanggal tidak valid: 12/05/2026" in response.text
    admin, _ = web.login("admin")
    response = admin.get("/admin/audit?since=02-12-2026")
    assert response.status_code == 422 and "since: bukan tanggal (tttt-bb-hh): 02-12-2026" in response.text

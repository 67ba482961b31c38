"""The data-protection notice: open to everyone, printable, with retention, controller and contacts from config."""

from __future__ import annotations

import copy
import re

import pytest

from cvmon.config import parse_config
from cvmon.errors import ConfigError
from tests.api.conftest import CONFIG, sqlite_only
from tests.web.conftest import Browser


def _config() -> dict:
    config = copy.deepcopy(CONFIG)
    config["units"][0]["contact"] = {"name": "Humas UIW NTB", "phone": "+62 370 000000"}
    config["units"][2]["contact"] = {
        "name": "Manajer ULP Ampenan",
        "role": "PIC layanan",
        "email": "ampenan@example.id",
    }
    config["retention"] = {"snapshots_days": 30, "alerts_days": 180, "minute_rows_days": 14, "hourly_rows_days": 400}
    config["retention"]["daily_rows_days"] = 1000
    config["data_protection"] = {"controller": "PT PLN (Persero) UIW NTB"}
    return config


@sqlite_only
def test_notice_shows_retention_controller_and_inherited_contacts(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    browser: Browser = web_app_factory(config=parse_config(_config()))
    page = browser.client().get("/privacy")
    assert page.status_code == 200
    text = page.text
    assert "PT PLN (Persero) UIW NTB" in text
    retention = re.search(r'data-testid="retention">(.*?)</table>', text, re.DOTALL)
    assert retention is not None
    assert [d for d in re.findall(r"<td>(\d+) hari</td>", retention.group(1))] == ["14", "400", "1000", "30", "180"]
    rows = dict(re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', text, re.DOTALL))
    assert set(rows) == {"ulp-ampenan", "ulp-cakra", "ulp-bima"}  # the units with cameras
    assert "Manajer ULP Ampenan (PIC layanan)" in rows["ulp-ampenan"] and "ampenan@example.id" in rows["ulp-ampenan"]
    assert "Humas UIW NTB" in rows["ulp-cakra"] and "— UIW NTB" in rows["ulp-cakra"]  # from the root unit
    assert "UU No. 27 Tahun 2022 Pasal 17" in text
    one = browser.client().get("/privacy?unit=ulp-bima").text
    assert re.findall(r'<tr data-unit="([^"]+)">', one) == ["ulp-bima"]
    assert browser.client().get("/privacy?unit=nowhere").status_code == 404
    english = browser.client()
    english.get("/lang/en")
    assert "Law No. 27 of 2022, art. 17" in english.get("/privacy").text


@sqlite_only
def test_notice_without_config_says_so(web: Browser) -> None:
    text = web.client().get("/privacy").text
    assert text.count("CVMON_CONFIG") == 3  # pictures, retention and contacts all unknown
    assert 'data-testid="retention"' not in text


def _pictures(text: str) -> str:
    found = re.search(r'data-testid="snapshots">(.*?)</ul>', text, re.DOTALL)
    assert found is not None
    return " ".join(found.group(1).split())


@sqlite_only
def test_notice_says_snapshots_are_kept_for_alerts_only_when_nothing_periodic_is_configured(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    text = web_app_factory(config=parse_config(_config())).client().get("/privacy").text
    pictures = _pictures(text)
    assert 'data-periodic="none"' in pictures and "tanpa peringatan, tidak ada gambar yang disimpan" in pictures
    assert "diperbarui setiap 5 detik dan ditimpa" in pictures  # the latest frame, default 5 s


@sqlite_only
def test_notice_names_the_periodic_snapshots_in_force(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    config = _config()
    config["defaults"] = {"evidence": {"periodic_every_min": 15}}
    config["cameras"][2]["evidence"] = {"latest_every_s": 2}  # cam-c: no periodic snapshots, faster latest frame
    browser: Browser = web_app_factory(config=parse_config(config))
    pictures = _pictures(browser.client().get("/privacy").text)
    assert "tanpa peringatan, tidak ada gambar" not in pictures
    assert re.search(r'data-periodic="15">Selain itu, setiap 15 menit .*: Ruang tunggu Ampenan, cam-b\.', pictures)
    assert "hanya saat ada peringatan: cam-c." in pictures
    assert "setiap 2 / 5 detik" in pictures
    english = browser.client()
    english.get("/lang/en")
    pictures = _pictures(english.get("/privacy?unit=ulp-ampenan").text)
    assert "every 15 minutes during service hours, with or without an alert" in pictures
    assert pictures.endswith("not kept as a history.</li>") and "cam-b" not in pictures  # only the unit's cameras


@sqlite_only
def test_notice_lists_what_every_role_may_see(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    text = web_app_factory(config=parse_config(_config())).client().get("/privacy").text
    rows = dict(re.findall(r'<tr data-role="([a-z]+)">.*?data-pictures="(true|false)"', text, re.DOTALL))
    assert rows == {"admin": "true", "manager": "true", "pic": "true", "auditor": "true", "viewer": "false"}
    assert "Pemantau" in text and "Admin" in text  # role names, not ids
    assert "Log audit (siapa melihat atau mengubah apa)" in text


@sqlite_only
def test_notice_is_printable(web: Browser) -> None:
    text = web.client().get("/privacy").text
    assert "data-print" in text
    css = web.client().get("/static/cvmon.css").text
    assert "@media print" in css


def test_config_rejects_a_contact_without_a_name() -> None:
    config = _config()
    config["units"][2]["contact"] = {"phone": "123"}
    with pytest.raises(ConfigError, match=r"units\[2\]\.contact\.name: required key missing"):
        parse_config(config)


@sqlite_only
def test_notice_names_the_cameras_measuring_greetings_and_never_re_identifying(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    config = _config()
    before = web_app_factory(config=parse_config(config)).client().get("/privacy").text
    assert 'data-testid="greeting-off"' in before and "tidak pernah dikenali ulang antarkamera" in before
    camera = config["cameras"][0]
    camera["behaviour"] = {"enabled": True}
    text = web_app_factory(config=parse_config(config)).client().get("/privacy").text
    greeting = re.search(r'data-testid="greeting">(.*?)</li>', text, re.DOTALL)
    assert greeting is not None and (camera.get("name") or camera["id"]) in greeting.group(1)
    assert "tidak ada analisis wajah" in greeting.group(1)

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
    assert text.count("CVMON_CONFIG") == 2  # retention and contacts both unknown
    assert 'data-testid="retention"' not in text


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

"""The report's charts as SVG: a 0-100 % axis with whole-number ticks and its title, values with their unit
(0 % included), rows without data named as such, in both languages and both widths."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from cvmon.config.models import Config
from cvmon.i18n.messages import Language, translator
from cvmon.reports.charts import aspect_chart, ranking_chart
from cvmon.reports.report import UnitReport, build_report
from cvmon.storage import Database
from tests.api.conftest import sqlite_only

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = date(2026, 11, 23)
ALL = ["uiw-ntb", "up3-mataram", "ulp-ampenan", "ulp-cakra"]


def _report(report_db: tuple[Database, Config], unit: str) -> UnitReport:
    db, config = report_db
    with db.transaction("test", write=False) as session:
        return build_report(session, config, unit, ALL, MONDAY, MONDAY)


def _texts(svg: str, group_class: str) -> list[str]:
    """The texts inside the SVG groups whose class list starts with ``group_class``."""
    root = ET.fromstring(svg)
    return [
        text.text or ""
        for group in root.iter(f"{SVG}g")
        if group.get("class", "").startswith(group_class)
        for text in group.iter(f"{SVG}text")
    ]


def _values(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    overlay = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "plot text-overlay")
    return [t.text or "" for t in overlay.iter(f"{SVG}text") if t.get("class") == "value"]


@sqlite_only
@pytest.mark.parametrize(
    ("language", "axis", "before"), [("en", "Score (%)", "Before"), ("id", "Skor (%)", "Sebelumnya")]
)
def test_aspect_chart_axis_is_percent_with_whole_ticks(
    report_db: tuple[Database, Config], language: Language, axis: str, before: str
) -> None:
    svg = aspect_chart(_report(report_db, "ulp-ampenan"), translator(language))
    assert _texts(svg, "axis x") == ["0%", "20%", "40%", "60%", "80%", "100%"]
    assert axis in _texts(svg, "titles")
    assert before in _texts(svg, "legends")
    # This period: waiting 66.7, queue 66.7, staffing 55.6, comfort 91.7, follow-up 33.3; before (Sunday) only
    # follow-up has data, at 0 %: printed with its unit, not as a bare "0".
    assert sorted(_values(svg)) == sorted(["0%", "66.7%", "66.7%", "55.6%", "91.7%", "33.3%"])
    narrow = aspect_chart(_report(report_db, "ulp-ampenan"), translator(language), narrow=True)
    assert _texts(narrow, "axis x") == ["0%", "50%", "100%"]
    assert sorted(_values(narrow)) == sorted(_values(svg))


@sqlite_only
@pytest.mark.parametrize(
    ("language", "no_data"), [("en", "ULP Cakranegara (no data)"), ("id", "ULP Cakranegara (tanpa data)")]
)
def test_ranking_chart_names_a_unit_without_data(
    report_db: tuple[Database, Config], language: Language, no_data: str
) -> None:
    svg = ranking_chart(_report(report_db, "up3-mataram"), translator(language))
    assert svg is not None
    assert _texts(svg, "axis x") == ["0%", "20%", "40%", "60%", "80%", "100%"]
    assert sorted(_texts(svg, "axis y")) == sorted(["ULP Ampenan", no_data])
    assert _values(svg) == ["62.5%"]
    assert ranking_chart(_report(report_db, "ulp-ampenan"), translator(language)) is None  # nothing below a ULP

"""A database with the report tests' unit tree (UIW NTB > UP3 Mataram > ULP Ampenan, ULP Cakranegara), and
generators of rating and mystery-shopper CSV files."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest

from cvmon.config import parse_config
from cvmon.storage import Database
from cvmon.storage.config_history import sync_config
from tests.reports.conftest import CONFIG
from tests.storage.conftest import (  # noqa: F401
    database,
    database_url,
    postgres_admin,
    postgres_template,
    sqlite_template,
)

UNITS = ["uiw-ntb", "up3-mataram", "ulp-ampenan", "ulp-cakra"]
RATING_HEADER = (
    "unit,date,channel,service,csat_count,csat_mean,nps_promoters,nps_passives,nps_detractors,ces_count,ces_mean"
)
SHOPPER_HEADER = "unit,date,time,touchpoint,aspect,weight,score,max_score"


@pytest.fixture
def units_db(database: Database) -> Database:  # noqa: F811
    sync_config(database, parse_config(CONFIG))
    return database


def csv_text(header: str, rows: Sequence[Sequence[Any]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return out.getvalue()


def generated_ratings(first: date, days: int, units: Sequence[str] = ("ulp-ampenan", "ulp-cakra")) -> list[list[Any]]:
    """A row per unit, day and channel (app, contact centre): counts and means that vary by day and unit."""
    rows = []
    for u, unit in enumerate(units):
        for d in range(days):
            for c, channel in enumerate(("app", "contact_centre")):
                n = 10 + d + c
                rows.append([unit, (first + timedelta(days=d)).isoformat(), channel, "", n,
                             round(3.0 + 0.1 * ((d + u + c) % 10), 2), 4 + c, 3, 2 + u, n // 2, 3.5])  # fmt: skip
    return rows

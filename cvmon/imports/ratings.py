"""Customer-rating rows: one unit, local day, channel and service per row, with counts and means.

Columns (header names, any case): ``unit`` and ``date`` (YYYY-MM-DD, the unit's local day) are needed;
``channel`` and ``service`` (ids, empty: all) say where the answers came from; then the figures, at
least one group per row:

- ``csat_count``, ``csat_mean``: how many CSAT answers (1-5) and their mean;
- ``nps_promoters``, ``nps_passives``, ``nps_detractors``: NPS answers 9-10, 7-8 and 0-6;
- ``ces_count``, ``ces_mean``: how many CES answers (1-7) and their mean.

A mean needs its count above 0, and a count above 0 needs its mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cvmon.imports import fields as f
from cvmon.imports.table import Columns, Record
from cvmon.types.ratings import CES_RANGE, CSAT_RANGE, RATING_FIGURES, RatingDay

RATING_COLUMNS = Columns(
    required=("unit", "date"),
    optional=("channel", "service", *RATING_FIGURES),
)


def _mean(fields: Mapping[str, Any], score: str, answers: int, bounds: tuple[float, float]) -> float | None:
    count_name, mean_name = f"{score}_count", f"{score}_mean"
    if f.is_blank(fields, mean_name):
        if answers:
            raise ValueError(f"{mean_name}: empty, but {count_name} is {answers}")
        return None
    mean = f.number(fields, mean_name, low=bounds[0], high=bounds[1])
    if not answers:
        raise ValueError(f"{mean_name}: given, but {count_name} is 0 or empty")
    return mean


def rating_of(fields: Mapping[str, Any]) -> RatingDay:
    """One row as a RatingDay; ValueError says what is wrong with it."""
    csat, ces = f.count(fields, "csat_count"), f.count(fields, "ces_count")
    nps = [f.count(fields, name) for name in ("nps_promoters", "nps_passives", "nps_detractors")]
    row = RatingDay(
        unit_id=f.text(fields, "unit"),
        day=f.day(fields, "date"),
        channel=f.key(fields, "channel", required=False),
        service=f.key(fields, "service", required=False),
        csat_count=csat,
        csat_mean=_mean(fields, "csat", csat, CSAT_RANGE),
        nps_promoters=nps[0],
        nps_passives=nps[1],
        nps_detractors=nps[2],
        ces_count=ces,
        ces_mean=_mean(fields, "ces", ces, CES_RANGE),
    )
    if not (csat or ces or row.nps_answers):
        raise ValueError("no figures: give csat_count and csat_mean, the NPS counts, or ces_count and ces_mean")
    return row


def rating_rows(records: Sequence[Record]) -> tuple[list[tuple[str, RatingDay]], list[str]]:
    """The valid rows with where each is, and one problem per bad row (a repeated key is one)."""
    rows: list[tuple[str, RatingDay]] = []
    problems: list[str] = []
    first_seen: dict[tuple[Any, ...], str] = {}
    for record in records:
        try:
            row = rating_of(record.fields)
        except ValueError as err:
            problems.append(f"{record.where}: {err}")
            continue
        if row.key in first_seen:
            problems.append(f"{record.where}: the same unit, date, channel and service as {first_seen[row.key]}")
            continue
        first_seen[row.key] = record.where
        rows.append((record.where, row))
    return rows, problems

"""Mystery-shopper rows: one scored aspect of one touchpoint of one visit per row.

Columns (header names, any case): ``unit``, ``date`` (the visit's local date, YYYY-MM-DD),
``touchpoint`` (``frontliner`` or ``loket``, ``satpam``, ``pandu``, or any other id), ``aspect`` (its
name as the questionnaire words it) and ``score`` are needed; ``time`` (HH:MM, local, when the visit
began), ``weight`` (the aspect's weight in the visit's score, default 1, at most 1000) and ``max_score``
(the top of the score's scale, default 100, at most 1000: a 1-5 questionnaire gives 5) may follow.
A score is stored as a percentage of ``max_score``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cvmon.imports import fields as f
from cvmon.imports.table import Columns, Record
from cvmon.types.ratings import TOUCHPOINT_ALIASES, ShopperScore

MAX_SCALE = 1000.0  # the largest weight and top of a score's scale
SHOPPER_COLUMNS = Columns(
    required=("unit", "date", "touchpoint", "aspect", "score"),
    optional=("time", "weight", "max_score"),
)


def shopper_score_of(fields: Mapping[str, Any]) -> ShopperScore:
    """One row as a ShopperScore (score as 0-100); ValueError says what is wrong with it."""
    touchpoint = f.key(fields, "touchpoint")
    top = 100.0 if f.is_blank(fields, "max_score") else f.number(fields, "max_score", low=0, high=MAX_SCALE)
    if top <= 0:
        raise ValueError("max_score: must be above 0")
    score = f.number(fields, "score", low=0, high=top)
    weight = 1.0 if f.is_blank(fields, "weight") else f.number(fields, "weight", low=0, high=MAX_SCALE)
    if weight <= 0:
        raise ValueError("weight: must be above 0")
    return ShopperScore(
        unit_id=f.text(fields, "unit"),
        visit_date=f.day(fields, "date"),
        visit_time=f.clock_time(fields, "time"),
        touchpoint=TOUCHPOINT_ALIASES.get(touchpoint, touchpoint),
        aspect=" ".join(f.text(fields, "aspect", max_length=200).split()),
        weight=weight,
        score=round(100.0 * score / top, 4),
    )


def shopper_rows(records: Sequence[Record]) -> tuple[list[tuple[str, ShopperScore]], list[str]]:
    """The valid rows with where each is, and one problem per bad row (an aspect repeated in a visit is one)."""
    rows: list[tuple[str, ShopperScore]] = []
    problems: list[str] = []
    first_seen: dict[tuple[Any, ...], str] = {}
    for record in records:
        try:
            row = shopper_score_of(record.fields)
        except ValueError as err:
            problems.append(f"{record.where}: {err}")
            continue
        key = (*row.visit, row.aspect.lower())
        if key in first_seen:
            problems.append(f"{record.where}: the same visit, touchpoint and aspect as {first_seen[key]}")
            continue
        first_seen[key] = record.where
        rows.append((record.where, row))
    return rows, problems

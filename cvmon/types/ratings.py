"""Customer ratings and mystery-shopper scores as imported: aggregate figures only, never a person.

A ``RatingDay`` is one unit's ratings of one local day through one channel (app, contact centre...)
and service (new connection, complaint...): how many CSAT, NPS and CES answers there were and their
means or counts. A ``ShopperScore`` is one scored aspect of one touchpoint in one mystery-shopper
visit, with its weight in the visit's score. Neither holds a customer's or a shopper's identity or
words.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, time

# CSAT is asked 1-5, NPS 0-10 (stored as promoters 9-10, passives 7-8, detractors 0-6), CES 1-7.
CSAT_RANGE = (1.0, 5.0)
CES_RANGE = (1.0, 7.0)

# Touchpoints the report maps onto zone kinds; any other touchpoint is shown without camera figures.
FRONTLINER, SATPAM, PANDU = "frontliner", "satpam", "pandu"
TOUCHPOINT_ALIASES = {
    "frontliner": FRONTLINER,
    "loket": FRONTLINER,
    "counter": FRONTLINER,
    "cs": FRONTLINER,
    "satpam": SATPAM,
    "security": SATPAM,
    "pandu": PANDU,
    "guide": PANDU,
}


@dataclass(frozen=True, slots=True)
class RatingDay:
    """One unit's customer ratings of one local day, channel and service ("" for all or unknown)."""

    unit_id: str
    day: date
    channel: str
    service: str
    csat_count: int = 0
    csat_mean: float | None = None  # 1-5; None without answers
    nps_promoters: int = 0
    nps_passives: int = 0
    nps_detractors: int = 0
    ces_count: int = 0
    ces_mean: float | None = None  # 1-7; None without answers

    @property
    def key(self) -> tuple[str, date, str, str]:
        return (self.unit_id, self.day, self.channel, self.service)

    @property
    def nps_answers(self) -> int:
        return self.nps_promoters + self.nps_passives + self.nps_detractors


@dataclass(frozen=True, slots=True)
class ShopperScore:
    """One aspect of one touchpoint scored in a mystery-shopper visit: ``score`` 0-100, ``weight`` > 0."""

    unit_id: str
    visit_date: date
    visit_time: time | None  # local time the visit started, when known
    touchpoint: str
    aspect: str
    weight: float
    score: float

    @property
    def visit(self) -> tuple[str, date, time | None, str]:
        """The natural key of the visit's touchpoint: a re-import replaces all its aspects."""
        return (self.unit_id, self.visit_date, self.visit_time, self.touchpoint)


# The figures of a ``RatingDay`` (its fields after the key), as columns of an import file and of the table.
RATING_FIGURES = tuple(f.name for f in fields(RatingDay))[4:]

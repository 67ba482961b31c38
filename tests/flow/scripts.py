"""Scripted visit changes for the flow tests: a hall with a door, a guard, a guide desk, a queue, counters."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from datetime import timedelta
from typing import Any

from cvmon.config.journey import JourneyConfig
from cvmon.figures import ZoneFigures
from cvmon.flow.counter import JourneyCounter, Roles
from cvmon.types import ZoneKind
from cvmon.zones.visit_changes import VisitChange, VisitChangeKind
from tests.conftest import T0

KINDS = {
    "pintu": ZoneKind.ENTRANCE,
    "satpam": ZoneKind.POST,
    "pandu": ZoneKind.POST,
    "meja-pandu": ZoneKind.COUNTER_CUSTOMER,
    "antrian": ZoneKind.QUEUE,
    "ruang-tunggu": ZoneKind.WAITING,
    "loket-1": ZoneKind.COUNTER_CUSTOMER,
    "loket-2": ZoneKind.COUNTER_CUSTOMER,
    "loket-1-staff": ZoneKind.COUNTER_STAFF,
}
STEPS: list[dict[str, Any]] = [
    {"zones": ["pintu"]},
    {"zones": ["satpam"], "required": False},
    {"zones": ["meja-pandu"]},
    {"zones": ["antrian", "ruang-tunggu"]},
    {"zones": ["loket-1", "loket-2"]},
]
JOURNEY: dict[str, Any] = {
    "steps": STEPS,
    "door_post": "satpam",
    "guide_desk": "meja-pandu",
    "abandon_min_s": 60,
    "timeout_s": 300,
}
CONFIRM_S = 2.0  # a visit's STARTED comes this long after it began (min_enter_s)
EXIT_S = 3.0  # its ENDED this long after its last sighting (min_exit_s)

Known = tuple[float, VisitChange]  # a change and the video time the zones make it known


def journey(**changes: object) -> JourneyConfig:
    return JourneyConfig.model_validate({**JOURNEY, **changes})


def counter(**changes: object) -> JourneyCounter:
    return JourneyCounter(journey(**changes), KINDS, confirm_s=CONFIRM_S)


def visit(track: int, zone: str, start: float, last: float | None = None) -> list[Known]:
    """A confirmed visit from ``start`` to its last sighting ``last`` (None: it goes on, or passes to a new id)."""
    started = VisitChange(zone, track, VisitChangeKind.STARTED, start, start + CONFIRM_S)
    out: list[Known] = [(start + CONFIRM_S, started)]
    if last is not None:
        out.append((last + EXIT_S, VisitChange(zone, track, VisitChangeKind.ENDED, start, last)))
    return out


def handover(zone: str, old: int, new: int, start: float, at: float, last: float | None) -> list[Known]:
    """Track ``new``, born at ``at``, takes over ``old``'s visit to ``zone`` (begun at ``start``)."""
    out: list[Known] = [(at, VisitChange(zone, new, VisitChangeKind.CONTINUED, start, at, previous_id=old))]
    if last is not None:
        out.append((last + EXIT_S, VisitChange(zone, new, VisitChangeKind.ENDED, start, last)))
    return out


def path(track: int, *stays: tuple[str, float, float]) -> list[Known]:
    """One person's visits, one after the other: (zone, start, last sighting)."""
    return [k for zone, start, last in stays for k in visit(track, zone, start, last)]


def feed(
    counter: JourneyCounter,
    script: Sequence[Known],
    until: float,
    door: Callable[[float], bool] = lambda t: True,
    roles: Roles = None,
    tracked: Callable[[float], Collection[int] | None] = lambda t: None,
    start: float = 0.0,
) -> None:
    """One sample a second from ``start`` to ``until``, each with the changes made known since the last."""
    due: dict[int, list[VisitChange]] = {}
    for known, change in sorted(script, key=lambda k: k[0]):
        due.setdefault(math.ceil(known), []).append(change)
    for second in range(round(start), round(until) + 1):
        t = float(second)
        counter.update(due.get(second, []), t, T0 + timedelta(seconds=t), door(t), roles, tracked(t))


def minutes(counter: JourneyCounter) -> dict[int, ZoneFigures]:
    """Every minute's figures (the minutes after T0), handed out."""
    return {round((m.minute - T0).total_seconds() / 60): m.figures for m in counter.pop_complete(None)}

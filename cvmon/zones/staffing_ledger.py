"""Staffed seconds that are decided late: samples held until the staffing debounce has ruled.

A staff zone's sample is staffed, unstaffed, or undecided (``staffing_of_sample``): an absence is
undecided until it lasted ``staffed_grace_s`` (then unstaffed from the moment the zone emptied) or the
person came back (then staffed throughout); an arrival is undecided until it lasted ``min_enter_s``
(then staffed from the moment it began). ``settle`` holds the undecided samples and hands them out,
each at its own time, once a later sample decides them, so every second lands in the minute it
belongs to and the grace decides *whether* a counter was unstaffed, never *when*.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from cvmon.types import ZoneEvent, ZoneEventKind


@dataclass(frozen=True, slots=True)
class HeldSample:
    """An undecided sample of a staff zone: its time and the seconds it stands for."""

    ts: datetime
    dt: float


@dataclass(frozen=True, slots=True)
class SettledSample:
    """A sample whose staffing is decided."""

    ts: datetime
    dt: float
    staffed: bool


def settle(
    held: tuple[HeldSample, ...],
    ts: datetime,
    dt: float,
    decision: bool | None,
    events: Iterable[ZoneEvent] = (),
) -> tuple[tuple[HeldSample, ...], list[SettledSample]]:
    """Fold one sample in; returns the samples still held and those now decided (oldest first).

    Args:
        held: samples held so far.
        ts, dt: the new sample's time and the seconds it stands for.
        decision: the new sample's staffing (None: undecided, held with the others).
        events: the zone's STAFFED/UNSTAFFED events of this sample; the change's time splits the held
            samples: those from it on take ``decision``, those before it the opposite.
    """
    if decision is None:
        return (*held, HeldSample(ts, dt)), []
    change = next((e for e in events if e.kind in (ZoneEventKind.STAFFED, ZoneEventKind.UNSTAFFED)), None)
    settled = [
        SettledSample(h.ts, h.dt, decision if change is None or h.ts >= change.ts else not decision) for h in held
    ]
    settled.append(SettledSample(ts, dt, decision))
    return (), settled


def settle_all(held: tuple[HeldSample, ...], staffed: bool) -> list[SettledSample]:
    """Decide every held sample at once (the end of a recording, or a camera going offline)."""
    return [SettledSample(h.ts, h.dt, staffed) for h in held]

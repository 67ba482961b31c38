"""The behaviour aspect of a report: the PS4 greeting at counters and posts, and customers invited to sit.

The figures are the greeting counts of the staff zones (``counter_staff`` and ``post``) of the unit's
subtree, summed by ``cvmon.reports.figures.collect`` over the period's service hours from the same minute
rows and hourly roll-ups as every other figure (``cvmon.figures.GREETING_COUNTS``):

- *arrivals judged*: customer arrivals a staffed zone should have greeted, each ended as greeted, not
  greeted or not visible (the staff not seen well enough to judge: never guessed);
- *greeted share*: greeted / (greeted + not greeted); the not visible are left out (unknown, not missed);
- *not visible share*: not visible / arrivals judged;
- *seated share*: customers who sat down in time / arrivals at counters with a seat (``cameras[].behaviour
  .seats``, or a counter whose customers were seen seated in the period); a counter without a seat cannot
  count anyone seated, so its arrivals stay out.

The score is the greeted share (0-100); without an arrival judged greeted or not the aspect has no data
and drops out of the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cvmon.config.models import Config
from cvmon.figures import ZoneFigures
from cvmon.reports.figures import PeriodData
from cvmon.types import ZoneKind


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class GreetingZone:
    """One staff zone's greeting counts over the period (a zone with arrivals judged)."""

    camera_id: str
    zone_id: str
    name: str
    kind: str  # counter_staff or post
    arrivals: int
    greeted: int
    missed: int
    unseen: int
    seated: int
    has_seat: bool  # a counter with a seat: its arrivals count for the seated share

    @property
    def greeted_share(self) -> float | None:
        return _share(self.greeted, self.greeted + self.missed)

    @property
    def unseen_share(self) -> float | None:
        return _share(self.unseen, self.arrivals)

    @property
    def seated_share(self) -> float | None:
        return _share(self.seated, self.arrivals) if self.has_seat else None


@dataclass(frozen=True, slots=True)
class BehaviourFigures:
    """The greeting counts of a unit's subtree over a period (see the module docstring)."""

    zones: tuple[GreetingZone, ...]
    arrivals: int  # judged: greeted, not greeted or not visible
    greeted: int
    missed: int
    unseen: int
    seat_arrivals: int  # of the arrivals, those at counters with a seat
    seated: int

    @property
    def judged(self) -> int:
        """Arrivals judged greeted or not (the not visible left out)."""
        return self.greeted + self.missed

    @property
    def greeted_share(self) -> float | None:
        return _share(self.greeted, self.judged)

    @property
    def unseen_share(self) -> float | None:
        return _share(self.unseen, self.arrivals)

    @property
    def seated_share(self) -> float | None:
        return _share(self.seated, self.seat_arrivals)

    @property
    def score(self) -> float | None:
        """0-100: the greeted share; None without an arrival judged greeted or not."""
        share = self.greeted_share
        return None if share is None else round(100 * share, 1)


NO_BEHAVIOUR = BehaviourFigures((), 0, 0, 0, 0, 0, 0)


def _seated_counters(config: Config) -> set[tuple[str, str]]:
    """(camera, counter_customer zone) of every seat in cameras.yaml."""
    return {
        (camera.id, seat.counter)
        for camera in config.cameras
        if camera.behaviour is not None
        for seat in camera.behaviour.seats
    }


def behaviour_figures(data: PeriodData, config: Config, subtree: Sequence[str]) -> BehaviourFigures:
    """The greeting figures of the staff zones of the cameras of ``subtree`` in the period ``data`` holds."""
    units = set(subtree)
    seats = _seated_counters(config)
    zones: list[GreetingZone] = []
    for (camera_id, zone_id), acc in sorted(data.zones.items()):
        f: ZoneFigures = acc.figures
        if data.camera_unit.get(camera_id) not in units or not acc.kind.measures_staffing or not f.greet_arrivals:
            continue
        counter = acc.kind is ZoneKind.COUNTER_STAFF
        has_seat = counter and ((camera_id, acc.counter_zone or "") in seats or f.seated > 0)
        zones.append(
            GreetingZone(
                camera_id,
                zone_id,
                acc.name,
                acc.kind.value,
                f.greet_arrivals,
                f.greeted,
                f.greet_missed,
                f.greet_unseen,
                f.seated,
                has_seat,
            )
        )
    if not zones:
        return NO_BEHAVIOUR
    return BehaviourFigures(
        zones=tuple(zones),
        arrivals=sum(z.arrivals for z in zones),
        greeted=sum(z.greeted for z in zones),
        missed=sum(z.missed for z in zones),
        unseen=sum(z.unseen for z in zones),
        seat_arrivals=sum(z.arrivals for z in zones if z.has_seat),
        seated=sum(z.seated for z in zones if z.has_seat),
    )

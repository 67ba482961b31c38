"""The flow aspect of a report: how customers moved through the touchpoints of the unit's cameras.

The journey counts (``cvmon.figures.FLOW_COUNTS``) sit on the first zone of each camera's journey and are
summed by ``cvmon.reports.figures.collect`` over the period's service hours like every other figure;
cameras add up by counts only (a door camera's arrivals and a counter camera's customers served), nobody
is followed between cameras. Three shares, each where it has data:

- *served*: 1 - abandoned / queued (customers who queued and left without reaching a counter);
- *met at the door*: met at the door / arrivals, on cameras whose journey names a door post;
- *journey followed*: 1 - skipped a required step / journeys (arrivals and those joined mid-way).

The score is the mean of the shares that have data (0-100); none: the aspect drops out of the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cvmon.config.models import Config
from cvmon.figures import FLOW_COUNTS, ZoneFigures
from cvmon.reports.figures import PeriodData


@dataclass(frozen=True, slots=True)
class FlowReport:
    """The journey counts of a unit's subtree over a period (see the module docstring)."""

    figures: ZoneFigures
    door_arrivals: int  # arrivals on cameras whose journey names a door post

    @property
    def served_share(self) -> float | None:
        f = self.figures
        return 1.0 - f.abandoned / f.queued if f.queued else None

    @property
    def met_share(self) -> float | None:
        return self.figures.met_at_door / self.door_arrivals if self.door_arrivals else None

    @property
    def followed_share(self) -> float | None:
        journeys = self.figures.arrivals + self.figures.joined_midway
        return 1.0 - self.figures.skipped_required / journeys if journeys else None

    @property
    def score(self) -> float | None:
        shares = [s for s in (self.served_share, self.met_share, self.followed_share) if s is not None]
        return round(100.0 * sum(shares) / len(shares), 1) if shares else None

    @property
    def journeys(self) -> int:
        return sum(getattr(self.figures, name) for name in FLOW_COUNTS)


NO_FLOW = FlowReport(ZoneFigures(), 0)


def flow_report(data: PeriodData, config: Config, subtree: Sequence[str]) -> FlowReport:
    """The journey counts of the cameras of ``subtree`` in the period ``data`` holds."""
    units = set(subtree)
    with_post = {c.id for c in config.cameras if c.journey is not None and c.journey.door_post is not None}
    total, door_arrivals = ZoneFigures(), 0
    for (camera_id, _zone_id), acc in data.zones.items():
        if data.camera_unit.get(camera_id) not in units:
            continue
        f = acc.figures
        counts = ZoneFigures(**{name: getattr(f, name) for name in FLOW_COUNTS})
        total = total + counts
        if camera_id in with_post:
            door_arrivals += f.arrivals
    return FlowReport(total, door_arrivals) if any(getattr(total, n) for n in FLOW_COUNTS) else NO_FLOW

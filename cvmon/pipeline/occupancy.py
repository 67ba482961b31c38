"""Zone state: debounced visits and staffing, and a staff zone's samples held until staffing is decided.

``ZoneStage.update`` advances the zones by one sample and returns what became known: the zone events
(visits that ended, staffing changes) and the staffed seconds now decided, each at its own time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cvmon.config.models import TimingConfig
from cvmon.types import ZoneEvent
from cvmon.zones.geometry import Zone
from cvmon.zones.staffing_ledger import HeldSample, SettledSample, settle, settle_all
from cvmon.zones.state import PersonInZone, ZoneState, close_zones, staffing_of_sample, update_zones
from cvmon.zones.visit_changes import VisitChange, visit_changes


@dataclass(frozen=True, slots=True)
class StaffedSeconds:
    """Seconds of a staff zone decided staffed, at the time of the sample they belong to."""

    zone_id: str
    ts: datetime
    seconds: float


@dataclass(frozen=True, slots=True)
class ZoneStep:
    """What one sample (or the end of a segment) made known."""

    events: list[ZoneEvent]
    staffed: list[StaffedSeconds]
    visits: list[VisitChange] = field(default_factory=list)  # confirmed visits begun, ended or continued


class ZoneStage:
    """A camera's ``ZoneState`` and each staff zone's undecided samples."""

    def __init__(self, zones: list[Zone], timing: TimingConfig, sample_s: float) -> None:
        self.zones = zones
        self.timing = timing
        self.sample_s = sample_s  # the seconds one sample stands for, added to each visit
        self.state = ZoneState()
        self._held: dict[str, tuple[HeldSample, ...]] = {}

    def update(
        self,
        people: dict[str, list[PersonInZone]],
        counts: dict[str, int],
        matched: frozenset[int],
        t: float,
        wall: datetime,
        dt: float,
        feet: dict[int, tuple[float, float]] | None = None,
    ) -> ZoneStep:
        """Advance every zone by one sample at video time ``t`` (``wall``) standing for ``dt`` seconds; ``feet``:
        where every confirmed track seen now stands (to time steps into and out of a zone)."""
        before = self.state
        self.state, events = update_zones(
            self.state, self.zones, people, counts, t, wall, self.timing, matched, self.sample_s, feet
        )
        staffed: list[StaffedSeconds] = []
        for zone in self.zones:
            if not zone.kind.measures_staffing:
                continue
            decision = staffing_of_sample(self.state.zones[zone.id], counts[zone.id] > 0, t, self.timing)
            mine = [e for e in events if e.zone_id == zone.id]
            self._held[zone.id], settled = settle(self._held.get(zone.id, ()), wall, dt, decision, mine)
            staffed += _staffed(zone.id, settled)
        return ZoneStep(events, staffed, visit_changes(before, self.state))

    def end_segment(self, t: float | None, wall: datetime | None) -> ZoneStep:
        """Close every visit at its last sighting (``t``, ``wall``: the last sample; None when there was
        none) and forget the zones: what follows a gap is a new segment. Undecided samples are decided
        as the zone stood: an absence shorter than the grace is staffed."""
        staffed: list[StaffedSeconds] = []
        for zone_id, held in self._held.items():
            staffed += _staffed(zone_id, settle_all(held, self.state.staffed(zone_id)))
        self._held = {}
        events: list[ZoneEvent] = []
        if t is not None and wall is not None:
            _, events = close_zones(self.state, t, wall, self.sample_s)
        before, self.state = self.state, ZoneState()
        return ZoneStep(events, staffed, visit_changes(before, self.state))

    def settled_before(self, mark: datetime, t: float | None, wall: datetime | None) -> datetime:
        """``mark``, or earlier: the oldest moment something can still be decided for (a held staff sample,
        the start of a visit whose exit is still to come), given the last sample at ``t`` (``wall``)."""
        for held in self._held.values():
            if held:
                mark = min(mark, held[0].ts)
        if t is not None and wall is not None:
            for track in self.state.zones.values():
                for visit in track.visits.values():
                    if visit.confirmed:
                        mark = min(mark, wall - timedelta(seconds=t - visit.last_in_t))
        return mark

    def longest_wait_s(self, zone_id: str) -> float | None:
        """The longest confirmed visit still going on in a zone (None: none)."""
        track = self.state.zones.get(zone_id)
        if track is None:
            return None
        waits = [v.last_in_t - v.first_in_t for v in track.visits.values() if v.confirmed]
        return max(waits) if waits else None

    @property
    def retained(self) -> dict[str, int]:
        """Sizes of what the stage keeps: open visits and held samples."""
        return {
            "open_visits": sum(len(track.visits) for track in self.state.zones.values()),
            "held_staff_samples": sum(len(held) for held in self._held.values()),
        }


def _staffed(zone_id: str, settled: list[SettledSample]) -> list[StaffedSeconds]:
    return [StaffedSeconds(zone_id, s.ts, s.dt) for s in settled if s.staffed]

"""Staff or customer, track by track (``cvmon.staff``), and the customer zones' people split accordingly.

With ``cameras[].staff.enabled`` every confirmed track is observed each sample: its torso look (of a
box the picture does not cut), whether its feet stand in a staff zone (counter_staff, post) or a
customer zone (queue, waiting, counter_customer), and the camera's staff model votes on its role.
Queue, waiting and counter-customer counts and visits then hold customers and the unsure (what the
model cannot tell is not silently dropped), staff are counted apart (``staff_count_sum``,
``staff_seconds``) and the unsure are counted too (``unsure_count_sum``). Verdicts live in memory and
are forgotten with their track.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cvmon.config.staff import StaffConfig
from cvmon.pipeline.people import TrackedPeople
from cvmon.staff import StaffModel, TrackRoles, torso_look
from cvmon.types import Image, ZoneKind
from cvmon.types.people import PersonRole
from cvmon.zones.geometry import Zone
from cvmon.zones.state import PersonInZone

CUSTOMER_KINDS = (ZoneKind.QUEUE, ZoneKind.WAITING, ZoneKind.COUNTER_CUSTOMER)


@dataclass(frozen=True, slots=True)
class RoleSplit:
    """One sample's people of the customer zones, split: who counts as a customer, and the others."""

    in_zones: dict[str, list[PersonInZone]]  # every zone's confirmed tracks, staff left out of customer zones
    staff: dict[str, int] = field(default_factory=dict)  # customer zone -> staff standing in it
    unsure: dict[str, int] = field(default_factory=dict)  # customer zone -> tracks whose role is unsure
    roles: dict[int, PersonRole] = field(default_factory=dict)  # every confirmed track's role now


class RoleStage:
    """A camera's staff model and its live tracks' votes (off unless ``staff.enabled``)."""

    def __init__(self, settings: StaffConfig | None, zones: list[Zone]) -> None:
        self.settings = settings or StaffConfig()
        self.enabled = self.settings.enabled
        self.roles = TrackRoles(self.settings, StaffModel(self.settings))
        self.staff_zones = {z.id for z in zones if z.kind.measures_staffing}
        self.customer_zones = {z.id for z in zones if z.kind in CUSTOMER_KINDS}

    def split(self, image: Image, people: TrackedPeople, wall_s: float, in_service: bool) -> RoleSplit:
        """Observe every confirmed track at wall time ``wall_s`` (Unix seconds: the staff model's fading
        clock) and split the customer zones' people by role; learning only in service hours."""
        if not self.enabled:
            return RoleSplit(people.in_zones)
        tracked = people.tracked
        assert tracked.tracker_id is not None
        where: dict[int, set[str]] = {}
        for zone_id, persons in people.in_zones.items():
            for person in persons:
                where.setdefault(person.track_id, set()).add(zone_id)
        roles: dict[int, PersonRole] = {}
        for i, tid in enumerate(int(v) for v in tracked.tracker_id):
            if tid < 0:
                continue
            zones = where.get(tid, set())
            verdict = self.roles.observe(
                tid,
                wall_s,
                torso_look(image, tracked.xyxy[i]),
                in_staff_zone=bool(zones & self.staff_zones),
                in_customer_zone=bool(zones & self.customer_zones),
                learn=in_service,
            )
            roles[tid] = verdict.role
        self.roles.forget(set(roles) | set(people.matched))
        in_zones: dict[str, list[PersonInZone]] = {}
        staff: dict[str, int] = {}
        unsure: dict[str, int] = {}
        for zone_id, persons in people.in_zones.items():
            if zone_id not in self.customer_zones:
                in_zones[zone_id] = persons
                continue
            kept = [p for p in persons if roles.get(p.track_id) is not PersonRole.STAFF]
            in_zones[zone_id] = kept
            staff[zone_id] = len(persons) - len(kept)
            unsure[zone_id] = sum(roles.get(p.track_id) is PersonRole.UNSURE for p in kept)
        return RoleSplit(in_zones, staff, unsure, roles)

    @property
    def retained(self) -> dict[str, int]:
        return {"role_tracks": len(self.roles)}


def customers_only(counts: dict[str, int], split: RoleSplit) -> dict[str, int]:
    """The zones' counts with the staff standing in customer zones taken out."""
    return {zone_id: max(0, n - split.staff.get(zone_id, 0)) for zone_id, n in counts.items()}

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

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Protocol

from cvmon.config.staff import StaffConfig
from cvmon.pipeline.people import TrackedPeople
from cvmon.staff import StaffModel, TrackRoles, torso_look
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.types import Image, ZoneKind
from cvmon.types.people import PersonRole
from cvmon.zones.geometry import Zone
from cvmon.zones.state import PersonInZone

CUSTOMER_KINDS = (ZoneKind.QUEUE, ZoneKind.WAITING, ZoneKind.COUNTER_CUSTOMER)
SAVE_EVERY_S = 300.0  # wall seconds between two saves of the staff model while it learns
CHECK_EVERY_S = 30.0  # wall seconds between two looks at whether an admin changed the stored model
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RoleSplit:
    """One sample's people of the customer zones, split: who counts as a customer, and the others."""

    in_zones: dict[str, list[PersonInZone]]  # every zone's confirmed tracks, staff left out of customer zones
    staff: dict[str, int] = field(default_factory=dict)  # customer zone -> staff standing in it
    unsure: dict[str, int] = field(default_factory=dict)  # customer zone -> tracks whose role is unsure
    roles: dict[int, PersonRole] = field(default_factory=dict)  # every confirmed track's role now


class ModelFile(Protocol):
    """Where a camera's staff model is kept: ``read`` gives (a version, e.g. the file's mtime, and the
    text) or None; ``write`` stores the text and gives its new version."""

    def read(self) -> tuple[int, str] | None: ...

    def write(self, text: str) -> int: ...


class StoredStaffModel:
    """A camera's staff model in its evidence folder (``EvidenceStore.staff_model_path``)."""

    def __init__(self, store: EvidenceStore, camera_id: str) -> None:
        self.store, self.camera_id = store, camera_id

    def read(self) -> tuple[int, str] | None:
        path = self.store.staff_model_path(self.camera_id)
        try:
            return path.stat().st_mtime_ns, path.read_text()
        except OSError:
            return None

    def write(self, text: str) -> int:
        self.store.write_staff_model(self.camera_id, text)
        return self.store.staff_model_path(self.camera_id).stat().st_mtime_ns


class RoleStage:
    """A camera's staff model and its live tracks' votes (off unless ``staff.enabled``)."""

    def __init__(self, settings: StaffConfig | None, zones: list[Zone]) -> None:
        self.settings = settings or StaffConfig()
        self.enabled = self.settings.enabled
        self.roles = TrackRoles(self.settings, StaffModel(self.settings))
        self.staff_zones = {z.id for z in zones if z.kind.measures_staffing}
        self.customer_zones = {z.id for z in zones if z.kind in CUSTOMER_KINDS}
        self.file: ModelFile | None = None
        self._version: int | None = None  # of the stored model this one was read from or written as
        self._saved_t: float | None = None
        self._checked_t: float | None = None

    def keep_in(self, file: ModelFile | None) -> None:
        """Start from the camera's stored staff model (none or unreadable: learn afresh, said in the log),
        save it every ``SAVE_EVERY_S`` and at the end, and take up an admin's change of it (examples
        confirmed in the viewer) within ``CHECK_EVERY_S``."""
        self.file = file
        if file is not None and self.enabled:
            self._load(file.read())

    def save(self) -> None:
        """Store the staff model (when it is kept and has learned anything)."""
        if self.file is not None and self.enabled and self.roles.model.staff_examples > 0:
            self._version = self.file.write(self.roles.model.to_json())

    def _load(self, found: tuple[int, str] | None) -> None:
        if found is None:
            return
        self._version = found[0]
        try:
            self.roles.model = StaffModel.from_json(found[1], self.settings)
        except ValueError as err:
            log.warning("staff model not read, learning afresh: %s", err)

    def _keep(self, wall_s: float) -> None:
        """Take up a stored model changed by someone else; save this one every ``SAVE_EVERY_S``."""
        if self.file is None:
            return
        if self._checked_t is None or wall_s - self._checked_t >= CHECK_EVERY_S:
            self._checked_t = wall_s
            found = self.file.read()
            if found is not None and found[0] != self._version:
                self._load(found)
        if self._saved_t is None:
            self._saved_t = wall_s
        elif wall_s - self._saved_t >= SAVE_EVERY_S:
            self._saved_t = wall_s
            self.save()

    def split(
        self, image: Image, people: TrackedPeople, wall_s: float, in_service: bool, live: Callable[[], Collection[int]]
    ) -> RoleSplit:
        """Observe every confirmed track at wall time ``wall_s`` (Unix seconds: the staff model's fading
        clock) and split the customer zones' people by role; learning only in service hours. Votes are
        forgotten only for ids the tracker no longer holds (``live()``, asked only when staff are recognised),
        not for a track missed one frame."""
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
        self.roles.forget(set(live()) | set(roles))  # a track lost for a moment keeps its votes
        self._keep(wall_s)
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

"""Rules: what each zone shows, as the rules need it, through the rule state machine; the alert
changes wait here until the runner takes them (``pop_changes``)."""

from __future__ import annotations

from datetime import datetime

from cvmon.alerts.rules import (
    AlertChange,
    RulesState,
    ZoneObservation,
    close_open_alerts,
    evaluate_camera_offline,
    evaluate_zone_rules,
)
from cvmon.config.models import CameraConfig, Config
from cvmon.pipeline.occupancy import ZoneStage
from cvmon.types import ZoneEvent, ZoneEventKind
from cvmon.zones.geometry import Zone


class AlertStage:
    """A camera's rule state and the changes not yet taken."""

    def __init__(self, config: Config, camera: CameraConfig, zones: list[Zone]) -> None:
        self.zones = zones
        self.zone_cfgs = {z.id: z for z in camera.zones}
        self.zone_rules = {z.id: config.rules_for(camera, z) for z in camera.zones}
        self.camera_rules = config.rules_for(camera)
        self.state = RulesState()
        self._pending: list[AlertChange] = []

    def on_sample(
        self,
        counts: dict[str, int],
        zones: ZoneStage,
        events: list[ZoneEvent],
        in_service: bool,
        t: float,
        wall: datetime,
    ) -> list[AlertChange]:
        """Advance every zone rule by one sample; returns this sample's changes (also kept for ``pop_changes``)."""
        observations = self._observations(counts, zones, events, t, wall)
        self.state, changes = evaluate_zone_rules(self.state, observations, self.zone_rules, in_service, t, wall)
        self._pending += changes
        return changes

    def tick(self, offline_since: datetime | None, now: datetime) -> list[AlertChange]:
        """The wall-clock rule (camera_offline), which must fire while no frame arrives."""
        self.state, changes = evaluate_camera_offline(self.state, offline_since, now, self.camera_rules)
        self._pending += changes
        return changes

    def close_all(self, wall: datetime) -> None:
        """Clear every open alert at ``wall`` (the end of a recording: nothing after it is known)."""
        self.state, changes = close_open_alerts(self.state, wall)
        self._pending += changes

    def add_changes(self, changes: list[AlertChange]) -> None:
        """Changes of rules run by another stage (the room's), handed out with these."""
        self._pending += changes

    def pop_changes(self) -> list[AlertChange]:
        """The changes since the last call."""
        changes, self._pending = self._pending, []
        return changes

    @property
    def retained(self) -> dict[str, int]:
        return {"rule_tracks": len(self.state.tracks), "alert_changes_pending": len(self._pending)}

    def _observations(
        self, counts: dict[str, int], zones: ZoneStage, events: list[ZoneEvent], t: float, wall: datetime
    ) -> dict[str, ZoneObservation]:
        """What the rules need of each zone now; a staff zone that was found unstaffed in this sample
        says since when (the moment it emptied, in video time)."""
        emptied = {e.zone_id: t - (wall - e.ts).total_seconds() for e in events if e.kind is ZoneEventKind.UNSTAFFED}
        out = {}
        for zone in self.zones:
            cfg = self.zone_cfgs[zone.id]
            customers = 0
            if cfg.counter is not None:
                customer_zone = self.zone_cfgs[cfg.counter]
                customers = counts.get(cfg.counter, 0)
                if customer_zone.queue is not None:
                    customers += counts.get(customer_zone.queue, 0)
            out[zone.id] = ZoneObservation(
                kind=zone.kind,
                count=counts[zone.id],
                capacity=zone.capacity,
                staffed=zones.state.staffed(zone.id) if zone.kind.measures_staffing else None,
                customers=customers,
                longest_wait_s=zones.longest_wait_s(zone.id) if zone.kind.measures_wait else None,
                unstaffed_since_t=emptied.get(zone.id),
            )
        return out

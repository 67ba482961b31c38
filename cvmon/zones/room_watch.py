"""Room readiness over time: a change counts once it has persisted (pure, state in and out).

A check's raw findings go through ``watch``: a region found changed is *confirmed* changed once it
has been found changed, in every check it was visible, for ``persist_s``; one found as its
reference starts over; one not visible keeps its timer (nobody can tell). A picture that cannot be
compared (lights off, camera moved, covered) is confirmed in the same way; until then the regions
count as not visible. So a passing shadow or a bag put down for a minute never counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from cvmon.types.room import RegionFinding, RegionStatus, RoomCondition, RoomFindings


@dataclass(frozen=True, slots=True)
class RoomWatch:
    """Since when (source seconds) each region has been found changed, and the picture's condition not OK."""

    changed_since: dict[str, float] = field(default_factory=dict)
    condition: RoomCondition = RoomCondition.OK
    condition_since: float | None = None


def watch(state: RoomWatch, found: RoomFindings, t: float, persist_s: float) -> tuple[RoomWatch, RoomFindings]:
    """The new state and the confirmed findings of a check at ``t``."""
    if found.condition is not RoomCondition.OK:
        since = state.condition_since if state.condition is found.condition else None
        since = t if since is None else since
        state = replace(state, condition=found.condition, condition_since=since)
        confirmed = found.condition if t - since >= persist_s else RoomCondition.OK
        hidden = tuple(RegionFinding(r.region_id, RegionStatus.NOT_VISIBLE) for r in found.regions)
        return state, RoomFindings(confirmed, found.match, found.shift_px, hidden)
    changed_since = dict(state.changed_since)
    regions = []
    for region in found.regions:
        if region.status is RegionStatus.CHANGED:
            since = changed_since.setdefault(region.region_id, t)
            regions.append(
                region if t - since >= persist_s else RegionFinding(region.region_id, RegionStatus.AS_REFERENCE)
            )
        elif region.status is RegionStatus.AS_REFERENCE:
            changed_since.pop(region.region_id, None)
            regions.append(region)
        else:
            regions.append(region)
    state = RoomWatch(changed_since)
    return state, RoomFindings(RoomCondition.OK, found.match, found.shift_px, tuple(regions))

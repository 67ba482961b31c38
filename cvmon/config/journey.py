"""A camera's journey in cameras.yaml: its zones in the order a customer is expected to pass them.

A journey is a list of steps. Each step names one or more zones of the camera (alternatives: a customer
passes the step in any one of them, e.g. the customer sides of every loket, or a queue and a waiting
room); a step is required unless it says ``required: false``. Zone kinds give the steps their meaning:

- ``entrance`` zones can only be in the **first** step: a customer first seen in one is an arrival; one
  first seen anywhere else joined mid-way (a track begun past the door, or a camera without the door).
- ``counter_customer`` zones in the **last** step are the counter: reaching one completes the journey
  (journey time: from the start of the arrival's entrance visit to the start of the counter visit).
  A ``counter_customer`` zone in an earlier step is a desk on the way (the guide desk's customer side,
  say). A journey whose last step is not a counter (a camera that sees the door but not the counters)
  counts no counter reached and no abandonment: the camera that sees the counters does.
- ``queue`` and ``waiting`` zones, in any step, count as waiting (queued, abandonment).
- ``post`` zones (the guard's area) and other desks are touchpoints on the way; ``counter_staff`` zones
  (the staff side) are never steps.

The guide desk is named by ``guide_desk``, the id of a zone in a step before the first queue or waiting
step and before the counter: the Pandu stands in a ``post`` zone, and where the customer stands in front
of the desk is either that post zone or a zone of its own. "Met at the door" is decided by ``door_post``,
a ``post`` zone (the Satpam's) that need not be a step: an arrival is met when that post is staffed as
the arrival is confirmed.

``required`` matters for the steps between where a journey was first seen and the furthest it reached:
a journey that reached a step past a required one it had not visited skipped it. Steps before where a
journey was first seen are not judged (the person may have passed them under another track id).

A touchpoint belongs to the journey of one camera only, so the figures of the cameras of an office add up
(the door camera's arrivals, the counter camera's customers served), without following anyone from one
camera to another.

Which zones exist and their kinds are checked with the whole camera (``cvmon.config.crossref`` calls
``journey_problems`` below); this model checks what it can alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field, model_validator

from cvmon.config.models import Identifier, StrictModel
from cvmon.types import ZoneKind

WAIT_KINDS = (ZoneKind.QUEUE, ZoneKind.WAITING)
"""Zone kinds whose visits count as waiting in a journey."""


class JourneyStep(StrictModel):
    """One touchpoint of a journey: the zones where a customer passes it."""

    zones: list[Identifier] = Field(
        min_length=1,
        description="Ids of this camera's zones where the step is passed; any one of them will do "
        "(e.g. every loket's customer side).",
    )
    required: bool = Field(
        default=True,
        description="Whether a customer is expected to pass this step; reaching a later step without it "
        "counts as skipping a required step.",
    )
    name: str | None = Field(default=None, max_length=200, description="Display name, e.g. Meja Pandu.")


class JourneyConfig(StrictModel):
    """The order in which a customer is expected to pass a camera's zones (see cvmon.config.journey)."""

    steps: list[JourneyStep] = Field(
        min_length=2,
        description="The steps in order: the entrance first, the counter (counter_customer zones) last; "
        "a camera that sees only part of the way lists the steps it sees.",
    )
    door_post: Identifier | None = Field(
        default=None,
        description="Id of the post zone (the guard's) whose staffing decides whether an arrival was met "
        "at the door; none: met at the door is not counted.",
    )
    guide_desk: Identifier | None = Field(
        default=None,
        description="Id of the zone, in a step before the first queue or waiting step, where a customer "
        "stands at the guide desk (Pandu); none: guided before queueing is not counted.",
    )
    abandon_min_s: float = Field(
        default=60.0,
        ge=0,
        description="Seconds a customer must have waited (in the journey's queue and waiting zones, "
        "summed) to count as abandoning when they leave without reaching a counter.",
    )
    timeout_s: float = Field(
        default=300.0,
        gt=0,
        description="Seconds after a customer last left a journey zone (with none still open) that an "
        "unfinished journey is closed: abandoned if they waited long enough, else just ended.",
    )

    @model_validator(mode="after")
    def _distinct_zones(self) -> JourneyConfig:
        seen: dict[str, int] = {}
        for i, step in enumerate(self.steps):
            for k, zone_id in enumerate(step.zones):
                if zone_id in seen:
                    raise ValueError(
                        f"steps[{i}].zones[{k}]: zone '{zone_id}' is already in steps[{seen[zone_id]}]; "
                        "a zone belongs to one step"
                    )
                seen[zone_id] = i
        if self.guide_desk is not None and self.guide_desk not in seen:
            raise ValueError(f"guide_desk: zone '{self.guide_desk}' is in no step of the journey")
        return self

    def step_of(self, zone_id: str) -> int | None:
        """The index of the step a zone belongs to (None: not in the journey)."""
        for i, step in enumerate(self.steps):
            if zone_id in step.zones:
                return i
        return None


def journey_problems(
    journey: JourneyConfig, kinds: Mapping[str, ZoneKind | None], path: str, camera_id: str
) -> list[str]:
    """What is wrong with a journey given its camera's zones (id -> kind; None: a zone whose kind is invalid,
    already reported), as ``"path: message"`` strings; ``path`` is the journey's, e.g. ``cameras[1].journey``."""
    problems: list[str] = []
    last = len(journey.steps) - 1
    first_wait: int | None = None
    last_kinds = {kinds.get(z) for z in journey.steps[last].zones}
    counter_last = ZoneKind.COUNTER_CUSTOMER in last_kinds
    for i, step in enumerate(journey.steps):
        for k, zone_id in enumerate(step.zones):
            where = f"{path}.steps[{i}].zones[{k}]"
            if zone_id not in kinds:
                problems.append(f"{where}: unknown zone '{zone_id}' in camera '{camera_id}'")
                continue
            kind = kinds[zone_id]
            if kind is None:
                continue
            if kind in WAIT_KINDS and first_wait is None:
                first_wait = i
            if kind is ZoneKind.COUNTER_STAFF:
                problems.append(
                    f"{where}: zone '{zone_id}' is the staff side of a counter; name its counter_customer zone"
                )
            elif i > 0 and kind is ZoneKind.ENTRANCE:
                problems.append(f"{where}: an entrance zone can only be in the first step")
            elif i == last and counter_last and kind is not ZoneKind.COUNTER_CUSTOMER:
                problems.append(
                    f"{where}: the last step is the counter (it has counter_customer zones); "
                    f"zone '{zone_id}' is a {kind.value} zone"
                )
    post = journey.door_post
    if post is not None and post not in kinds:
        problems.append(f"{path}.door_post: unknown zone '{post}' in camera '{camera_id}'")
    elif post is not None and (kind := kinds[post]) not in (None, ZoneKind.POST):
        problems.append(f"{path}.door_post: zone '{post}' is a {kind.value} zone, not a post")
    desk = journey.guide_desk
    if desk is not None and (kind := kinds.get(desk)) is not None:
        desk_step = journey.step_of(desk)
        if kind in (*WAIT_KINDS, ZoneKind.ENTRANCE):
            problems.append(f"{path}.guide_desk: zone '{desk}' is a {kind.value} zone, not a desk")
        elif desk_step is not None and (
            (first_wait is not None and desk_step >= first_wait) or (counter_last and desk_step == last)
        ):
            problems.append(
                f"{path}.guide_desk: the guide desk must be in a step before the first queue or waiting step "
                "and before the counter"
            )
    return problems

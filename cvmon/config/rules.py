"""Alert rules in cameras.yaml: defaults, per-unit, per-camera and per-zone overrides.

Two kinds of model per rule: the complete, typed settings a rule runs on (``QueueLong`` ...,
whose field defaults are the built-in values, gathered in ``Rules``), and the override layer
written in cameras.yaml (``QueueLongRule`` ...), where every field is optional (``None`` inherits)
and the JSON schema shows the built-in value as its default. ``merge_layers`` merges the layers in
order (built-in defaults, ``defaults.rules``, each unit from the root down, the camera, the zone).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

# -- the settings a rule runs on (built-in defaults) -------------------------------------------------


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueueLong(_Settings):
    """Settings of the long-queue rule."""

    enabled: bool = True
    threshold: int = Field(default=5, ge=1)
    for_s: float = Field(default=120.0, ge=0)
    clear_below: int = Field(default=3, ge=0)
    clear_for_s: float = Field(default=60.0, ge=0)


class Unstaffed(_Settings):
    """Settings of the counter_unstaffed and post_unstaffed rules."""

    enabled: bool = True
    for_s: float = Field(default=120.0, ge=0)
    only_when_customers: bool = True


class LongWait(_Settings):
    """Settings of the long-wait rule."""

    enabled: bool = True
    sla_s: float = Field(default=900.0, gt=0)


class OverCapacity(_Settings):
    """Settings of the over-capacity rule."""

    enabled: bool = True
    for_s: float = Field(default=60.0, ge=0)
    clear_for_s: float = Field(default=60.0, ge=0)


class CameraOffline(_Settings):
    """Settings of the camera-offline rule."""

    enabled: bool = True
    for_s: float = Field(default=60.0, ge=0)


class RoomRule(_Settings):
    """Settings of the room_not_ready and room_changed rules (their timing is the camera's ``room``)."""

    enabled: bool = True


class GreetingRateLow(_Settings):
    """Settings of the greeting_rate_low rule (staff zones of cameras that measure greetings)."""

    enabled: bool = True
    min_rate_pct: float = Field(default=80.0, gt=0, le=100)
    window_min: float = Field(default=240.0, gt=0)
    min_arrivals: int = Field(default=10, ge=1)


class AbandonmentHigh(_Settings):
    """Settings of the abandonment_high rule (cameras with a journey)."""

    enabled: bool = True
    max_share_pct: float = Field(default=20.0, gt=0, le=100)
    window_min: float = Field(default=60.0, gt=0)
    min_queued: int = Field(default=5, ge=1)


class DoorUnmet(_Settings):
    """Settings of the door_unmet rule (cameras whose journey names a door post)."""

    enabled: bool = True
    max_unmet: int = Field(default=3, ge=1)
    window_min: float = Field(default=60.0, gt=0)


class Rules(_Settings):
    """Complete rule settings for one zone (or one camera) after merging every layer; the field
    defaults are the built-in settings."""

    queue_long: QueueLong = QueueLong()
    counter_unstaffed: Unstaffed = Unstaffed()
    post_unstaffed: Unstaffed = Unstaffed(for_s=300.0, only_when_customers=False)
    long_wait: LongWait = LongWait()
    over_capacity: OverCapacity = OverCapacity()
    camera_offline: CameraOffline = CameraOffline()
    room_not_ready: RoomRule = RoomRule()
    room_changed: RoomRule = RoomRule()
    greeting_rate_low: GreetingRateLow = GreetingRateLow()
    abandonment_high: AbandonmentHigh = AbandonmentHigh()
    door_unmet: DoorUnmet = DoorUnmet()
    tolerance_s: float = Field(default=3.0, ge=0)
    escalate_after_s: float = Field(default=900.0, gt=0)


BUILT_IN = Rules()

# -- the override layers of cameras.yaml --------------------------------------------------------------


def _schema_defaults(built_in: BaseModel) -> Any:
    """A ``json_schema_extra`` that shows, for every optional field of a layer, the built-in value it
    inherits when no layer sets it."""

    def extra(schema: dict[str, Any]) -> None:
        for name, prop in schema.get("properties", {}).items():
            value = getattr(built_in, name, None)
            if value is not None and not isinstance(value, BaseModel):
                prop["default"] = value

    return extra


class _Layer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueueLongRule(_Layer):
    """A queue or waiting zone holds too many people for too long (with hysteresis)."""

    model_config = ConfigDict(json_schema_extra=_schema_defaults(BUILT_IN.queue_long))

    enabled: bool | None = Field(default=None, description="Whether the rule runs.")
    threshold: int | None = Field(default=None, ge=1, description="People at or above which the queue is long.")
    for_s: float | None = Field(default=None, ge=0, description="Seconds the queue must stay long before alerting.")
    clear_below: int | None = Field(default=None, ge=0, description="People below which the alert may clear.")
    clear_for_s: float | None = Field(default=None, ge=0, description="Seconds below clear_below before clearing.")

    @model_validator(mode="after")
    def _hysteresis(self) -> QueueLongRule:
        if self.threshold is not None and self.clear_below is not None and self.clear_below > self.threshold:
            raise ValueError("clear_below must not exceed threshold")
        return self


class UnstaffedRule(_Layer):
    """A counter (or post) is empty during service hours."""

    model_config = ConfigDict(json_schema_extra=_schema_defaults(BUILT_IN.counter_unstaffed))

    enabled: bool | None = Field(default=None, description="Whether the rule runs.")
    for_s: float | None = Field(
        default=None, ge=0, description="Seconds unstaffed, counted from when the zone emptied, before alerting."
    )
    only_when_customers: bool | None = Field(
        default=None,
        description="Counters only: alert only while the counter's customer zone or its queue holds someone.",
    )


class PostUnstaffedRule(UnstaffedRule):
    """A security or guide post is empty during service hours."""

    model_config = ConfigDict(json_schema_extra=_schema_defaults(BUILT_IN.post_unstaffed))


class LongWaitRule(_Layer):
    """A visit in a queue or waiting zone lasts longer than the service level."""

    model_config = ConfigDict(json_schema_extra=_schema_defaults(BUILT_IN.long_wait))

    enabled: bool | None = Field(default=None, description="Whether the rule runs.")
    sla_s: float | None = Field(default=None, gt=0, description="Longest acceptable wait in seconds.")


class OverCapacityRule(_Layer):
    """A zone holds more people than its capacity."""

    model_config = ConfigDict(json_schema_extra=_schema_defaults(BUILT_IN.over_capacity))

    enabled: bool | None = Field(default=None, description="Whether the rule runs (zones with a capacity).")
    for_s: float | None = Field(default=None, ge=0, description="Seconds over capacity before alerting.")
    clear_for_s: float | None = Field(default=None, ge=0, description="Seconds at or under capacity before clearing.")


class CameraOfflineRule(_Layer):
    """A camera sends no frames."""

    model_config = ConfigDict(json_schema_extra=_schema_defaults(BUILT_IN.camera_offline))

    enabled: bool | None = Field(default=None, description="Whether the rule runs.")
    for_s: float | None = Field(default=None, ge=0, description="Seconds without frames before alerting.")


class RoomRuleLayer(_Layer):
    """The room is not as its reference: at opening (room_not_ready) or during service hours (room_changed)."""

    enabled: bool | None = Field(default=None, description="Whether the rule runs (cameras with a room reference).")


class GreetingRateLowRule(_Layer):
    """Too few of a counter's or post's arriving customers were greeted over a shift."""

    model_config = ConfigDict(json_schema_extra=_schema_defaults(BUILT_IN.greeting_rate_low))

    enabled: bool | None = Field(default=None, description="Whether the rule runs (cameras measuring greetings).")
    min_rate_pct: float | None = Field(
        default=None, gt=0, le=100, description="Share of judged arrivals greeted (%) below which the rule alerts."
    )
    window_min: float | None = Field(
        default=None, gt=0, description="Minutes of arrivals the share is taken over (a shift)."
    )
    min_arrivals: int | None = Field(
        default=None, ge=1, description="Judged arrivals (greeted or not; not visible left out) the window needs first."
    )


class AbandonmentHighRule(_Layer):
    """Too many of the customers who queued left without reaching a counter."""

    model_config = ConfigDict(json_schema_extra=_schema_defaults(BUILT_IN.abandonment_high))

    enabled: bool | None = Field(default=None, description="Whether the rule runs (cameras with a journey).")
    max_share_pct: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="Share of the customers who queued (%) that left, at or above which it alerts.",
    )
    window_min: float | None = Field(default=None, gt=0, description="Minutes the share is taken over.")
    min_queued: int | None = Field(default=None, ge=1, description="Customers who queued the window needs first.")


class DoorUnmetRule(_Layer):
    """Customers arrived at the entrance while the door's post (the guard) was empty."""

    model_config = ConfigDict(json_schema_extra=_schema_defaults(BUILT_IN.door_unmet))

    enabled: bool | None = Field(default=None, description="Whether the rule runs (journeys with a door_post).")
    max_unmet: int | None = Field(
        default=None, ge=1, description="Arrivals not met at the door within the window at which it alerts."
    )
    window_min: float | None = Field(default=None, gt=0, description="Minutes the arrivals are counted over.")


class RulesConfig(_Layer):
    """Alert rules; each layer overrides only what it sets."""

    model_config = ConfigDict(json_schema_extra=_schema_defaults(BUILT_IN))

    queue_long: QueueLongRule | None = Field(default=None, description="Long queue.")
    counter_unstaffed: UnstaffedRule | None = Field(default=None, description="Counter without staff.")
    post_unstaffed: PostUnstaffedRule | None = Field(default=None, description="Security or guide post without staff.")
    long_wait: LongWaitRule | None = Field(default=None, description="Wait longer than the service level.")
    over_capacity: OverCapacityRule | None = Field(default=None, description="Zone over its capacity.")
    camera_offline: CameraOfflineRule | None = Field(default=None, description="Camera sending no frames.")
    room_not_ready: RoomRuleLayer | None = Field(
        default=None, description="The room not as its reference when service opens."
    )
    room_changed: RoomRuleLayer | None = Field(
        default=None, description="A region of the room changed, for long enough, during service hours."
    )
    greeting_rate_low: GreetingRateLowRule | None = Field(
        default=None, description="Too few arriving customers greeted over a shift (PS4)."
    )
    abandonment_high: AbandonmentHighRule | None = Field(
        default=None, description="Too many customers left the queue without being served."
    )
    door_unmet: DoorUnmetRule | None = Field(default=None, description="Arrivals while the door's post was empty.")
    tolerance_s: float | None = Field(
        default=None,
        ge=0,
        description="Dips shorter than this (detector flicker) do not restart or stop a rule's timer.",
    )
    escalate_after_s: float | None = Field(
        default=None, gt=0, description="An alert not acknowledged within this is escalated to the parent unit."
    )


def merge_layers(layers: list[RulesConfig | None]) -> Rules:
    """Built-in defaults overridden by each layer in turn (later layers win)."""
    merged: dict[str, Any] = BUILT_IN.model_dump()
    for layer in layers:
        if layer is None:
            continue
        for key, value in layer.model_dump(exclude_none=True).items():
            if isinstance(value, dict):
                merged[key].update(value)
            else:
                merged[key] = value
    queue = merged["queue_long"]
    queue["clear_below"] = min(queue["clear_below"], queue["threshold"])  # a lowered threshold pulls it along
    return Rules.model_validate(merged)

"""Alert rules in cameras.yaml: defaults, per-unit, per-camera and per-zone overrides.

Every layer holds only what it changes (``None`` inherits). ``resolve_rules`` merges the layers
in order (built-in defaults, ``defaults.rules``, each unit from the root down, the camera, the
zone) into complete settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Layer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueueLongRule(_Layer):
    """A queue or waiting zone holds too many people for too long (with hysteresis)."""

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

    enabled: bool | None = Field(default=None, description="Whether the rule runs.")
    for_s: float | None = Field(default=None, ge=0, description="Seconds unstaffed (after the grace) before alerting.")
    only_when_customers: bool | None = Field(
        default=None,
        description="Counters only: alert only while the counter's customer zone or its queue holds someone.",
    )


class LongWaitRule(_Layer):
    """A visit in a queue or waiting zone lasts longer than the service level."""

    enabled: bool | None = Field(default=None, description="Whether the rule runs.")
    sla_s: float | None = Field(default=None, gt=0, description="Longest acceptable wait in seconds.")


class OverCapacityRule(_Layer):
    """A zone holds more people than its capacity."""

    enabled: bool | None = Field(default=None, description="Whether the rule runs (zones with a capacity).")
    for_s: float | None = Field(default=None, ge=0, description="Seconds over capacity before alerting.")
    clear_for_s: float | None = Field(default=None, ge=0, description="Seconds at or under capacity before clearing.")


class CameraOfflineRule(_Layer):
    """A camera sends no frames."""

    enabled: bool | None = Field(default=None, description="Whether the rule runs.")
    for_s: float | None = Field(default=None, ge=0, description="Seconds without frames before alerting.")


class RulesConfig(_Layer):
    """Alert rules; each layer overrides only what it sets."""

    queue_long: QueueLongRule | None = Field(default=None, description="Long queue.")
    counter_unstaffed: UnstaffedRule | None = Field(default=None, description="Counter without staff.")
    post_unstaffed: UnstaffedRule | None = Field(default=None, description="Security or guide post without staff.")
    long_wait: LongWaitRule | None = Field(default=None, description="Wait longer than the service level.")
    over_capacity: OverCapacityRule | None = Field(default=None, description="Zone over its capacity.")
    camera_offline: CameraOfflineRule | None = Field(default=None, description="Camera sending no frames.")
    tolerance_s: float | None = Field(
        default=None,
        ge=0,
        description="Dips shorter than this (detector flicker) do not restart or stop a rule's timer.",
    )
    escalate_after_s: float | None = Field(
        default=None, gt=0, description="An alert not acknowledged within this is escalated to the parent unit."
    )


BUILT_IN: dict[str, Any] = {
    "queue_long": {"enabled": True, "threshold": 5, "for_s": 120.0, "clear_below": 3, "clear_for_s": 60.0},
    "counter_unstaffed": {"enabled": True, "for_s": 120.0, "only_when_customers": True},
    "post_unstaffed": {"enabled": True, "for_s": 300.0, "only_when_customers": False},
    "long_wait": {"enabled": True, "sla_s": 900.0},
    "over_capacity": {"enabled": True, "for_s": 60.0, "clear_for_s": 60.0},
    "camera_offline": {"enabled": True, "for_s": 60.0},
    "tolerance_s": 3.0,
    "escalate_after_s": 900.0,
}


@dataclass(frozen=True, slots=True)
class ResolvedRules:
    """Complete rule settings for one zone (or one camera) after merging every layer."""

    queue_long: dict[str, Any]
    counter_unstaffed: dict[str, Any]
    post_unstaffed: dict[str, Any]
    long_wait: dict[str, Any]
    over_capacity: dict[str, Any]
    camera_offline: dict[str, Any]
    tolerance_s: float
    escalate_after_s: float


def merge_layers(layers: list[RulesConfig | None]) -> ResolvedRules:
    """Built-in defaults overridden by each layer in turn (later layers win)."""
    merged: dict[str, Any] = {k: dict(v) if isinstance(v, dict) else v for k, v in BUILT_IN.items()}
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
    return ResolvedRules(**merged)

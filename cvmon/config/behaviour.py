"""Service behaviour in cameras.yaml: the PS4 greeting at counters and the door, measured by pose (opt-in)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from cvmon.config.models import Identifier, Point, StrictModel, _check_polygon
from cvmon.config.pose import GreetingConfig, GreetingReferenceConfig, PoseConfig


class DoorConfig(StrictModel):
    """An entrance whose arrivals the staff of a post (the guard, the guide desk) should greet."""

    entrance: Identifier = Field(description="Id of the entrance zone (same camera).")
    post: Identifier = Field(description="Id of the post zone whose staff greet the arrivals while it is staffed.")


class SeatConfig(StrictModel):
    """Where a counter's customer sits down (the chair in front of the loket)."""

    counter: Identifier = Field(description="Id of the counter_customer zone the seat belongs to (same camera).")
    points: list[Point] = Field(
        description="Polygon of the floor under the chair, relative 0..1, at least 3 points: a customer whose feet "
        "stay in it sat down."
    )

    @field_validator("points")
    @classmethod
    def _polygon(cls, value: list[Point]) -> list[Point]:
        return _check_polygon(value)


class BehaviourConfig(StrictModel):
    """Whether the staff greeted each arriving customer (hand on chest and a bow), and whether the customer
    sat down. Off unless enabled: pose runs only on people in counter_staff and post zones, only while a
    customer may be arriving, and nothing but per-minute counts is kept."""

    enabled: bool = Field(default=False, description="Measure greetings on this camera (opt-in; see /privacy).")
    pose: PoseConfig = Field(default_factory=PoseConfig, description="The pose model run on staff crops.")
    greeting: GreetingConfig = Field(default_factory=GreetingConfig, description="How a greeting is recognised.")
    reference: GreetingReferenceConfig = Field(
        default_factory=GreetingReferenceConfig,
        description="How a staff zone's reference greeting (`cvmon greeting reference`) is learned and matched; "
        "a zone without one is judged by the rules of `greeting`.",
    )
    pose_hz: float = Field(
        default=5.0,
        gt=0,
        le=30,
        description="Most pose estimates per second per staff member while a customer steps into the counter or "
        "entrance zone and until their arrival is judged; never more than the analysed frames.",
    )
    idle_hz: float = Field(
        default=2.0,
        ge=0,
        le=30,
        description="Pose estimates per second per staff member while anyone else is in view (their upright "
        "posture before an arrival); 0: none, and an arrival then often ends as not visible.",
    )
    doors: list[DoorConfig] = Field(
        default=[], description="Entrances whose arrivals a post's staff greet; counters are judged without this."
    )
    seats: list[SeatConfig] = Field(default=[], description="Seats in front of counters (invited to sit).")
    seated_within_s: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="Seconds after arriving at a counter within which a customer who sits down counts as seated.",
    )
    seated_min_s: float = Field(
        default=3.0, gt=0, le=120, description="Seconds the customer's feet must stay in the seat polygon."
    )
    missed_evidence: bool = Field(
        default=False,
        description="Keep a snapshot of each missed greeting for coaching: everyone pixelated, only the staff "
        "side's skeleton drawn (same audit and retention as other evidence).",
    )

    @model_validator(mode="after")
    def _unique(self) -> BehaviourConfig:
        seen: set[str] = set()
        for i, door in enumerate(self.doors):
            if door.entrance in seen:
                raise ValueError(f"doors[{i}].entrance: entrance '{door.entrance}' appears twice")
            seen.add(door.entrance)
        counters: set[str] = set()
        for i, seat in enumerate(self.seats):
            if seat.counter in counters:
                raise ValueError(f"seats[{i}].counter: counter '{seat.counter}' has two seats")
            counters.add(seat.counter)
        return self

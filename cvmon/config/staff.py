"""Settings of staff recognition by appearance (issue 17, item 1): the camera's staff model and the
per-track vote. Not yet part of cameras.yaml: the pipeline does not classify staff yet.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from cvmon.config.models import StrictModel


class StaffConfig(StrictModel):
    """How a camera learns its staff's look (from people standing in staff zones) and how each track is
    voted staff, customer or unsure."""

    enabled: bool = Field(default=False, description="Whether tracks are classified staff or customer.")
    standing_s: float = Field(
        default=10.0,
        ge=0,
        le=600,
        description="Seconds a track stands in a counter_staff or post zone before it is staff and teaches the model.",
    )
    example_every_s: float = Field(
        default=5.0, ge=0, le=3600, description="Least seconds between two examples one track gives the model."
    )
    min_examples: float = Field(
        default=60.0,
        gt=0,
        description="Weighted, faded staff examples the model needs before it classifies anyone; until then unsure.",
    )
    admin_weight: float = Field(
        default=10.0, gt=0, le=1000, description="Weight of an example an admin confirmed, in automatic examples."
    )
    half_life_h: float = Field(
        default=72.0,
        gt=0,
        description="Hours after which an example counts half (the model follows new uniforms and lighting).",
    )
    learning_rate: float = Field(
        default=0.02,
        gt=0,
        le=1,
        description="Least share by which one example moves its cluster's centre (it keeps following the lighting).",
    )
    max_staff_clusters: int = Field(
        default=4, ge=1, le=16, description="Distinct staff looks kept (e.g. a guard's and a frontliner's uniform)."
    )
    max_customer_clusters: int = Field(
        default=8, ge=1, le=32, description="Distinct looks kept of people in customer zones (the contrast)."
    )
    min_cluster_share: float = Field(
        default=0.1,
        gt=0,
        lt=1,
        description="Least share of the staff examples a staff look needs before it counts (one odd example does not).",
    )
    min_spread: float = Field(
        default=0.08,
        gt=0,
        lt=1,
        description="Least spread (Hellinger distance) of a look's cluster: how much one look varies frame to frame.",
    )
    max_spread: float = Field(
        default=0.15,
        gt=0,
        lt=1,
        description="Greatest spread of a cluster, so one that absorbed varied looks does not swallow everyone.",
    )
    outlier_z: float = Field(
        default=3.0,
        gt=0,
        le=10,
        description="Spreads from a staff look at which a look with no customer look near it scores 0.5.",
    )
    staff_vote: float = Field(
        default=0.7, gt=0.5, lt=1, description="Staff score at or above which a sighting votes staff."
    )
    customer_vote: float = Field(
        default=0.3, gt=0, lt=0.5, description="Staff score at or below which a sighting votes customer."
    )
    vote_every_s: float = Field(
        default=0.5, ge=0, le=60, description="Least seconds between two votes of one track (any frame rate)."
    )
    min_votes: int = Field(default=3, ge=1, description="Votes a track needs before it is staff or customer.")
    min_confidence: float = Field(
        default=0.75,
        gt=0.5,
        lt=1,
        description="Confidence ((votes for + 1) / (votes + 2)) a track's role needs; below it the track is unsure.",
    )
    max_votes: int = Field(
        default=120,
        ge=2,
        description="Votes a track keeps; beyond, the older ones are scaled down so recent sightings still count.",
    )
    max_tracks: int = Field(default=256, ge=1, description="Tracks held before those unseen longest are forgotten.")
    forget_after_s: float = Field(
        default=60.0, ge=0, description="Seconds unseen after which a track may be forgotten when memory is full."
    )

    @model_validator(mode="after")
    def _ordered(self) -> StaffConfig:
        if self.min_spread > self.max_spread:
            raise ValueError("min_spread must not exceed max_spread")
        return self

"""Room readiness in cameras.yaml: the regions of a camera's room that matter, and when it is checked."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from cvmon.config.models import Identifier, Point, StrictModel, _check_polygon


class RoomRegionConfig(StrictModel):
    """A part of the room compared with the reference on its own (chairs, a counter, a board)."""

    id: Identifier = Field(description="Id of the region, unique within its camera, e.g. kursi-tunggu.")
    name: str | None = Field(default=None, description="Display name, e.g. Kursi tunggu, Meja loket 1.")
    points: list[Point] = Field(description="Polygon in relative 0..1 coordinates, at least 3 points.")

    @field_validator("points")
    @classmethod
    def _polygon(cls, value: list[Point]) -> list[Point]:
        return _check_polygon(value)


class RoomConfig(StrictModel):
    """Whether the room looks as its reference (set in the viewer or with `cvmon room reference`)."""

    enabled: bool = Field(default=True, description="Whether the camera's room is checked (once it has a reference).")
    regions: list[RoomRegionConfig] = Field(
        default=[], description="Regions judged one by one; none: the whole picture is one region, room."
    )
    opening_check_min: float = Field(
        default=30, ge=0, le=600, description="Minutes before the day's first service hour the opening check starts."
    )
    every_s: float = Field(
        default=60, ge=5, description="Seconds between two checks while the room is empty enough (no one in a region)."
    )
    persist_s: float = Field(
        default=300,
        ge=0,
        description="Seconds a change must persist before it counts (a passing shadow, a bag put down briefly do not).",
    )
    width: int = Field(default=320, ge=64, le=1280, description="Pixels across the compared pictures.")
    sensitivity: float = Field(
        default=0.45,
        gt=0,
        lt=1,
        description="Structural similarity below which a pixel may have changed; higher finds fainter changes.",
    )
    min_area: float = Field(
        default=0.002, gt=0, lt=1, description="Least share of the picture a changed area covers to count."
    )

    @model_validator(mode="after")
    def _unique_regions(self) -> RoomConfig:
        seen: set[str] = set()
        for i, region in enumerate(self.regions):
            if region.id in seen:
                raise ValueError(f"regions[{i}].id: region '{region.id}' appears twice")
            seen.add(region.id)
        return self

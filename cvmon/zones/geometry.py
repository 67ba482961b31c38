"""Zone polygons and which detections stand in them (by the bottom-centre of each box)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from cvmon.config.models import ZoneConfig
from cvmon.types import Detections, ZoneKind


@dataclass(frozen=True, slots=True)
class Zone:
    """A zone ready for fast point-in-polygon tests, in relative image coordinates."""

    id: str
    kind: ZoneKind
    polygon: shapely.Polygon
    capacity: int | None = None
    queue: str | None = None

    @classmethod
    def from_config(cls, cfg: ZoneConfig) -> Zone:
        polygon = shapely.Polygon(cfg.points)
        shapely.prepare(polygon)
        return cls(cfg.id, cfg.kind, polygon, cfg.capacity, cfg.queue)

    def contains(self, points: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
        """Which relative points (N, 2) lie inside the zone."""
        if len(points) == 0:
            return np.zeros(0, dtype=bool)
        return np.asarray(shapely.contains_xy(self.polygon, points[:, 0], points[:, 1]), dtype=bool)

    def entry_fraction(self, outside: tuple[float, float], inside: tuple[float, float]) -> float | None:
        """How far (0..1) along the straight step from a point outside the zone to one inside it the zone's
        edge is crossed (the last crossing: the one into the zone); None when the step does not cross it."""
        line = shapely.LineString([outside, inside])
        if line.length == 0:
            return None
        hit = line.intersection(self.polygon.exterior)
        parts = shapely.get_parts(hit)
        points = [g for g in parts if isinstance(g, shapely.Point)]
        points += [shapely.Point(c) for g in parts if isinstance(g, shapely.LineString) for c in g.coords]
        if not points:
            return None
        return max(float(line.project(point, normalized=True)) for point in points)


def relative_feet(detections: Detections, width: int, height: int) -> npt.NDArray[np.float32]:
    """Bottom-centre points of the boxes in relative 0..1 coordinates."""
    feet = detections.bottom_centres()
    if len(feet) == 0:
        return feet.reshape(0, 2)
    return (feet / np.array([width, height], dtype=np.float32)).astype(np.float32)


def membership(zones: list[Zone], detections: Detections, width: int, height: int) -> dict[str, npt.NDArray[np.bool_]]:
    """For each zone id, a mask over the detections standing in it."""
    feet = relative_feet(detections, width, height)
    return {zone.id: zone.contains(feet) for zone in zones}

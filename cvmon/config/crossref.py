"""Checks that need the whole configuration: ids that refer to other ids.

Each check returns problems as ``"path: message"`` strings; ``check_cross_references`` raises one
ValueError listing all of them, which the loader prints one per line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from cvmon.types import ZoneKind

if TYPE_CHECKING:
    from cvmon.config.models import Config

CROSSREF_MARKER = "cross-reference problems:"
T = TypeVar("T")


def duplicate_ids(config: Config) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    for i, unit in _present(config.units):
        if unit.id in seen:
            problems.append(f"units[{i}].id: duplicate unit id '{unit.id}' (also units[{seen[unit.id]}])")
        seen.setdefault(unit.id, i)
    seen = {}
    for i, cam in _present(config.cameras):
        if cam.id in seen:
            problems.append(f"cameras[{i}].id: duplicate camera id '{cam.id}' (also cameras[{seen[cam.id]}])")
        seen.setdefault(cam.id, i)
        zone_seen: dict[str, int] = {}
        for j, zone in _present(cam.zones):
            if zone.id in zone_seen:
                problems.append(f"cameras[{i}].zones[{j}].id: duplicate zone id '{zone.id}' in camera '{cam.id}'")
            zone_seen.setdefault(zone.id, j)
    return problems


def unit_parents(config: Config) -> list[str]:
    """Every parent exists and the tree has no cycle."""
    ids = {u.id: u for _, u in _present(config.units)}
    problems = []
    for i, unit in _present(config.units):
        if unit.parent is not None and unit.parent not in ids:
            problems.append(f"units[{i}].parent: unknown unit '{unit.parent}'")
            continue
        seen = {unit.id}
        node = unit
        while node.parent is not None and node.parent in ids:
            if node.parent in seen:
                problems.append(f"units[{i}].parent: the unit tree has a cycle through '{unit.id}'")
                break
            seen.add(node.parent)
            node = ids[node.parent]
    return problems


def camera_units(config: Config) -> list[str]:
    ids = {u.id for _, u in _present(config.units)}
    return [
        f"cameras[{i}].unit: unknown unit '{cam.unit}' (known: {', '.join(sorted(ids))})"
        for i, cam in _present(config.cameras)
        if cam.unit not in ids
    ]


def zone_links(config: Config) -> list[str]:
    """A counter's queue link names a queue/waiting zone; a staff zone's counter names a customer zone."""
    problems = []
    counters = (ZoneKind.COUNTER_STAFF, ZoneKind.COUNTER_CUSTOMER)
    for i, cam in _present(config.cameras):
        kinds = {z.id: z.kind for _, z in _present(cam.zones)}
        for j, zone in _present(cam.zones):
            path = f"cameras[{i}].zones[{j}]"
            if zone.kind is None:  # invalid kind, already reported
                continue
            if zone.queue is not None:
                if zone.kind not in counters:
                    problems.append(
                        f"{path}.queue: only counter zones link to a queue (this is a {zone.kind.value} zone)"
                    )
                elif zone.queue not in kinds:
                    problems.append(f"{path}.queue: unknown zone '{zone.queue}' in camera '{cam.id}'")
                elif kinds[zone.queue] is not None and not kinds[zone.queue].measures_wait:
                    problems.append(
                        f"{path}.queue: zone '{zone.queue}' is a {kinds[zone.queue].value} zone, not queue or waiting"
                    )
            if zone.counter is not None:
                if zone.kind is not ZoneKind.COUNTER_STAFF:
                    problems.append(f"{path}.counter: only counter_staff zones link to a counter")
                elif zone.counter not in kinds:
                    problems.append(f"{path}.counter: unknown zone '{zone.counter}' in camera '{cam.id}'")
                elif kinds[zone.counter] not in (None, ZoneKind.COUNTER_CUSTOMER):
                    problems.append(f"{path}.counter: zone '{zone.counter}' is not a counter_customer zone")
            if zone.capacity is not None and zone.kind.measures_staffing:
                problems.append(f"{path}.capacity: staff zones have no capacity")
    return problems


def behaviour_links(config: Config) -> list[str]:
    """A door pairs an entrance zone with a post zone; a seat belongs to a counter_customer zone."""
    problems = []
    for i, cam in _present(config.cameras):
        behaviour = getattr(cam, "behaviour", None)
        if behaviour is None:
            continue
        kinds = {z.id: z.kind for _, z in _present(cam.zones)}
        wanted = [
            (f"cameras[{i}].behaviour.doors[{j}].{field}", zone_id, kind)
            for j, door in enumerate(behaviour.doors)
            for field, zone_id, kind in (
                ("entrance", door.entrance, ZoneKind.ENTRANCE),
                ("post", door.post, ZoneKind.POST),
            )
        ] + [
            (f"cameras[{i}].behaviour.seats[{j}].counter", seat.counter, ZoneKind.COUNTER_CUSTOMER)
            for j, seat in enumerate(behaviour.seats)
        ]
        for path, zone_id, kind in wanted:
            if zone_id not in kinds:
                problems.append(f"{path}: unknown zone '{zone_id}' in camera '{cam.id}'")
            elif kinds[zone_id] not in (None, kind):
                problems.append(f"{path}: zone '{zone_id}' is not a {kind.value} zone")
    return problems


def journey_steps(config: Config) -> list[str]:
    """A camera's journey names its own zones, each of a kind that fits its step (``cvmon.config.journey``)."""
    from cvmon.config.journey import journey_problems

    problems = []
    for i, cam in _present(config.cameras):
        journey = getattr(cam, "journey", None)
        if journey is not None:
            kinds = {z.id: z.kind for _, z in _present(cam.zones)}
            problems += journey_problems(journey, kinds, f"cameras[{i}].journey", cam.id)
    return problems


def _present(items: Sequence[T | None]) -> list[tuple[int, T]]:
    """Items with their index, leaving out entries that failed validation (None)."""
    return [(i, item) for i, item in enumerate(items) if item is not None]


CHECKS = (duplicate_ids, unit_parents, camera_units, zone_links, behaviour_links, journey_steps)


def check_cross_references(config: Config) -> None:
    """Raise ValueError listing every cross-reference problem, one ``path: message`` per line."""
    problems = [p for check in CHECKS for p in check(config)]
    if problems:
        raise ValueError(CROSSREF_MARKER + "\n" + "\n".join(problems))


def partial_cross_reference_problems(data: dict[str, Any]) -> list[str]:
    """Cross-reference problems of a configuration whose fields are not all valid.

    Each unit, camera and zone that fails validation is stood in for by its raw ids (id, unit,
    parent, kind, queue, counter) when those are usable, so that one run of `config check` reports
    every problem without inventing follow-on errors.
    """
    from cvmon.config.models import CameraConfig, Config, UnitConfig, ZoneConfig

    def text(raw: dict[str, Any], key: str) -> str | None:
        value = raw.get(key)
        return value if isinstance(value, str) else None

    def unit(raw: Any) -> UnitConfig | None:
        try:
            return UnitConfig.model_validate(raw)
        except ValueError:
            if not isinstance(raw, dict) or text(raw, "id") is None:
                return None
            return UnitConfig.model_construct(id=raw["id"], parent=None)

    def zone(raw: Any) -> ZoneConfig | None:
        try:
            return ZoneConfig.model_validate(raw)
        except ValueError:
            if not isinstance(raw, dict) or text(raw, "id") is None:
                return None
            kind = raw.get("kind")
            valid_kind = kind if kind in {k.value for k in ZoneKind} else None
            return ZoneConfig.model_construct(
                id=raw["id"],
                kind=ZoneKind(valid_kind) if valid_kind else None,
                queue=text(raw, "queue"),
                counter=text(raw, "counter"),
                capacity=None,
            )

    def camera(raw: Any) -> CameraConfig | None:
        try:
            return CameraConfig.model_validate(raw)
        except ValueError:
            if not isinstance(raw, dict) or text(raw, "id") is None or text(raw, "unit") is None:
                return None
            raw_zones = raw.get("zones")
            zones: list[Any] = raw_zones if isinstance(raw_zones, list) else []
            return CameraConfig.model_construct(id=raw["id"], unit=raw["unit"], zones=[zone(z) for z in zones])

    raw_units, raw_cameras = data.get("units"), data.get("cameras")
    units: list[Any] = raw_units if isinstance(raw_units, list) else []
    cameras: list[Any] = raw_cameras if isinstance(raw_cameras, list) else []
    partial = Config.model_construct(units=[unit(u) for u in units], cameras=[camera(c) for c in cameras])
    return [p for check in CHECKS for p in check(partial)]

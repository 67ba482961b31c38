"""Checks that need the whole configuration: ids that refer to other ids.

Each check returns problems as ``"path: message"`` strings; ``check_cross_references`` raises one
ValueError listing all of them, which the loader prints one per line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cvmon.types import ZoneKind

if TYPE_CHECKING:
    from cvmon.config.models import Config

CROSSREF_MARKER = "cross-reference problems:"


def duplicate_ids(config: Config) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    for i, unit in enumerate(config.units):
        if unit.id in seen:
            problems.append(f"units[{i}].id: duplicate unit id '{unit.id}' (also units[{seen[unit.id]}])")
        seen.setdefault(unit.id, i)
    seen = {}
    for i, cam in enumerate(config.cameras):
        if cam.id in seen:
            problems.append(f"cameras[{i}].id: duplicate camera id '{cam.id}' (also cameras[{seen[cam.id]}])")
        seen.setdefault(cam.id, i)
        zone_seen: dict[str, int] = {}
        for j, zone in enumerate(cam.zones):
            if zone.id in zone_seen:
                problems.append(f"cameras[{i}].zones[{j}].id: duplicate zone id '{zone.id}' in camera '{cam.id}'")
            zone_seen.setdefault(zone.id, j)
    return problems


def unit_parents(config: Config) -> list[str]:
    """Every parent exists and the tree has no cycle."""
    ids = {u.id: u for u in config.units}
    problems = []
    for i, unit in enumerate(config.units):
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
    ids = {u.id for u in config.units}
    return [
        f"cameras[{i}].unit: unknown unit '{cam.unit}' (known: {', '.join(sorted(ids))})"
        for i, cam in enumerate(config.cameras)
        if cam.unit not in ids
    ]


def zone_links(config: Config) -> list[str]:
    """A counter's queue link names a queue/waiting zone; a staff zone's counter names a customer zone."""
    problems = []
    counters = (ZoneKind.COUNTER_STAFF, ZoneKind.COUNTER_CUSTOMER)
    for i, cam in enumerate(config.cameras):
        kinds = {z.id: z.kind for z in cam.zones}
        for j, zone in enumerate(cam.zones):
            path = f"cameras[{i}].zones[{j}]"
            if zone.queue is not None:
                if zone.kind not in counters:
                    problems.append(
                        f"{path}.queue: only counter zones link to a queue (this is a {zone.kind.value} zone)"
                    )
                elif zone.queue not in kinds:
                    problems.append(f"{path}.queue: unknown zone '{zone.queue}' in camera '{cam.id}'")
                elif not kinds[zone.queue].measures_wait:
                    problems.append(
                        f"{path}.queue: zone '{zone.queue}' is a {kinds[zone.queue].value} zone, not queue or waiting"
                    )
            if zone.counter is not None:
                if zone.kind is not ZoneKind.COUNTER_STAFF:
                    problems.append(f"{path}.counter: only counter_staff zones link to a counter")
                elif zone.counter not in kinds:
                    problems.append(f"{path}.counter: unknown zone '{zone.counter}' in camera '{cam.id}'")
                elif kinds[zone.counter] is not ZoneKind.COUNTER_CUSTOMER:
                    problems.append(f"{path}.counter: zone '{zone.counter}' is not a counter_customer zone")
            if zone.capacity is not None and zone.kind.measures_staffing:
                problems.append(f"{path}.capacity: staff zones have no capacity")
    return problems


CHECKS = (duplicate_ids, unit_parents, camera_units, zone_links)


def check_cross_references(config: Config) -> None:
    """Raise ValueError listing every cross-reference problem, one ``path: message`` per line."""
    problems = [p for check in CHECKS for p in check(config)]
    if problems:
        raise ValueError(CROSSREF_MARKER + "\n" + "\n".join(problems))

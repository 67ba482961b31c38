"""The data-protection notice (UU 27/2022 art. 17): purpose, what is kept and how long, who sees it, contacts.

Open to everyone, so that it can be printed and posted where the cameras operate; ``?unit=`` gives
the notice of one office.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cvmon.api.deps import ContextDep
from cvmon.api.permissions import capabilities
from cvmon.config.models import CameraConfig, Config, ContactConfig
from cvmon.storage.users import Role
from cvmon.web.render import render
from cvmon.web.session import PageDenied

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class UnitNotice:
    unit_id: str
    name: str
    cameras: int
    contact: ContactConfig | None
    contact_from: str | None  # the unit that names the contact, when it is a parent


def _notices(config: Config, unit: str | None) -> list[UnitNotice]:
    """A row per unit that has cameras (or the one asked for)."""
    names = {u.id: u.name for u in config.units}
    with_cameras = {c.unit for c in config.cameras}
    chosen = [u for u in config.units if (u.id == unit if unit else u.id in with_cameras)]
    out = []
    for u in chosen:
        found = config.unit_contact(u.id)
        contact, source = found if found is not None else (None, None)
        out.append(
            UnitNotice(
                unit_id=u.id,
                name=u.name,
                cameras=sum(1 for c in config.cameras if c.unit == u.id),
                contact=contact,
                contact_from=names[source] if source is not None and source != u.id else None,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class SnapshotFacts:
    """When the cameras of the notice store pictures, read from the configuration in force."""

    periodic: list[tuple[float, list[str]]]  # (minutes between periodic snapshots, camera names), shortest first
    without_periodic: list[str]  # names of the cameras that store snapshots only for alerts
    latest_every_s: list[float]  # the distinct refresh intervals of the latest frame, shortest first


def _snapshot_facts(config: Config, cameras: list[CameraConfig]) -> SnapshotFacts:
    periodic: dict[float, list[str]] = {}
    without: list[str] = []
    latest: set[float] = set()
    for cam in cameras:
        evidence = config.evidence_for(cam)
        latest.add(evidence.latest_every_s)
        if evidence.periodic_every_min is None:
            without.append(cam.name or cam.id)
        else:
            periodic.setdefault(evidence.periodic_every_min, []).append(cam.name or cam.id)
    return SnapshotFacts(sorted(periodic.items()), without, sorted(latest))


def _cameras_of(config: Config, unit: str | None) -> list[CameraConfig]:
    """The enabled cameras the notice speaks for: the unit's, or every one."""
    return [c for c in config.cameras if c.enabled and (unit is None or c.unit == unit)]


@router.get("/privacy", response_class=HTMLResponse)
def privacy_notice(request: Request, context: ContextDep, unit: str | None = None) -> HTMLResponse:
    """The printable notice (open to everyone)."""
    config = context.config
    if unit and (config is None or all(u.id != unit for u in config.units)):
        raise PageDenied(404, "error.404")
    return render(
        request,
        "privacy.html",
        None,
        config=config,
        notices=_notices(config, unit) if config is not None else [],
        retention=config.retention if config is not None else None,
        snapshots=_snapshot_facts(config, _cameras_of(config, unit)) if config is not None else None,
        role_rights=[(role, capabilities(role)) for role in Role],
        greeting_cameras=[
            c.name or c.id
            for c in (_cameras_of(config, unit) if config is not None else [])
            if c.behaviour is not None and c.behaviour.enabled
        ],
    )

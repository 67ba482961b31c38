"""The data-protection notice (UU 27/2022 art. 17): purpose, what is kept and how long, who sees it, contacts.

Open to everyone, so that it can be printed and posted where the cameras operate; ``?unit=`` gives
the notice of one office.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cvmon.api.deps import ContextDep
from cvmon.config.models import Config, ContactConfig
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
    )

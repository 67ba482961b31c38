"""Admin pages: the audit log (browse, export) with the state of its hash chain.

An admin bound to units sees the rows about them; only an admin at the root sees the whole log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import ADMINISTER
from cvmon.i18n.dates import format_moment
from cvmon.read import lists
from cvmon.storage.audit import AuditAction
from cvmon.web import data, listing
from cvmon.web.render import language_of, render
from cvmon.web.session import PageDenied, page_role

router = APIRouter(include_in_schema=False)
AdminUser = Annotated[Principal, Depends(page_role(*ADMINISTER))]


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    principal: AdminUser,
    context: ContextDep,
    session: SessionDep,
    actor: str = "",
    action: str = "",
    target: str = "",
    unit: str = "",
    camera: str = "",
    since: str = "",
    until: str = "",
    page: Annotated[int, Query(ge=1, le=listing.LAST_PAGE)] = 1,
) -> HTMLResponse:
    """The audit log about the caller's units, newest first, a page at a time, filtered by actor, action,
    target, unit (with the units below it), camera and UTC days, and whether the hash chain of the whole
    log is intact (admin only)."""
    if action and action not in {a.value for a in AuditAction}:
        raise PageDenied(422, f"unknown action '{action[:40]}'")
    choice = data.choose_unit(session, principal.scope, unit)
    if choice is None:
        raise PageDenied(404, "error.404")
    names = data.display_names(session, choice.units)
    if camera and camera not in names.cameras:
        raise PageDenied(404, "error.404")
    start, end = listing.day_range(since, until, "UTC", ("since", "until"))
    found = lists.find_audit(
        session,
        principal.audit_scope,
        units=choice.units if unit else None,
        camera=camera or None,
        actor=actor or None,
        action=action or None,
        target=target or None,
        since=start,
        until=end,
        limit=listing.PAGE_SIZE,
        offset=listing.offset_of(page),
    )
    filters = {"actor": actor, "action": action, "target": target, "since": start, "until": end}
    export = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in filters.items() if v}
    export |= {k: v for k, v in (("unit", unit), ("camera", camera)) if v}
    shown = {
        "actor": actor,
        "action": action,
        "target": target,
        "unit": unit,
        "camera": camera,
        "since": since,
        "until": until,
    }
    checked_at, chain = context.audit_chain()
    return render(
        request,
        "audit.html",
        principal,
        chain=chain,
        chain_checked_at=format_moment(checked_at, language_of(request), UTC, seconds=True),
        chain_details=principal.whole_organisation,
        entries=found.items,
        pager=listing.pager(found, page, shown),
        actions=[a.value for a in AuditAction],
        choice=choice,
        cameras=sorted(names.cameras.items(), key=lambda item: item[1]),
        f=shown,
        export_url="/api/audit.csv" + (f"?{urlencode(export)}" if export else ""),
    )

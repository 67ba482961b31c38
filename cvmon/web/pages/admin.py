"""Admin pages: the audit log (browse, export) with the state of its hash chain.

An admin bound to units sees the rows about them; only an admin at the root sees the whole log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cvmon.api.deps import ContextDep, Principal
from cvmon.api.permissions import ADMINISTER
from cvmon.i18n_dates import format_moment
from cvmon.storage.audit import AuditAction
from cvmon.web.render import language_of, render
from cvmon.web.session import PageDenied, page_day, page_role

router = APIRouter(include_in_schema=False)
AdminUser = Annotated[Principal, Depends(page_role(*ADMINISTER))]
PAGE_SIZE = 100


def _day_start(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise PageDenied(422, f"{name}: not a date: {value[:40]}") from None
    return datetime.combine(page_day(day, value), time(), tzinfo=UTC)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    principal: AdminUser,
    context: ContextDep,
    actor: str = "",
    action: str = "",
    target: str = "",
    since: str = "",
    until: str = "",
    page: int = 0,
) -> HTMLResponse:
    """The audit log about the caller's units, newest first, filtered by actor, action, target and UTC
    days, and whether the hash chain of the whole log is intact (admin only)."""
    if action and action not in {a.value for a in AuditAction}:
        raise PageDenied(422, f"unknown action '{action[:40]}'")
    start = _day_start(since, "since")
    end_day = _day_start(until, "until")
    page = max(0, min(page, 100_000))
    entries = context.audit.find(
        scope=principal.audit_scope,
        actor=actor or None,
        action=action or None,
        target=target or None,
        since=start,
        until=end_day + timedelta(days=1) if end_day else None,
        limit=PAGE_SIZE + 1,
        offset=page * PAGE_SIZE,
    )
    filters = {
        k: v
        for k, v in {
            "actor": actor,
            "action": action,
            "target": target,
            "since": start.isoformat() if start else "",
            "until": (end_day + timedelta(days=1)).isoformat() if end_day else "",
        }.items()
        if v
    }
    shown = {
        k: v
        for k, v in {"actor": actor, "action": action, "target": target, "since": since, "until": until}.items()
        if v
    }
    checked_at, chain = context.audit_chain()
    return render(
        request,
        "audit.html",
        principal,
        chain=chain,
        chain_checked_at=format_moment(checked_at, language_of(request), UTC, seconds=True),
        chain_details=principal.whole_organisation,
        entries=entries[:PAGE_SIZE],
        more=len(entries) > PAGE_SIZE,
        page=page,
        actions=[a.value for a in AuditAction],
        f={"actor": actor, "action": action, "target": target, "since": since, "until": until},
        page_query=urlencode(shown),
        export_url="/api/audit.csv" + (f"?{urlencode(filters)}" if filters else ""),
    )

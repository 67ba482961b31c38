"""The audit log for admins: browse it, and export it as CSV (the export is audited itself).

An admin bound to units sees the rows about them (their users, cameras, snapshots, alerts, units);
only an admin at the root sees the whole log.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from cvmon.api.deps import ContextDep, CurrentUser, SessionDep, require_role
from cvmon.api.narrow import cameras_of, checked_range, unit_subtree
from cvmon.api.paging import PAGED, Limit, Offset, page_headers
from cvmon.api.params import checked_time
from cvmon.api.permissions import ADMINISTER
from cvmon.api.schemas import AuditOut
from cvmon.read import lists
from cvmon.storage.audit import AuditAction, AuditEntry

router = APIRouter(prefix="/api", tags=["audit"], dependencies=[Depends(require_role(*ADMINISTER))])

CSV_COLUMNS = ("id", "ts", "actor", "action", "target", "client_addr", "details")
# A cell starting with one of these is a formula to a spreadsheet; failed logins carry typed-in text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _audit_out(entry: AuditEntry) -> AuditOut:
    return AuditOut(**{f: getattr(entry, f) for f in AuditEntry.__dataclass_fields__})


def _filters(
    actor: Annotated[str | None, Query(description="Username (or cli:<login>).")] = None,
    action: Annotated[AuditAction | None, Query()] = None,
    target: Annotated[str | None, Query(description="e.g. user:alice, alert:12, evidence:3.")] = None,
    since: Annotated[datetime | None, Query(description="At or after (ISO with offset).")] = None,
    until: Annotated[datetime | None, Query(description="Before (ISO with offset).")] = None,
) -> dict[str, Any]:
    checked_range(checked_time(since, "since"), checked_time(until, "until"))
    return {
        "actor": actor,
        "action": action.value if action else None,
        "target": target,
        "since": since,
        "until": until,
    }


Filters = Annotated[dict[str, Any], Depends(_filters)]


@router.get("/audit", response_model=list[AuditOut], responses=PAGED)
def audit_log(
    request: Request,
    response: Response,
    principal: CurrentUser,
    session: SessionDep,
    filters: Filters,
    unit: Annotated[str | None, Query(description="Only rows about this unit and the units below it.")] = None,
    camera: Annotated[str | None, Query(description="Only rows about this camera, its alerts and snapshots.")] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> list[AuditOut]:
    """Audit rows about the caller's units matching every filter, newest first, ``limit`` from ``offset``;
    the X-Total-Count header says how many match (admin only; 404 for a unit or camera outside the
    caller's units)."""
    units = unit_subtree(session, unit, principal.scope) if unit is not None else None
    if camera is not None:
        cameras_of(session, camera, principal.scope)
    page = lists.find_audit(
        session, principal.audit_scope, units=units, camera=camera, **filters, limit=limit, offset=offset
    )
    page_headers(response, request, page)
    return [_audit_out(e) for e in page.items]


def _cell(value: Any) -> str:
    text = "" if value is None else value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


@router.get("/audit.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def audit_export(
    principal: CurrentUser,
    context: ContextDep,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=1_000_000)] = 100_000,
) -> Response:
    """The matching audit rows about the caller's units as CSV, newest first (admin only); the export
    itself is audited first."""
    now = context.clock()
    shown = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in filters.items() if v is not None}
    context.audit.record(now, principal.actor, AuditAction.AUDIT_EXPORT, "audit_log", {"filters": shown})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in context.audit.find(scope=principal.audit_scope, **filters, limit=limit):
        row = [getattr(entry, c) for c in CSV_COLUMNS[:-1]] + [json.dumps(entry.details, sort_keys=True)]
        writer.writerow([_cell(v) for v in row])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="cvmon-audit-{now:%Y%m%dT%H%M%SZ}.csv"',
            "Cache-Control": "no-store",
        },
    )

"""A unit's periodic report as JSON (the viewer serves the page, PDF and CSV); every call is audited."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status

from cvmon.api.deps import ContextDep, CurrentUser, SessionDep, require_role
from cvmon.api.params import checked_day
from cvmon.api.permissions import READ_FIGURES
from cvmon.reports.export import report_json
from cvmon.reports.report import ReportError, UnitNotFound, build_report
from cvmon.storage.audit import AuditAction

router = APIRouter(prefix="/api", tags=["reports"], dependencies=[Depends(require_role(*READ_FIGURES))])


@router.get(
    "/reports",
    responses={404: {"description": "No such unit among the caller's."}, 409: {"description": "No configuration."}},
)
def report(
    principal: CurrentUser,
    context: ContextDep,
    session: SessionDep,
    unit: Annotated[str, Query(max_length=64, description="Unit id; the report covers its subtree.")],
    first: Annotated[date, Query(alias="from", description="First local day of the period.")],
    last: Annotated[date, Query(alias="to", description="Last local day of the period (inclusive).")],
) -> dict[str, Any]:
    """Figures, index, change against the previous period, ranking of the units below and quick wins
    (any role; the caller's units; audited as a report export)."""
    checked_day(first, "from")
    checked_day(last, "to")
    if context.config is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "reports need the configuration: start cvmon serve with --config")
    try:
        built = build_report(session, context.config, unit, principal.scope, first, last)
    except UnitNotFound as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(err)) from None
    except ReportError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None
    details = {"unit": unit, "from": str(first), "to": str(last), "format": "json"}
    context.audit.record(context.clock(), principal.actor, AuditAction.REPORT_EXPORT, f"unit:{unit}", details)
    return report_json(built)

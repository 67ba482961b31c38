"""The report page of a unit and period, and its PDF and CSV downloads (scope-restricted, audited)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from cvmon.api.context import ApiContext
from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.config.models import Config
from cvmon.i18n.messages import translator
from cvmon.reports.document import report_pdf, report_values
from cvmon.reports.export import report_csv
from cvmon.reports.report import ReportError, UnitNotFound, UnitReport, build_report
from cvmon.storage.audit import AuditAction
from cvmon.web import data
from cvmon.web.render import language_of, render
from cvmon.web.session import PageDenied, PageUser, page_day

router = APIRouter(include_in_schema=False)
FromDay = Annotated[str | None, Query(alias="from", max_length=40, description="First local day, YYYY-MM-DD.")]
ToDay = Annotated[str | None, Query(alias="to", max_length=40, description="Last local day, YYYY-MM-DD.")]


def month_bounds(today: date, months_back: int = 0) -> tuple[date, date]:
    """First and last day of the month ``months_back`` before today's (this month ends today)."""
    first = today.replace(day=1)
    for _ in range(months_back):
        first = (first - timedelta(days=1)).replace(day=1)
    if months_back == 0:
        return first, today
    next_month = (first + timedelta(days=32)).replace(day=1)
    return first, next_month - timedelta(days=1)


def _date(value: str | None, default: date) -> date:
    if not value:
        return default
    try:
        chosen = date.fromisoformat(value)
    except ValueError:
        raise PageDenied(422, "report.bad_date", value=value[:40]) from None
    return page_day(chosen, value)


def _config(context: ApiContext) -> Config:
    if context.config is None:
        raise PageDenied(409, "report.needs_config")
    return context.config


def _report(
    session: Session, context: ApiContext, principal: Principal, unit: str | None, start: str | None, end: str | None
) -> tuple[UnitReport, data.UnitChoice]:
    config = _config(context)
    choice = data.choose_unit(session, principal.scope, unit or None)
    if choice is None:
        raise PageDenied(404, "error.404")
    tree = choice.tree
    chosen = choice.selected or (tree[0][0] if tree else None)
    if chosen is None:
        raise PageDenied(404, "error.404")
    today = context.clock().astimezone(ZoneInfo(chosen.timezone)).date()
    default_first, default_last = month_bounds(today)
    first, last = _date(start, default_first), _date(end, default_last)
    try:
        report = build_report(session, config, chosen.id, principal.scope, first, last)
    except UnitNotFound:
        raise PageDenied(404, "error.404") from None
    except ReportError as err:
        raise PageDenied(422, str(err)) from None
    return report, choice


@router.get("/reports", response_class=HTMLResponse)
def report_page(
    request: Request,
    principal: PageUser,
    context: ContextDep,
    session: SessionDep,
    unit: str | None = None,
    start: FromDay = None,
    end: ToDay = None,
) -> HTMLResponse:
    """A unit's figures, index, ranking and quick wins for a period (any role, own units). ``start`` and
    ``end`` are local days, default this month."""
    if context.config is None:
        return render(
            request, "error.html", principal, 409, message=translator(language_of(request))("report.needs_config")
        )
    report, choice = _report(session, context, principal, unit, start, end)
    tz = ZoneInfo(report.timezone)
    today = context.clock().astimezone(tz).date()
    return render(
        request,
        "report.html",
        principal,
        choice=choice,
        this_month=month_bounds(today),
        last_month=month_bounds(today, 1),
        **report_values(report, language_of(request), principal.user.username, context.clock()),
    )


def _audit(context: ApiContext, principal: Principal, report: UnitReport, fmt: str) -> None:
    details = {"unit": report.unit_id, "from": str(report.period.first), "to": str(report.period.last), "format": fmt}
    context.audit.record(context.clock(), principal.actor, AuditAction.REPORT_EXPORT, f"unit:{report.unit_id}", details)


def _download(body: bytes, media_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return Response(body, media_type=media_type, headers=headers)


def _filename(report: UnitReport, ext: str) -> str:
    return f"cvmon-report-{report.unit_id}-{report.period.first}-{report.period.last}.{ext}"


def requested_report(
    principal: PageUser,
    context: ContextDep,
    session: SessionDep,
    unit: str | None = None,
    start: FromDay = None,
    end: ToDay = None,
) -> UnitReport:
    """The report a download asks for (404 outside the caller's units, 422 for a bad period)."""
    return _report(session, context, principal, unit, start, end)[0]


RequestedReport = Annotated[UnitReport, Depends(requested_report)]


@router.get("/reports/report.pdf")
def report_pdf_download(
    request: Request, report: RequestedReport, principal: PageUser, context: ContextDep
) -> Response:
    """The report as a printable PDF (any role, own units; audited)."""
    pdf = report_pdf(report, language_of(request), principal.user.username, context.clock())
    _audit(context, principal, report, "pdf")
    return _download(pdf, "application/pdf", _filename(report, "pdf"))


@router.get("/reports/report.csv")
def report_csv_download(report: RequestedReport, principal: PageUser, context: ContextDep) -> Response:
    """The report's figures as CSV, with the previous period beside them (any role, own units; audited)."""
    body = report_csv(report)
    _audit(context, principal, report, "csv")
    return _download(body.encode(), "text/csv; charset=utf-8", _filename(report, "csv"))

"""A camera's page: charts of a chosen local day, the zones on the latest anonymised frame, its alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import ADMINISTER, READ_EVIDENCE
from cvmon.i18n.messages import Language, translate
from cvmon.read import queries
from cvmon.read.current import zone_now
from cvmon.read.timeseries import Point, Resolution, zone_series
from cvmon.storage.alerts import FollowUp
from cvmon.storage.audit import AuditAction
from cvmon.storage.models import ZoneRecord
from cvmon.types import ZoneKind
from cvmon.web import data
from cvmon.web.charts import Series, line_chart, local_points
from cvmon.web.render import language_of, render
from cvmon.web.session import PageDenied, PageUser, page_day, page_role

router = APIRouter(include_in_schema=False)

RECENT_ALERTS = 20
# A day whose minute rows span at most this is charted per minute, a longer one per quarter hour.
MINUTE_CHART_SPAN = timedelta(hours=2)
# Kinds whose head count is a queue or a crowd worth charting.
COUNTED = (ZoneKind.QUEUE, ZoneKind.WAITING, ZoneKind.COUNTER_CUSTOMER)


@dataclass(frozen=True, slots=True)
class DayCharts:
    resolution: Resolution
    svgs: list[str]


def _day(value: str | None, today: date) -> date:
    if not value:
        return today
    try:
        chosen = date.fromisoformat(value)
    except ValueError:
        raise PageDenied(422, "cam.bad_day", day=value[:40]) from None
    return page_day(chosen, value)


def _label(zone: ZoneRecord) -> str:
    return zone.name or zone.zone_id


def _charts(language: Language, zones: list[ZoneRecord], points: dict[str, list[Point]], tz: ZoneInfo) -> list[str]:
    t = lambda key: translate(language, key)  # noqa: E731
    kinds = {z.zone_id: ZoneKind(z.kind) for z in zones}
    queue = [
        Series(_label(z), local_points(points[z.zone_id], tz, lambda p: p.count_mean))
        for z in zones
        if kinds[z.zone_id] in COUNTED
    ]
    wait: list[Series] = []
    for z in zones:
        if kinds[z.zone_id].measures_wait:
            wait.append(Series(f"{_label(z)} p50", local_points(points[z.zone_id], tz, lambda p: p.wait_p50_s)))
            wait.append(Series(f"{_label(z)} p90", local_points(points[z.zone_id], tz, lambda p: p.wait_p90_s)))
    staffing = [
        Series(_label(z), local_points(points[z.zone_id], tz, lambda p: _pct(p.staffed_ratio)))
        for z in zones
        if kinds[z.zone_id].measures_staffing
    ]
    occupancy = [
        Series(_label(z), local_points(points[z.zone_id], tz, lambda p: _pct(p.occupancy))) for z in zones if z.capacity
    ]
    none = t("cam.no_chart_data")
    out = []
    if queue:
        out.append(line_chart(t("cam.chart_queue"), queue, y_title=t("fig.people"), no_data=none, language=language))
    if wait:
        out.append(line_chart(t("cam.chart_wait"), wait, y_title="s", no_data=none, language=language))
    if staffing:
        staffing_title = t("cam.chart_staffing")
        out.append(line_chart(staffing_title, staffing, y_title="%", no_data=none, language=language, percent=True))
    if occupancy:
        out.append(line_chart(t("cam.chart_occupancy"), occupancy, y_title="%", no_data=none, language=language))
    return out


def _resolution(minutes: list[datetime]) -> Resolution:
    """Minutes when the day's data span at most two hours, quarter hours when longer, hours without minute rows."""
    if not minutes:
        return "hour"
    return "minute" if max(minutes) - min(minutes) <= MINUTE_CHART_SPAN else "quarter"


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@router.get("/cameras/{camera_id}", response_class=HTMLResponse)
def camera_page(
    camera_id: str,
    request: Request,
    principal: PageUser,
    context: ContextDep,
    session: SessionDep,
    day: str | None = None,
    done: str = "",
) -> HTMLResponse:
    """Charts of queue length, wait p50/p90, staffing and occupancy over a local day (any role, own units)."""
    cam = queries.camera_in_scope(session, camera_id, principal.scope)
    if cam is None:
        raise PageDenied(404, "error.404")
    tz = ZoneInfo(cam.timezone)
    now = context.clock()
    chosen = _day(day, now.astimezone(tz).date())
    start = datetime.combine(chosen, time(), tzinfo=tz)
    end = datetime.combine(chosen + timedelta(days=1), time(), tzinfo=tz)
    zones = queries.zones_of_camera(session, camera_id, principal.scope)
    minute_rows = queries.minute_rows(session, camera_id, None, start, end, principal.scope)
    resolution = _resolution([r.minute for r in minute_rows])
    hourly_rows = []
    if not minute_rows:  # older than the minute rows' retention: the hourly roll-ups remain
        hourly_rows = queries.hourly_rows(session, camera_id, None, start, end, principal.scope)
    points = zone_series(zones, minute_rows, hourly_rows, resolution, tz)
    has_data = any(points[z.zone_id] for z in zones)
    status = next(c for c in queries.camera_statuses(session, [cam.unit_id]) if c.id == camera_id)
    latest = queries.zones_with_latest_minute(session, camera_id, principal.scope)
    zones_now = [zone_now(zone, minute) for _cam, zone, minute in latest if zone is not None]
    alerts = [a for a in context.alerts.find(principal.scope, limit=500) if a.camera_id == camera_id][:RECENT_ALERTS]
    can_see_frame = principal.user.role in READ_EVIDENCE
    return render(
        request,
        "camera.html",
        principal,
        cam=status,
        unit_name=data.units_by_id(session, principal.scope)[cam.unit_id].name,
        timezone=cam.timezone,
        day=chosen,
        prev_day=chosen - timedelta(days=1),
        next_day=chosen + timedelta(days=1),
        charts=_charts(language_of(request), zones, points, tz) if has_data else [],
        resolution=resolution,
        zones=zones_now,
        alerts=alerts,
        units=data.units_by_id(session, principal.scope),
        categories=list(FollowUp),
        show_unit=False,
        names=data.display_names(session, [cam.unit_id]),
        frame_url=f"/cameras/{camera_id}/latest.jpg" if can_see_frame else None,
        has_frame=can_see_frame and context.evidence.store.latest_path(camera_id).is_file(),
        can_confirm_staff=principal.user.role in ADMINISTER and _recognises_staff(context, camera_id),
        done=done,
    )


def _recognises_staff(context: ContextDep, camera_id: str) -> bool:
    config = context.config
    camera = next((c for c in config.cameras if c.id == camera_id), None) if config is not None else None
    return camera is not None and camera.staff is not None and camera.staff.enabled


@router.get("/cameras/{camera_id}/latest.jpg")
def latest_frame(
    camera_id: str,
    principal: Annotated[Principal, Depends(page_role(*READ_EVIDENCE))],
    context: ContextDep,
    session: SessionDep,
) -> Response:
    """The camera's latest anonymised frame (not viewers; own units; every view audited)."""
    if queries.camera_in_scope(session, camera_id, principal.scope) is None:
        raise PageDenied(404, "error.404")
    path = context.evidence.store.latest_path(camera_id)
    try:
        data = path.read_bytes()
    except OSError:
        raise PageDenied(404, "cam.no_frame") from None
    context.audit.record(context.clock(), principal.actor, AuditAction.FRAME_VIEW, f"camera:{camera_id}")
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

"""The evidence pack of one visit: a unit's minute figures, alerts and snapshots of a window, as a page and a PDF.

Both are audited (one row per page showing a pack and per PDF); the page's thumbnails come from
GET /api/evidence/{id}/image, which audits each view, and the PDF embeds the images read with their
sha256 checked.
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime, time
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from cvmon.api.deps import ContextDep, Principal, SessionDep
from cvmon.api.permissions import READ_EVIDENCE
from cvmon.evidence.errors import EvidenceTampered
from cvmon.reports.evidence_pack import EvidencePack, PackUnitNotFound, PackWindowError, evidence_pack
from cvmon.reports.pdf import PdfError, html_to_pdf
from cvmon.storage.audit import AuditAction
from cvmon.storage.evidence import EvidenceNotFound
from cvmon.web import data
from cvmon.web.i18n import translator
from cvmon.web.render import environment, language_of, render
from cvmon.web.report_document import page_counter_css
from cvmon.web.session import PageDenied, page_day, page_role

router = APIRouter(include_in_schema=False)
PackUser = Annotated[Principal, Depends(page_role(*READ_EVIDENCE))]
Text = Annotated[str | None, Query(max_length=64)]
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _date(value: str) -> date:
    try:
        chosen = date.fromisoformat(value)
    except ValueError:
        raise PageDenied(422, "pack.bad_date", value=value) from None
    return page_day(chosen, value)


def _time(value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise PageDenied(422, "pack.bad_time", value=value) from None


def _moment(value: str, tz: ZoneInfo) -> datetime:
    """An ISO date and time; without an offset it is the unit's local time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise PageDenied(422, "pack.bad_time", value=value) from None
    page_day(moment.date(), value)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _unit_zone(principal: Principal, session: SessionDep, unit: str) -> ZoneInfo:
    """The time zone of one of the caller's units; 404 for any other."""
    row = data.units_by_id(session, principal.scope).get(unit)
    if row is None:
        raise PageDenied(404, "error.404")
    return ZoneInfo(row.timezone)


def _build(principal: Principal, session: SessionDep, unit: str, start: datetime, end: datetime) -> EvidencePack:
    try:
        return evidence_pack(session, unit, principal.scope, start, end)
    except PackUnitNotFound:
        raise PageDenied(404, "error.404") from None
    except PackWindowError as err:
        raise PageDenied(422, f"pack.window_{err.reason}") from None


def _audit(context: ContextDep, principal: Principal, pack: EvidencePack, fmt: str, **extra: Any) -> None:
    details = {
        "unit": pack.unit.id,
        "from": pack.start.isoformat(),
        "to": pack.end.isoformat(),
        "format": fmt,
        "evidence": [s.id for s in pack.snapshots],
        **extra,
    }
    context.audit.record(context.clock(), principal.actor, AuditAction.EVIDENCE_PACK, f"unit:{pack.unit.id}", details)


def _pdf_query(pack: EvidencePack) -> str:
    """The PDF's query string: the window in the unit's local time (minutes, as the form gives them)."""
    tz = pack.timezone
    start = pack.start.astimezone(tz).replace(tzinfo=None).isoformat(timespec="minutes")
    end = pack.end.astimezone(tz).replace(tzinfo=None).isoformat(timespec="minutes")
    return urlencode({"unit": pack.unit.id, "from": start, "to": end})


@router.get("/evidence/pack", response_class=HTMLResponse)
def pack_page(
    request: Request,
    principal: PackUser,
    context: ContextDep,
    session: SessionDep,
    unit: Text = None,
    day: Annotated[str | None, Query(alias="date", max_length=64)] = None,
    start: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=64)] = None,
) -> HTMLResponse:
    """The form (unit, local date, from and to times) and, once filled, the pack (auditor, pic, manager, admin)."""
    choice = data.choose_unit(session, principal.scope, None)
    assert choice is not None
    pack = None
    tz = _unit_zone(principal, session, unit) if unit else None
    if day or start or end:
        if not (tz and unit and day and start and end):
            raise PageDenied(422, "pack.missing")
        chosen = _date(day)
        window = (datetime.combine(chosen, _time(start), tzinfo=tz), datetime.combine(chosen, _time(end), tzinfo=tz))
        pack = _build(principal, session, unit, *window)
        _audit(context, principal, pack, "html")
    tz_first = ZoneInfo(choice.tree[0][0].timezone) if choice.tree else None
    today = context.clock().astimezone(tz_first).date() if tz_first else context.clock().date()
    return render(
        request,
        "pack.html",
        principal,
        tree=choice.tree,
        form={"unit": unit or "", "date": day or today.isoformat(), "from": start or "", "to": end or ""},
        pack=pack,
        pdf_query=_pdf_query(pack) if pack else "",
        image_src={s.id: f"/api/evidence/{s.id}/image" for s in pack.snapshots} if pack else {},
        made_at=context.clock(),
    )


def _embedded_images(context: ContextDep, pack: EvidencePack) -> tuple[dict[int, str], list[int]]:
    """Each snapshot as a ``data:`` URI (sha256 checked), and the ids whose file is missing or altered."""
    cameras = [c.id for c in pack.cameras]
    images: dict[int, str] = {}
    unreadable: list[int] = []
    for shot in pack.snapshots:
        try:
            _, jpeg = context.evidence.read(shot.id, cameras)
        except (EvidenceTampered, EvidenceNotFound):
            unreadable.append(shot.id)
            continue
        images[shot.id] = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
    return images, unreadable


@router.get("/evidence/pack.pdf")
def pack_pdf(
    request: Request,
    principal: PackUser,
    context: ContextDep,
    session: SessionDep,
    unit: Annotated[str, Query(max_length=64)],
    start: Annotated[str, Query(alias="from", max_length=64)],
    end: Annotated[str, Query(alias="to", max_length=64)],
) -> Response:
    """The pack as a PDF attachment with the snapshots embedded; ``from`` and ``to`` are ISO date-times,
    in the unit's local time unless they carry an offset (auditor, pic, manager, admin)."""
    tz = _unit_zone(principal, session, unit)
    pack = _build(principal, session, unit, _moment(start, tz), _moment(end, tz))
    images, unreadable = _embedded_images(context, pack)
    language = language_of(request)
    t = translator(language)
    html = (
        environment()
        .get_template("pack_pdf.html")
        .render(
            lang=language,
            t=t,
            page_counter=page_counter_css(t("report.page")),
            pack=pack,
            image_src=images,
            user=principal.user,
            made_at=context.clock(),
        )
    )
    try:
        pdf = html_to_pdf(html)
    except PdfError as err:
        raise PageDenied(503, "pack.pdf_failed", reason=str(err)) from None
    _audit(context, principal, pack, "pdf", **({"unreadable": unreadable} if unreadable else {}))
    local_start = pack.start.astimezone(pack.timezone)
    name = _UNSAFE_NAME.sub("_", f"evidence-pack-{pack.unit.id}-{local_start:%Y%m%d-%H%M}.pdf")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )

"""The organisation tree as far as the caller may see it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from cvmon.api.deps import AllowedUnits, ContextDep, SessionDep, require_role
from cvmon.api.narrow import unit_subtree
from cvmon.api.permissions import READ_FIGURES
from cvmon.api.schemas import AlertCountsOut, UnitNode, UnitSummaryOut, WorstWaitOut
from cvmon.read import queries
from cvmon.read.summary import unit_summaries

router = APIRouter(prefix="/api", tags=["units"], dependencies=[Depends(require_role(*READ_FIGURES))])


@router.get("/units", response_model=list[UnitNode])
def units_tree(units: AllowedUnits, session: SessionDep) -> list[UnitNode]:
    """The caller's units, each with the units below it (any role)."""
    rows = queries.units_in_scope(session, units)
    nodes = {r.id: UnitNode(id=r.id, name=r.name, level=r.level, timezone=r.timezone) for r in rows}
    roots = []
    for row in rows:
        parent = nodes.get(row.parent_id) if row.parent_id else None
        if parent is not None:
            parent.children.append(nodes[row.id])
        else:
            roots.append(nodes[row.id])
    return roots


@router.get("/units/summary", response_model=list[UnitSummaryOut])
def units_summary(
    context: ContextDep,
    units: AllowedUnits,
    session: SessionDep,
    unit: Annotated[str | None, Query(description="Only this unit and the units below it.")] = None,
) -> list[UnitSummaryOut]:
    """A summary of each of the caller's units with cameras or open alerts: cameras online, people queuing
    now, alerts not resolved by what they need, the worst wait today, and why it needs action; those
    needing action first (any role; 404 for a unit outside the caller's units)."""
    scope = set(unit_subtree(session, unit, units))
    tree = [r for r in queries.units_in_scope(session, units) if r.id in scope]
    return [
        UnitSummaryOut(
            unit_id=s.unit.id,
            name=s.unit.name,
            level=s.unit.level,
            cameras=s.cameras,
            cameras_online=s.online,
            cameras_offline=s.offline,
            queue_now=s.queue_now,
            alerts=AlertCountsOut.model_validate(s.alerts, from_attributes=True),
            worst_wait_today=None
            if s.worst_wait is None
            else WorstWaitOut.model_validate(s.worst_wait, from_attributes=True),
            needs_action=list(s.reasons),
        )
        for s in unit_summaries(session, tree, context.clock())
    ]

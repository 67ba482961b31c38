"""The organisation tree as far as the caller may see it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from cvmon.api import queries
from cvmon.api.deps import AllowedUnits, SessionDep, require_role
from cvmon.api.permissions import READ_FIGURES
from cvmon.api.schemas import UnitNode

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

"""The unit tree within a caller's scope: subtrees and depth, from the rows of ``queries.units_in_scope``
(the CLI, which has no scope, walks the whole stored tree the same way)."""

from __future__ import annotations

from collections.abc import Sequence

from cvmon.errors import CvmonError
from cvmon.read import queries
from cvmon.read.queries import UnitRow
from cvmon.storage import Database


class UnitNotFound(CvmonError):
    """No unit with that id in the database."""


def subtree_of(rows: Sequence[UnitRow], unit: str) -> list[str] | None:
    """The unit and every unit below it among ``rows``, sorted; None when the unit is not among them."""
    if unit not in {r.id for r in rows}:
        return None
    children = children_of(rows)
    out, todo = [], [unit]
    while todo:
        uid = todo.pop()
        out.append(uid)
        todo.extend(children.get(uid, []))
    return sorted(out)


def stored_subtree(db: Database, unit_id: str) -> list[str]:
    """A unit and every unit below it, from the whole stored organisation tree (the CLI has no scope)."""
    with db.transaction("cannot read units from", write=False) as session:
        rows = queries.units_in_scope(session, queries.all_unit_ids(session))
    found = subtree_of(rows, unit_id)
    if found is None:
        raise UnitNotFound(f"no unit '{unit_id}' in the database (run `cvmon run` or `cvmon process` with its config)")
    return found


def children_of(rows: Sequence[UnitRow]) -> dict[str, list[str]]:
    """Child unit ids per parent id, in the rows' order."""
    children: dict[str, list[str]] = {}
    for r in rows:
        if r.parent_id is not None:
            children.setdefault(r.parent_id, []).append(r.id)
    return children


def tree_order(rows: Sequence[UnitRow]) -> list[tuple[UnitRow, int]]:
    """The rows depth first from the roots of the scope (units whose parent is outside it), with their depth."""
    by_id = {r.id: r for r in rows}
    children = children_of(rows)
    out: list[tuple[UnitRow, int]] = []

    def walk(uid: str, depth: int) -> None:
        out.append((by_id[uid], depth))
        for child in sorted(children.get(uid, []), key=lambda c: by_id[c].name):
            walk(child, depth + 1)

    for root in sorted((r for r in rows if r.parent_id not in by_id), key=lambda r: r.name):
        walk(root.id, 0)
    return out

"""Imports of customer ratings and mystery-shopper scores as JSON rows (admin, manager; own units; audited).

The rows carry the columns of the CSV files (see ``cvmon.imports.ratings`` and ``cvmon.imports.shopper``);
every row is checked first and one bad row stores nothing (422 lists each, as ``row N: ...``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from cvmon.api.deps import ContextDep, CsrfChecked, require_role
from cvmon.api.permissions import IMPORT_FIGURES
from cvmon.errors import ImportRejected
from cvmon.imports.ratings import RATING_COLUMNS
from cvmon.imports.run import import_ratings, import_shopper_scores
from cvmon.imports.shopper import SHOPPER_COLUMNS
from cvmon.imports.table import MAX_ROWS, Columns, json_records

router = APIRouter(prefix="/api/imports", tags=["imports"], dependencies=[Depends(require_role(*IMPORT_FIGURES))])

Cell = Annotated[str, Field(max_length=200)] | float | int | None
_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"description": "Bad columns or rows: ``detail.problems`` names each; nothing was stored."},
}


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(
        default="api",
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="Where the rows come from.",
    )
    rows: list[dict[Annotated[str, Field(max_length=40)], Cell]] = Field(
        min_length=1, max_length=MAX_ROWS, description="One object per row, keyed by the file's column names."
    )


class ImportOut(BaseModel):
    rows: int = Field(description="Rows imported.")
    added: int = Field(description="Rows with a new key.")
    changed: int = Field(description="Stored rows whose figures the import replaced.")
    unchanged: int = Field(description="Stored rows the import held as they were.")
    removed: int = Field(description="Stored aspects of a re-imported visit that the import no longer has.")
    units: list[str] = Field(description="The units the rows are of.")


def _run(body: ImportIn, principal: CsrfChecked, context: ContextDep, columns: Columns, importer: Any) -> ImportOut:
    try:
        records = json_records(body.rows, columns)
        outcome = importer(context.db, records, principal.scope, principal.actor, context.clock(), body.source)
    except ImportRejected as err:
        detail = {"message": str(err), "problems": err.problems}
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from None
    return ImportOut(**outcome.as_dict())


@router.post("/ratings", response_model=ImportOut, responses=_ERRORS)
def ratings(body: ImportIn, principal: CsrfChecked, context: ContextDep) -> ImportOut:
    """Customer ratings per unit, day, channel and service (admin, manager; the caller's units; CSRF; audited).
    A row with a stored key replaces it: sending the same rows twice changes nothing."""
    return _run(body, principal, context, RATING_COLUMNS, import_ratings)


@router.post("/mystery-shopper", response_model=ImportOut, responses=_ERRORS)
def mystery_shopper(body: ImportIn, principal: CsrfChecked, context: ContextDep) -> ImportOut:
    """Mystery-shopper scores per visit, touchpoint and aspect (admin, manager; the caller's units; CSRF;
    audited). Each visit's touchpoint replaces the stored one whole."""
    return _run(body, principal, context, SHOPPER_COLUMNS, import_shopper_scores)

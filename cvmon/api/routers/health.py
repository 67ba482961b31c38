"""Liveness of the server and its database; open to everyone, tells nothing about the data."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from cvmon.api.deps import DbDep
from cvmon.api.schemas import Health

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=Health)
def health(db: DbDep) -> Health:
    """``{"status": "ok"}`` when the database answers (503 otherwise). Open to everyone."""
    with db.transaction("cannot reach", write=False) as session:
        session.execute(text("SELECT 1"))
    return Health(status="ok")

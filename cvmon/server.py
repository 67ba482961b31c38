"""The composition root: the whole server is the JSON API with the web viewer's pages on top."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from pwdlib import PasswordHash

from cvmon.api.app import create_api
from cvmon.api.security import Clock, system_clock
from cvmon.api.settings import ApiSettings
from cvmon.config.models import Config
from cvmon.storage.database import Database
from cvmon.web import install_web


def create_app(
    settings: ApiSettings | None = None,
    *,
    database: Database | None = None,
    evidence_dir: Path | None = None,
    clock: Clock = system_clock,
    passwords: PasswordHash | None = None,
    config: Config | None = None,
) -> FastAPI:
    """The API (``cvmon.api.app.create_api``, same arguments) and the viewer's pages, static files and error pages."""
    app = create_api(
        settings, database=database, evidence_dir=evidence_dir, clock=clock, passwords=passwords, config=config
    )
    install_web(app)
    return app

"""The JSON API as a FastAPI app: ``create_api(settings)`` wires settings, database, repositories, routers,
middleware and error handlers. ``cvmon.server`` puts the web viewer's pages on top of it."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from pwdlib import PasswordHash

from cvmon.api.context import ApiContext
from cvmon.api.errors import install_error_handlers
from cvmon.api.params import no_nul_in_url
from cvmon.api.routers import (
    alerts,
    audit,
    auth,
    cameras,
    docs,
    evidence,
    health,
    imports,
    metrics,
    reports,
    series,
    units,
    users,
)
from cvmon.api.security import SECURE_SESSION_COOKIE, SESSION_COOKIE, Clock, Tokens, system_clock
from cvmon.api.settings import ApiSettings, check_secret
from cvmon.api.throttle import LoginThrottle
from cvmon.config import load_config
from cvmon.config.models import Config
from cvmon.settings import Settings
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.audit import AuditRepository
from cvmon.storage.database import Database, open_database
from cvmon.storage.evidence import EvidenceRepository
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.users import UserRepository

log = logging.getLogger(__name__)

ROUTERS = (
    health.router,
    auth.router,
    units.router,
    cameras.router,
    series.router,
    alerts.router,
    evidence.router,
    audit.router,
    users.router,
    reports.router,
    imports.router,
    metrics.router,
    docs.router,
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# The viewer's pages load only this server's script, styles and images (inline styles: zone outlines, charts).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_api(
    settings: ApiSettings | None = None,
    *,
    database: Database | None = None,
    evidence_dir: Path | None = None,
    clock: Clock = system_clock,
    passwords: PasswordHash | None = None,
    config: Config | None = None,
) -> FastAPI:
    """The cvmon API alone (no pages).

    Args:
        settings: API settings; default read from the environment.
        database: an open database the caller keeps and closes; default ``CVMON_DATABASE_URL``,
            opened (and migrated) now and closed when the app shuts down.
        evidence_dir: root of the evidence store; default ``CVMON_EVIDENCE_DIR``.
        clock: now, as timezone-aware UTC (tests pass a clock they move).
        passwords: the password hasher (default argon2id with the recommended cost).
        config: the deployment's cameras.yaml for the data-protection notice; default the file named
            by ``CVMON_CONFIG``, if any.

    Raises:
        ConfigError: a missing, default or short secret key outside development; an invalid CVMON_CONFIG.
        StorageError: the default database cannot be opened.
    """
    settings = settings or ApiSettings()
    check_secret(settings)
    if settings.secret_key is not None:
        secret = settings.secret_key.get_secret_value()
    else:
        log.warning("CVMON_SECRET_KEY is not set: development sessions end when the server stops")
        secret = secrets.token_urlsafe(48)
    core = Settings()
    if config is None and settings.config is not None:
        config = load_config(settings.config)
    owned = database is None
    db = database if database is not None else open_database(core.resolved_database_url)
    audit_repo = AuditRepository(db)
    context = ApiContext(
        settings=settings,
        db=db,
        clock=clock,
        tokens=Tokens(secret),
        cookie_name=SESSION_COOKIE if settings.development else SECURE_SESSION_COOKIE,
        users=UserRepository(db, passwords),
        audit=audit_repo,
        alerts=AlertRepository(db),
        evidence=EvidenceRepository(db, EvidenceStore(evidence_dir or core.evidence_dir)),
        throttle=LoginThrottle(
            audit_repo,
            max_per_user=settings.login_max_failures,
            max_per_address=settings.login_max_failures_per_address,
            max_per_username=settings.login_max_failures_per_username,
            window=timedelta(minutes=settings.login_window_minutes),
            lockout=timedelta(minutes=settings.login_lockout_minutes),
        ),
        config=config,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            db.close()

    app = FastAPI(
        title="cvmon",
        summary="Anonymous figures, alerts and evidence of customer-service offices, by role and unit.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(no_nul_in_url)],
    )
    app.state.cvmon = context
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        elif not request.url.path.startswith("/docs"):  # Swagger UI starts itself with an inline script
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        return response

    return app

"""The web viewer: server-rendered pages (Jinja2) on the API's sessions, roles and scoped queries.

Everything it needs is in the package (templates, CSS, a small script, charts drawn server-side
by pygal), so it works with no internet.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from cvmon.i18n.messages import translate
from cvmon.web.pages import (
    admin,
    alerts,
    auth,
    camera,
    dashboard,
    evidence,
    flow,
    greetings,
    pack,
    privacy,
    report,
    room,
    setup,
    staff_examples,
    users,
)
from cvmon.web.render import language_of, render
from cvmon.web.session import LoginRequired, PageDenied, login_url

PAGE_ROUTERS = (
    auth.router,
    dashboard.router,
    camera.router,
    alerts.router,
    pack.router,  # before evidence: /evidence/pack would otherwise match /evidence/{evidence_id}
    evidence.router,
    admin.router,
    users.router,
    report.router,
    room.router,
    greetings.router,
    flow.router,
    staff_examples.router,
    setup.router,
    privacy.router,
)
# Paths answered in JSON (or plain text) on errors; everything else is a page of the viewer.
MACHINE_PREFIXES = ("/api/", "/metrics", "/openapi.json", "/docs")


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(MACHINE_PREFIXES)


async def _login_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginRequired)
    return RedirectResponse(login_url(error.next_path), status_code=303)


async def _page_denied(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageDenied)
    message = translate(language_of(request), error.key, **error.values)
    return render(request, "error.html", None, error.status_code, message=message)


async def _http_error(request: Request, error: Exception) -> Response:
    """Pages get an HTML error page (401: the login page); the JSON API keeps FastAPI's JSON."""
    assert isinstance(error, HTTPException)
    if not _is_page(request):
        return await http_exception_handler(request, error)
    if error.status_code == 401:
        return RedirectResponse(login_url(request.url.path), status_code=303)
    language = language_of(request)
    key = {403: "error.403", 404: "error.404"}.get(error.status_code)
    message = translate(language, key) if key else str(error.detail)
    response = render(request, "error.html", None, error.status_code, message=message)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def _invalid_request(request: Request, error: Exception) -> Response:
    """A page with a malformed parameter gets a 422 page naming it; the JSON API keeps FastAPI's list."""
    assert isinstance(error, RequestValidationError)
    if not _is_page(request):
        return await request_validation_exception_handler(request, error)
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
    return render(request, "error.html", None, 422, message=f"{where}: {first.get('msg', 'invalid')}")


def install_web(app: FastAPI) -> None:
    """Add the viewer's pages, its static files and its error pages to the app."""
    for router in PAGE_ROUTERS:
        app.include_router(router)
    static = resources.files("cvmon.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(PageDenied, _page_denied)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)

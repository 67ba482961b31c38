"""The OpenAPI document and Swagger UI, for signed-in users, with Swagger's files served from the
installed fastapi-offline package (no CDN)."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from cvmon.api.deps import authenticated

router = APIRouter(include_in_schema=False, dependencies=[Depends(authenticated)])

ASSETS = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}


@router.get("/openapi.json")
def openapi(request: Request) -> dict[str, Any]:
    """The OpenAPI document of the JSON API (any signed-in user)."""
    document: dict[str, Any] = request.app.openapi()
    return document


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    """Swagger UI (any signed-in user)."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="cvmon API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon.png",
    )


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    """A file of Swagger UI (any signed-in user)."""
    if name not in ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no asset '{name}'")
    data = (resources.files("fastapi_offline") / "static" / name).read_bytes()
    return Response(data, media_type=ASSETS[name], headers={"Cache-Control": "private, max-age=86400"})

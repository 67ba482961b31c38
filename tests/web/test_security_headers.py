"""The composed server's security headers: every response is nosniff, unframed and same-origin; pages
and their static files carry the page CSP; the JSON API is not cached and has no CSP."""

from __future__ import annotations

import pytest

from cvmon.api.app import PAGE_CSP
from tests.api.conftest import sqlite_only
from tests.web.conftest import Browser

EVERYWHERE = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


@sqlite_only
@pytest.mark.parametrize("path", ["/login", "/privacy", "/static/cvmon.css", "/no-such-page"])
def test_pages_carry_the_page_csp(web: Browser, path: str) -> None:
    response = web.client().get(path, follow_redirects=False)
    assert response.headers["Content-Security-Policy"] == PAGE_CSP
    assert {name: response.headers.get(name) for name in EVERYWHERE} == EVERYWHERE


@sqlite_only
def test_signed_in_pages_carry_the_page_csp(web: Browser) -> None:
    client, _ = web.login("admin")
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == PAGE_CSP


@sqlite_only
@pytest.mark.parametrize("path", ["/api/health", "/api/units"])
def test_the_api_is_not_cached_and_has_no_csp(web: Browser, path: str) -> None:
    response = web.client().get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" not in response.headers
    assert {name: response.headers.get(name) for name in EVERYWHERE} == EVERYWHERE

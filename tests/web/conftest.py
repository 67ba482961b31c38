"""Fixtures of the web viewer's tests: the seeded database and app of the API tests, with form sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser as ChromiumBrowser
from playwright.sync_api import sync_playwright

from cvmon.server import create_app
from tests.api.conftest import (  # noqa: F401
    FAST_PASSWORDS,
    PASSWORD,
    Api,
    FakeClock,
    Seeded,
    api,
    clock,
    database,
    database_url,
    make_settings,
    postgres_admin,
    postgres_template,
    seeded,
    sqlite_template,
)
from tests.web.live import CHROMIUM, CHROMIUM_FLAGS

_CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@dataclass
class Browser:
    """A TestClient that signs in through the login form, as a browser does."""

    api: Api

    def client(self, addr: str = "10.1.1.1") -> TestClient:
        return self.api.client(addr)

    def login(self, username: str, password: str = PASSWORD) -> tuple[TestClient, str]:
        """A client signed in through POST /login and the CSRF token its pages carry."""
        client = self.client()
        response = client.post("/login", data={"username": username, "password": password}, follow_redirects=False)
        assert response.status_code == 303, response.text
        page = client.get("/")
        assert page.status_code == 200, page.text
        found = _CSRF_INPUT.search(page.text)
        assert found is not None
        return client, found.group(1)


@pytest.fixture
def web(api: Api) -> Browser:  # noqa: F811
    return Browser(api)


@pytest.fixture
def web_app_factory(seeded: Seeded, clock: FakeClock) -> Iterator[object]:  # noqa: F811
    """Build an app on the seeded database with changed settings or a config."""

    def build(**kwargs: object) -> Browser:
        settings = kwargs.pop("settings", make_settings())
        app = create_app(
            settings,  # type: ignore[arg-type]
            database=seeded.db,
            evidence_dir=seeded.evidence_root,
            clock=clock,
            passwords=FAST_PASSWORDS,
            **kwargs,  # type: ignore[arg-type]
        )
        return Browser(Api(app, seeded, clock))

    yield build


@pytest.fixture(scope="module")
def chromium() -> Iterator[ChromiumBrowser]:
    """Headless Chromium from Debian (Playwright drives it), one per test module."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()

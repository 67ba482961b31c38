"""Recording a reference greeting from the viewer: admins only, CSRF, bad marks and clips refused with
a message, a camera that does not measure greetings refused; the upload is never kept."""

from __future__ import annotations

import copy
import re

import pytest

from cvmon.config import parse_config
from tests.api.conftest import CONFIG, sqlite_only
from tests.conftest import FOOTAGE_DIR
from tests.web.conftest import Browser

WORKER = FOOTAGE_DIR / "intel_worker-zone-detection.mp4"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
pytestmark = [sqlite_only, pytest.mark.skipif(not WORKER.is_file(), reason="needs the shared footage")]


def _config(enabled: bool = True):  # type: ignore[no-untyped-def]
    config = copy.deepcopy(CONFIG)
    if enabled:
        config["cameras"][0]["behaviour"] = {"enabled": True}
    return parse_config(config)


def _post(browser: Browser, user: str, marks: str = "1.0-2.0", target: str = "cam-a/staff-a"):  # type: ignore[no-untyped-def]
    client, _ = browser.login(user)
    page = client.get("/greetings")
    token = CSRF.search(page.text)
    files = {"clip": ("clip.mp4", WORKER.read_bytes(), "video/mp4")}
    data = {"csrf_token": token.group(1) if token else "", "target": target, "marks": marks}
    return page, client.post("/greetings/reference", data=data, files=files, follow_redirects=False)


def test_only_an_admin_sees_the_form_and_may_post(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    browser: Browser = web_app_factory(config=_config())
    page, _ = _post(browser, "admin", marks="x")
    assert 'data-testid="greet-reference"' in page.text and 'value="cam-a/staff-a"' in page.text
    pic_page, refused = _post(browser, "pic-a")
    assert 'data-testid="greet-reference"' not in pic_page.text
    assert refused.status_code == 403


def test_bad_marks_and_a_clip_it_cannot_learn_from_are_refused_with_a_message(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    browser: Browser = web_app_factory(config=_config())
    _, bad = _post(browser, "admin", marks="soon")
    assert bad.status_code == 422 and "soon" in bad.text
    _, unlearnable = _post(browser, "admin", marks="1.0-2.0")  # nobody greets in this clip's staff zone
    assert unlearnable.status_code == 422 and "tidak dapat dipelajari" in unlearnable.text


def test_a_camera_that_does_not_measure_greetings_is_refused(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    browser: Browser = web_app_factory(config=_config(enabled=False))
    page, refused = _post(browser, "admin")
    assert 'data-testid="greet-reference"' not in page.text
    assert refused.status_code in (403, 409)  # no form, so no CSRF token either

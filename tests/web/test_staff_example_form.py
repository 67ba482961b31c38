"""An admin confirms a staff member on a camera's latest anonymised frame: the box's torso colour joins
the camera's staff model (an aggregate; the box is not kept), audited; others and bad boxes refused."""

from __future__ import annotations

import copy
import re

import numpy as np
from sqlalchemy import select

from cvmon.config import parse_config
from cvmon.config.staff import StaffConfig
from cvmon.evidence.anonymise import anonymise
from cvmon.staff import StaffModel
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.models import AuditRecord
from tests.api.conftest import CONFIG, sqlite_only
from tests.web.conftest import Browser

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BOX = {"x1": "0.40", "y1": "0.20", "x2": "0.60", "y2": "0.90"}


def _site(web_app_factory, enabled: bool = True) -> Browser:  # type: ignore[no-untyped-def]
    config = copy.deepcopy(CONFIG)
    if enabled:
        config["cameras"][0]["staff"] = {"enabled": True}
    browser: Browser = web_app_factory(config=parse_config(config))
    image = np.full((240, 320, 3), 128, np.uint8)
    image[48:216, 128:192] = (110, 30, 20)  # a navy uniform, BGR
    EvidenceStore(browser.api.seeded.evidence_root).write_latest("cam-a", anonymise(image, [], caption=False))
    return browser


def _post(browser: Browser, user: str, box: dict[str, str] = BOX):  # type: ignore[no-untyped-def]
    client, _ = browser.login(user)
    page = client.get("/cameras/cam-a")
    token = CSRF.search(page.text)
    data = {"csrf_token": token.group(1) if token else "", **box}
    return page, client.post("/cameras/cam-a/staff-example", data=data, follow_redirects=False)


@sqlite_only
def test_an_admins_confirmed_box_joins_the_cameras_staff_model_and_is_audited(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    browser = _site(web_app_factory)
    page, done = _post(browser, "admin")
    assert 'data-testid="staff-example"' in page.text
    assert done.status_code == 303 and done.headers["location"] == "/cameras/cam-a?done=staff"
    stored = EvidenceStore(browser.api.seeded.evidence_root).staff_model_path("cam-a").read_text()
    model = StaffModel.from_json(stored, StaffConfig(enabled=True))
    assert model.staff_examples == StaffConfig().admin_weight  # one confirmed example, weighted
    assert "[" not in stored.split('"staff"')[0]  # only the aggregate clusters: no boxes, no coordinates
    _post(browser, "admin")
    assert (
        StaffModel.from_json(
            EvidenceStore(browser.api.seeded.evidence_root).staff_model_path("cam-a").read_text(),
            StaffConfig(enabled=True),
        ).staff_examples
        == 2 * StaffConfig().admin_weight
    )
    with browser.api.seeded.db.transaction("read", write=False) as session:
        actions = session.scalars(select(AuditRecord.action).where(AuditRecord.action == "staff.example")).all()
    assert len(actions) == 2


@sqlite_only
def test_others_bad_boxes_and_cameras_without_staff_recognition_are_refused(web_app_factory) -> None:  # type: ignore[no-untyped-def]
    browser = _site(web_app_factory)
    page, refused = _post(browser, "pic-a")
    assert 'data-testid="staff-example"' not in page.text and refused.status_code == 403
    _, flipped = _post(browser, "admin", {**BOX, "x2": "0.30"})
    assert flipped.status_code == 422
    _, outside = _post(browser, "admin", {**BOX, "x2": "1.5"})
    assert outside.status_code == 422
    off = _site(web_app_factory, enabled=False)
    page, not_enabled = _post(off, "admin")
    assert 'data-testid="staff-example"' not in page.text and not_enabled.status_code == 409

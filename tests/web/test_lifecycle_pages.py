"""A camera or zone taken out of cameras.yaml leaves the dashboard, while its history stays readable."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from cvmon.config import parse_config
from cvmon.reports.evidence_pack import evidence_pack
from cvmon.storage.config_history import sync_config
from tests.api.conftest import CONFIG, T0
from tests.web.conftest import Browser

MATARAM = ["ulp-ampenan", "ulp-cakra", "up3-mataram"]


def _remove_camera_b_and_zone_staff_a(web: Browser, now: datetime | None = None) -> None:
    data = copy.deepcopy(CONFIG)
    data["cameras"] = [c for c in data["cameras"] if c["id"] != "cam-b"]
    data["cameras"][0]["zones"] = [z for z in data["cameras"][0]["zones"] if z["id"] != "staff-a"]
    sync_config(web.api.seeded.db, parse_config(data), now=now)


def test_a_removed_camera_and_zone_are_not_on_the_dashboard(web: Browser) -> None:
    manager, _ = web.login("manager")
    before = manager.get("/").text
    assert 'data-camera="cam-b"' in before and 'data-zone="staff-a"' in before

    _remove_camera_b_and_zone_staff_a(web)
    assert 'data-unit="ulp-cakra"' in manager.get("/").text  # the unit stays, its camera is gone
    for path in ("/", "/ui/tiles"):
        page = manager.get(path).text
        assert 'data-camera="cam-a"' in page and 'data-zone="queue-a"' in page, path
        assert 'data-camera="cam-b"' not in page and 'data-zone="staff-a"' not in page, path


def test_an_ongoing_condition_of_a_removed_camera_ends_where_its_data_ends(web: Browser) -> None:
    manager, _ = web.login("manager")
    _remove_camera_b_and_zone_staff_a(web)
    alerts = {a["camera_id"]: a for a in manager.get("/api/alerts").json()}
    gone, kept = alerts["cam-b"], alerts["cam-a"]
    assert (gone["condition"], gone["status"]) == ("cleared", "open")  # still waiting for acknowledgement
    assert gone["cleared_at"] == (T0 + timedelta(minutes=3)).isoformat().replace("+00:00", "Z")  # last row 09:02
    assert (kept["condition"], kept["cleared_at"]) == ("ongoing", None)  # its camera still observes it
    (cakra,) = [u for u in manager.get("/api/units/summary").json() if u["unit_id"] == "ulp-cakra"]
    assert (cakra["alerts"]["ongoing"], cakra["alerts"]["waiting"]) == (0, 1)


def test_the_history_of_a_removed_camera_stays_readable(web: Browser) -> None:
    manager, _ = web.login("manager")
    _remove_camera_b_and_zone_staff_a(web)
    period = {"from": T0.isoformat(), "to": (T0 + timedelta(hours=1)).isoformat(), "resolution": "minute"}
    series = manager.get("/api/series", params={"camera": "cam-b", "zone": "queue-b", **period})
    assert series.status_code == 200, series.text
    (queue,) = series.json()["zones"]
    assert queue["points"], queue
    alerts = manager.get("/api/alerts", params={"camera": "cam-b"})
    assert alerts.status_code == 200 and alerts.json()


def test_an_evidence_pack_after_the_removal_lists_neither(web: Browser) -> None:
    removed = datetime.now(UTC) + timedelta(days=1)  # after the seed's sync: the periods began then
    _remove_camera_b_and_zone_staff_a(web, removed)
    start = removed + timedelta(hours=1)
    with web.api.seeded.db.transaction("test", write=False) as session:
        pack = evidence_pack(session, "up3-mataram", MATARAM, start, start + timedelta(minutes=3))
        before = evidence_pack(session, "up3-mataram", MATARAM, T0, T0 + timedelta(minutes=3))
    assert [(c.id, [z.zone_id for z in c.zones]) for c in pack.cameras] == [("cam-a", ["queue-a"])]
    assert [c.id for c in before.cameras] == ["cam-a", "cam-b"]  # it had data then: history stays

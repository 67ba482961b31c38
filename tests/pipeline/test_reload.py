"""Reloading cameras.yaml inside `cvmon run`: which workers an edit concerns, how an edit is noticed,
and what the housekeeping thread takes over. The live end-to-end run is in tests/sources/test_live_reload.py."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from cvmon.alerts.notifications import load_notify_settings
from cvmon.config import parse_config
from cvmon.errors import ConfigError
from cvmon.logs import configure_logging
from cvmon.pipeline.bookkeeping import RunBookkeeping
from cvmon.pipeline.reload import FileWatcher, ReloadPlan, plan_reload, reload_every_s
from cvmon.pipeline.workers import WorkerPool, apply_reload
from cvmon.storage.config_history import sync_config
from cvmon.storage.database import open_database
from cvmon.storage.models import ZoneRecord

SQUARE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
HALF = [[0.0, 0.0], [0.5, 0.0], [0.5, 1.0], [0.0, 1.0]]


def base() -> dict[str, Any]:
    return {
        "units": [
            {"id": "up3", "name": "UP3", "level": "up3"},
            {"id": "ulp-a", "name": "ULP A", "level": "ulp", "parent": "up3"},
            {"id": "ulp-b", "name": "ULP B", "level": "ulp", "parent": "up3"},
        ],
        "cameras": [
            {
                "id": "a",
                "unit": "ulp-a",
                "source": "rtsp://cam/a",
                "zones": [{"id": "hall", "kind": "waiting", "points": SQUARE}],
            },
            {
                "id": "b",
                "unit": "ulp-b",
                "source": "rtsp://cam/b",
                "zones": [{"id": "hall", "kind": "waiting", "points": SQUARE}],
            },
        ],
    }


def edited(change: str) -> dict[str, Any]:
    data = copy.deepcopy(base())
    cam_a, cam_b = data["cameras"]
    if change == "zone added":
        cam_a["zones"].append({"id": "desk", "kind": "queue", "points": HALF})
    elif change == "polygon moved":
        cam_a["zones"][0]["points"] = HALF
    elif change == "unit hours":
        data["units"][1]["service_hours"] = {"mon": ["07:00-12:00"]}
    elif change == "parent time zone":
        data["units"][0]["timezone"] = "Asia/Jakarta"
    elif change == "defaults":
        data["defaults"] = {"analysis_fps": 2}
    elif change == "retention":
        data["retention"] = {"snapshots_days": 30}
    elif change == "camera added":
        data["cameras"].append({"id": "c", "unit": "ulp-a", "source": "rtsp://cam/c"})
    elif change == "camera removed":
        data["cameras"].remove(cam_b)
    elif change == "camera disabled":
        cam_b["enabled"] = False
    elif change == "camera renamed in place":
        cam_b["id"] = "b2"
    return data


@pytest.mark.parametrize(
    ("change", "running", "expected"),
    [
        ("zone added", {"a", "b"}, ReloadPlan(restart=("a",))),
        ("polygon moved", {"a", "b"}, ReloadPlan(restart=("a",))),
        ("unit hours", {"a", "b"}, ReloadPlan(restart=("a",))),
        ("parent time zone", {"a", "b"}, ReloadPlan(restart=("a", "b"))),
        ("defaults", {"a", "b"}, ReloadPlan(restart=("a", "b"))),
        ("retention", {"a", "b"}, ReloadPlan()),
        ("camera added", {"a", "b"}, ReloadPlan(start=("c",))),
        ("camera removed", {"a", "b"}, ReloadPlan(stop=("b",))),
        ("camera disabled", {"a", "b"}, ReloadPlan(stop=("b",))),
        ("camera disabled", {"a"}, ReloadPlan()),  # b had ended already: nothing to stop
        ("camera renamed in place", {"a", "b"}, ReloadPlan(start=("b2",), stop=("b",))),
        ("zone added", set(), ReloadPlan(restart=("a",))),  # ended on its own, but its settings changed
        ("polygon moved", {"b"}, ReloadPlan(restart=("a",))),
    ],
)
def test_plan_reload(change: str, running: set[str], expected: ReloadPlan) -> None:
    assert plan_reload(parse_config(base()), parse_config(edited(change)), running) == expected


def test_workers_that_ended_on_their_own_stay_ended() -> None:
    """a and b ended (their files ended); an edit that does not concern them starts neither again."""
    plan = plan_reload(parse_config(base()), parse_config(edited("camera added")), running=set())
    assert plan == ReloadPlan(start=("c",))


def test_plan_reload_keeps_to_the_chosen_cameras() -> None:
    old, new = parse_config(base()), parse_config(edited("camera added"))
    assert plan_reload(old, new, {"a"}, only=["a"]) == ReloadPlan()
    assert plan_reload(old, parse_config(edited("defaults")), {"a"}, only=["a"]) == ReloadPlan(restart=("a",))


def test_file_watcher_sees_edits_not_touches(tmp_path: Path) -> None:
    path = tmp_path / "cameras.yaml"
    path.write_text("a: 1\n")
    watcher = FileWatcher(path)
    assert not watcher.changed()
    os.utime(path, ns=(1, 1))  # touched, same bytes
    assert not watcher.changed()
    path.write_text("a: 2\n")
    assert watcher.changed()
    assert not watcher.changed()
    tmp = tmp_path / "new.yaml"
    tmp.write_text("a: 3\n")
    os.replace(tmp, path)  # how an editor saves
    assert watcher.changed()
    path.unlink()
    assert watcher.changed()
    assert not watcher.changed()
    path.write_text("a: 3\n")
    assert watcher.changed()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 2.0), ("0.25", 0.25), ("0", ConfigError), ("soon", ConfigError)],
)
def test_reload_interval_from_the_environment(
    value: str | None, expected: float | type[Exception], monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv("CVMON_RELOAD_EVERY_S", raising=False)
    else:
        monkeypatch.setenv("CVMON_RELOAD_EVERY_S", value)
    if isinstance(expected, float):
        assert reload_every_s() == expected
    else:
        with pytest.raises(expected, match="CVMON_RELOAD_EVERY_S"):
            reload_every_s()


def test_apply_reload_refuses_an_invalid_edit_and_stores_a_valid_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No worker runs here (cameras disabled), so only the decisions, the database and the housekeeper are seen."""
    configure_logging()  # as the command line does: the messages are logged
    data = base()
    for cam in data["cameras"]:
        cam["enabled"] = False
    path = tmp_path / "cameras.yaml"
    path.write_text(yaml.safe_dump(data))
    config = parse_config(data)
    with open_database(f"sqlite:///{tmp_path / 'reload.db'}") as db:
        sync_config(db, config)
        bookkeeping = RunBookkeeping(db.url, config, load_notify_settings(), tmp_path / "evidence").start()
        assert bookkeeping.ready and bookkeeping.housekeeper is not None
        housekeeper = bookkeeping.housekeeper
        pool = WorkerPool(db.url)

        data["cameras"][0]["zones"][0]["points"] = [[0.0, 0.0], [1.0, 1.0]]
        path.write_text(yaml.safe_dump(data))
        kept, plan = apply_reload(path, config, pool, bookkeeping)
        assert kept is config and not plan
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1
        assert err[0].startswith("cvmon: config reload refused: ")
        assert "cameras[0].zones[0].points" in err[0]

        data["cameras"][0]["zones"] = [{"id": "desk", "kind": "queue", "points": HALF}]
        data["retention"] = {"run_every_min": 5}
        path.write_text(yaml.safe_dump(data))
        new, plan = apply_reload(path, config, pool, bookkeeping)
        assert not plan and not pool.procs
        assert capsys.readouterr().out == "cvmon: config reloaded, no camera affected\n"
        assert new.camera("a").zones[0].id == "desk"
        assert housekeeper.notifier.config is new
        assert {name: every for name, every, _ in housekeeper.jobs}["retention"] == 300.0
        with db.transaction("read", write=False) as session:
            zones = {(z.camera_id, z.zone_id) for z in session.query(ZoneRecord)}
        assert ("a", "desk") in zones and ("a", "hall") in zones  # the old zone keeps its row for history
        bookkeeping.close()

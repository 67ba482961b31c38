"""End to end in real headless Chromium: an admin draws a zone over a live test stream's snapshot, an
invalid polygon is refused beside it, the valid one is saved, and the running ``cvmon run`` worker's
minute rows use the new zone (real GStreamer RTSP server, real worker processes, SQLite)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect, sync_playwright

from cvmon.config import load_config
from cvmon.server import create_app
from cvmon.storage.config_history import sync_config
from cvmon.storage.database import open_database
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.users import UserRepository
from tests.api.conftest import FAST_PASSWORDS, PASSWORD, SEED_ACTOR, make_settings
from tests.sources.conftest import RtspServer, start_rtsp_server  # noqa: F401
from tests.web.live import CHROMIUM, CHROMIUM_FLAGS, TIMEOUT_MS, serving

CVMON = Path(sys.executable).parent / "cvmon"
# One person standing still, feet at (0.40, 0.70): inside the zone the test draws, outside nothing else.
SCENE = {"people": [{"path": [[0, 0.40, 0.60], [100000, 0.40, 0.60]], "size": [0.05, 0.20]}]}
NEW_ZONE = [(0.30, 0.60), (0.50, 0.60), (0.50, 0.80), (0.30, 0.80)]
BOW_TIE = [(0.60, 0.10), (0.90, 0.40), (0.90, 0.10), (0.60, 0.40)]


def _wait(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def deployment(start_rtsp_server: Callable[..., RtspServer], tmp_path: Path) -> Iterator[dict[str, object]]:  # noqa: F811
    server = start_rtsp_server("--pattern", "--width", "640", "--height", "360", "--fps", "25")
    scene = tmp_path / "scene.yaml"
    scene.write_text(yaml.safe_dump(SCENE))
    config = tmp_path / "cameras.yaml"
    config.write_text(
        "# the office's cameras; this comment must survive the editor\n"
        + yaml.safe_dump(
            {
                "units": [{"id": "ulp-a", "name": "ULP A", "level": "ulp"}],
                "defaults": {"analysis_fps": 5, "rtsp_open_timeout_s": 5, "rtsp_read_timeout_s": 3},
                "cameras": [
                    {
                        "id": "live",
                        "unit": "ulp-a",
                        "source": server.url,
                        "detector": {"type": "replay", "model": str(scene)},
                        "zones": [{"id": "hall", "kind": "waiting", "points": [[0, 0], [1, 0], [1, 0.5], [0, 0.5]]}],
                    }
                ],
            },
            sort_keys=False,
        )
    )
    url = f"sqlite:///{tmp_path / 'cvmon.db'}"
    env = {
        **os.environ,
        "CVMON_DATABASE_URL": url,
        "CVMON_DATA_DIR": str(tmp_path / "data"),
        "CVMON_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "CVMON_RELOAD_EVERY_S": "0.5",
    }
    db = open_database(url)
    sync_config(db, load_config(config))  # as `cvmon run` does, without racing it
    UserRepository(db, FAST_PASSWORDS).add(
        "admin", PASSWORD, "admin", ["ulp-a"], actor=SEED_ACTOR, now=datetime.now(UTC)
    )
    app = create_app(
        make_settings(environment="development", config=config),
        database=db,
        evidence_dir=tmp_path / "evidence",
        passwords=FAST_PASSWORDS,
    )
    run = subprocess.Popen(
        [str(CVMON), "run", str(config)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(iter(run.stdout.readline, "")), daemon=True).start()  # type: ignore[union-attr]
    try:
        with serving(app) as url:
            yield {"url": url, "run": run, "output": output, "db": db, "config": config}
    finally:
        if run.poll() is None:
            run.send_signal(signal.SIGTERM)
            try:
                run.wait(timeout=30)
            except subprocess.TimeoutExpired:
                run.kill()
        db.close()


def _click(page: Page, points: list[tuple[float, float]]) -> None:
    box = page.locator("#editor-svg").bounding_box()
    assert box is not None
    for x, y in points:
        page.mouse.click(box["x"] + x * box["width"], box["y"] + y * box["height"])


def test_admin_draws_a_zone_and_the_running_worker_uses_it(deployment: dict[str, object]) -> None:
    run = deployment["run"]
    output = deployment["output"]
    assert isinstance(run, subprocess.Popen) and isinstance(output, list)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(base_url=str(deployment["url"]))
        page.set_default_timeout(TIMEOUT_MS)
        page.goto("/login?next=/admin/cameras")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.get_by_test_id("edit-zones").click()
        expect(page.locator("#zone-editor")).to_have_attribute("data-snapshot", "ready", timeout=30_000)
        assert page.locator("#editor-image").evaluate("img => img.naturalWidth") == 640

        # a polygon that crosses itself is refused, with the reason beside it, and nothing is saved
        page.get_by_test_id("new-zone").click()
        _click(page, BOW_TIE)
        page.keyboard.press("Enter")
        page.get_by_test_id("save-zones").click()
        expect(page.get_by_test_id("shape-problems")).to_contain_text("crosses itself")
        expect(page.get_by_test_id("editor-problems")).to_contain_text("zones[1].points")
        page.get_by_test_id("undo").click()  # the last point
        page.keyboard.press("Control+z")  # ... and back to no new zone at all
        for _ in range(4):
            page.keyboard.press("Control+z")
        expect(page.locator("#shape-list li")).to_have_count(1)

        # the valid zone
        page.get_by_test_id("new-zone").click()
        _click(page, NEW_ZONE)
        page.keyboard.press("Enter")
        page.get_by_test_id("zone-id").fill("door-queue")
        page.get_by_test_id("zone-id").press("Tab")
        page.get_by_test_id("zone-kind").select_option("queue")
        page.get_by_test_id("save-zones").click()
        expect(page.get_by_test_id("editor-status")).to_have_text("Tersimpan.")
        browser.close()

    config = Path(str(deployment["config"]))
    assert config.read_text().startswith("# the office's cameras; this comment must survive the editor\n")
    assert (config.parent / "cameras.yaml.1").is_file()
    _wait(lambda: any("camera live restarted" in line for line in output), 30, "the worker's restart")
    restarted_at = time.time()
    latest = config.parent / "evidence" / "latest" / "live.jpg"  # the first analysed frame writes it

    def new_worker_analyses() -> bool:
        return latest.is_file() and latest.stat().st_mtime > restarted_at

    _wait(new_worker_analyses, 40, "the restarted worker's first frame")
    time.sleep(2)  # a few more analysed frames
    db = deployment["db"]
    run.send_signal(signal.SIGTERM)  # every worker flushes its open minute
    assert run.wait(timeout=60) == 0, "".join(output)
    rows = MinuteRepository(db).minute_rows("live")  # type: ignore[attr-defined]
    new_rows = [r for r in rows if r.zone_id == "door-queue"]
    assert new_rows and sum(r.samples for r in new_rows) > 0, "".join(output)
    assert sum(r.count_sum for r in new_rows) == sum(r.samples for r in new_rows)  # the one person, every sample
    hall = [r for r in rows if r.zone_id == "hall"]
    assert hall and sum(r.count_sum for r in hall) == 0  # nobody's feet in the upper half
    keys = [(r.zone_id, r.minute) for r in rows]
    assert len(keys) == len(set(keys))  # the minute of the change is one row per zone, merged

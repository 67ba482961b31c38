"""`cvmon alerts list|ack|resolve` on alerts that `cvmon process` opened from a scripted scene."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import make_blank_video

CVMON = Path(sys.executable).parent / "cvmon"
QUEUE = [[0.0, 0.5], [0.5, 0.5], [0.5, 1.0], [0.0, 1.0]]


def cvmon(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CVMON), *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def processed(tmp_path: Path) -> dict[str, str]:
    people = [{"path": [[5, 0.1 * i, 0.9], [60, 0.1 * i, 0.9]], "size": [0.05, 0.25]} for i in range(1, 5)]
    (tmp_path / "scene.yaml").write_text(yaml.safe_dump({"people": people}))
    make_blank_video(tmp_path / "hall.mp4", 90)
    every_day = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    config = {
        "units": [
            {"id": "up3-mataram", "name": "UP3 Mataram", "level": "up3", "service_hours": every_day},
            {"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp", "parent": "up3-mataram"},
            {"id": "ulp-cakra", "name": "ULP Cakranegara", "level": "ulp", "parent": "up3-mataram"},
        ],
        "defaults": {"rules": {"queue_long": {"threshold": 3, "for_s": 10, "clear_below": 1, "clear_for_s": 5}}},
        "cameras": [
            {
                "id": "hall",
                "unit": "ulp-ampenan",
                "source": "hall.mp4",
                "detector": {"type": "replay", "model": str(tmp_path / "scene.yaml")},
                "zones": [{"id": "queue", "kind": "queue", "points": QUEUE}],
            }
        ],
    }
    (tmp_path / "cameras.yaml").write_text(yaml.safe_dump(config))
    env = {
        **os.environ,
        "CVMON_DATA_DIR": str(tmp_path / "data"),
        "CVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    done = cvmon(
        [
            "process",
            str(tmp_path / "hall.mp4"),
            "--config",
            str(tmp_path / "cameras.yaml"),
            "--camera",
            "hall",
            "--start",
            "2026-11-23T09:00:00+08:00",
            "--no-progress",
        ],
        env,
    )
    assert done.returncode == 0, done.stderr
    return env


def test_list_ack_resolve(processed: dict[str, str]) -> None:
    listed = cvmon(["alerts", "list", "--format", "json"], processed)
    assert listed.returncode == 0, listed.stderr
    alerts = json.loads(listed.stdout)
    assert [(a["rule"], a["status"], a["unit_id"]) for a in alerts] == [("queue_long", "open", "ulp-ampenan")]
    assert alerts[0]["opened_at"].startswith("2026-11-23T01:00:15")  # 09:00:05 WITA + 10 s
    alert_id = str(alerts[0]["id"])

    assert json.loads(cvmon(["alerts", "list", "--unit", "up3-mataram", "--format", "json"], processed).stdout)
    assert json.loads(cvmon(["alerts", "list", "--unit", "ulp-cakra", "--format", "json"], processed).stdout) == []

    acked = cvmon(["alerts", "ack", alert_id, "--who", "pic.ampenan"], processed)
    assert acked.returncode == 0 and "acknowledged by pic.ampenan" in acked.stdout

    bad = cvmon(["alerts", "resolve", alert_id, "--category", "magic", "--note", "x"], processed)
    assert bad.returncode == 2 and bad.stderr.startswith("cvmon: error: --category")
    resolved = cvmon(
        ["alerts", "resolve", alert_id, "--category", "flow_change", "--note", "Opened loket 2"], processed
    )
    assert resolved.returncode == 0, resolved.stderr
    assert json.loads(cvmon(["alerts", "list", "--open", "--format", "json"], processed).stdout) == []
    final = json.loads(cvmon(["alerts", "list", "--format", "json"], processed).stdout)[0]
    assert (final["status"], final["followup_category"], final["followup_note"], final["acked_by"]) == (
        "resolved",
        "flow_change",
        "Opened loket 2",
        "pic.ampenan",
    )
    again = cvmon(["alerts", "resolve", alert_id, "--category", "other", "--note", "again"], processed)
    assert again.returncode == 1 and "already resolved" in again.stderr and "Traceback" not in again.stderr
    missing = cvmon(["alerts", "ack", "999"], processed)
    assert missing.returncode == 1 and missing.stderr.strip() == "cvmon: error: no alert 999"


def test_evidence_list_and_verify_reports_a_tampered_file(processed: dict[str, str], tmp_path: Path) -> None:
    listed = cvmon(["evidence", "list"], processed)
    assert listed.returncode == 0 and "open" in listed.stdout and "queue=4" in listed.stdout
    ok = cvmon(["evidence", "verify"], processed)
    assert ok.returncode == 0, ok.stderr
    snapshots = sorted(p for p in (tmp_path / "data" / "evidence").rglob("*.jpg") if "latest" not in p.parts)
    assert f"{len(snapshots)} of {len(snapshots)} snapshot(s) intact" in ok.stdout
    data = bytearray(snapshots[0].read_bytes())
    data[len(data) // 2] ^= 0xFF
    snapshots[0].write_bytes(bytes(data))
    bad = cvmon(["evidence", "verify"], processed)
    assert bad.returncode == 1
    assert f"{len(snapshots) - 1} of {len(snapshots)} snapshot(s) intact" in bad.stdout
    assert "evidence" in bad.stderr and "Traceback" not in bad.stderr

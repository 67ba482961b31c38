"""`cvmon retention run` deletes what is past its period: rows, snapshots with their files, alerts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import yaml

from tests.cli.test_alerts_cli import cvmon, processed  # noqa: F401


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"select count(*) from {table}").fetchone()[0])


def test_retention_run_deletes_what_is_past_its_period(processed: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    db = tmp_path / "x.db"
    evidence = tmp_path / "data" / "evidence"
    snapshots = [p for p in evidence.rglob("*.jpg") if "latest" not in p.parts]
    assert count(db, "minute_stats") > 0 and count(db, "evidence") == len(snapshots) > 0
    assert count(db, "alerts") == 1

    config_path = tmp_path / "cameras.yaml"
    keep_all = cvmon(["retention", "run", "--config", str(config_path)], processed)
    assert keep_all.returncode == 0, keep_all.stderr
    assert "minute_rows_deleted: 0" in keep_all.stdout and count(db, "hourly_stats") > 0
    assert count(db, "evidence") == len(snapshots)

    config = yaml.safe_load(config_path.read_text())
    config["retention"] = {"snapshots_days": 0.001, "alerts_days": 0.001, "minute_rows_days": 0.001}
    config_path.write_text(yaml.safe_dump(config))
    result = cvmon(["retention", "run", "--config", str(config_path)], processed)
    assert result.returncode == 0, result.stderr
    # the recording was made at 09:00 WITA on 2026-11-23, far more than 0.001 days (86 s) ago
    assert count(db, "minute_stats") == 0 and count(db, "hourly_stats") > 0
    assert count(db, "evidence") == 0 and not any(p.is_file() for p in snapshots)
    assert count(db, "alerts") == 0
    assert (evidence / "latest" / "hall.jpg").is_file()  # the viewer's latest frame stays

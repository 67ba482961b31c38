"""`cvmon report` as users run it: JSON, CSV and PDF of the seeded Monday, bad input in one line (SQLite file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cvmon.storage.audit import AuditRepository
from cvmon.storage.database import open_database
from tests.reports.conftest import CONFIG, seed_report_data

CVMON = Path(sys.executable).parent / "cvmon"


def _setup(tmp_path: Path) -> tuple[dict[str, str], Path]:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    with open_database(url) as db:
        seed_report_data(db)
    config = tmp_path / "cameras.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    env = {**os.environ, "CVMON_DATABASE_URL": url, "CVMON_DATA_DIR": str(tmp_path / "data")}
    return env, config


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CVMON), "report", *args], env=env, capture_output=True, text=True, timeout=120)


def test_report_command_outputs_and_audit(tmp_path: Path) -> None:
    env, config = _setup(tmp_path)
    period = ["--unit", "up3-mataram", "--from", "2026-11-23", "--to", "2026-11-23", "--config", str(config)]
    result = _run(period, env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["index"]["value"] == 62.5 and data["index"]["category"] == "fair"
    assert data["change"] == 62.5
    assert [r["unit_id"] for r in data["ranking"]] == ["ulp-ampenan", "ulp-cakra"]
    assert data["figures"]["wait"]["p90_s"] == pytest.approx(824.0, rel=0.02)

    csv_out = _run([*period, "--format", "csv"], env)
    assert csv_out.returncode == 0 and "index,value,62.5,0" in csv_out.stdout

    pdf = tmp_path / "r.pdf"
    assert _run([*period, "--format", "pdf", "--out", str(pdf), "--language", "en"], env).returncode == 0
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Service-environment report" in text and "62.5%" in text and "ULP Ampenan" in text

    with open_database(env["CVMON_DATABASE_URL"]) as db:
        formats = [e.details["format"] for e in AuditRepository(db).find(action="report.export")]
    assert sorted(formats) == ["csv", "json", "pdf"]


def test_report_command_bad_input_is_one_line(tmp_path: Path) -> None:
    env, config = _setup(tmp_path)
    base = ["--config", str(config)]
    cases = [
        (["--unit", "nowhere", "--from", "2026-11-23", "--to", "2026-11-23", *base], "no unit 'nowhere'"),
        (["--unit", "ulp-ampenan", "--from", "23/11/2026", "--to", "2026-11-23", *base], "--from: '23/11/2026'"),
        (["--unit", "ulp-ampenan", "--from", "2026-11-23", "--to", "2026-11-01", *base], "ends (2026-11-01) before"),
        (["--unit", "ulp-ampenan", "--from", "2026-11-23", "--to", "2026-11-23", "--format", "pdf", *base], "--out"),
        (["--unit", "ulp-ampenan", "--from", "2026-11-23", "--to", "2026-11-23", "--format", "xls", *base], "xls"),
        (["--unit", "ulp-ampenan", "--from", "2026-11-23", "--to", "2026-11-23", "--config", "nope.yaml"], "nope.yaml"),
    ]
    for args, message in cases:
        result = _run(args, env)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("cvmon: error: ") and message in lines[0], (args, lines)
        assert result.stdout == ""

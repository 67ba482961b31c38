"""`cvmon report --out FILE`: the format follows the file's extension; a contradicting --format is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvmon.cli_reports import ReportFormat, report_format
from cvmon.config import load_config
from cvmon.errors import ConfigError
from cvmon.storage.config_history import sync_config
from cvmon.storage.database import open_database
from tests.cli.cli_run import REPO_ROOT, cli_env, cvmon

REPORT = ["report", "--unit", "ulp-ampenan", "--from", "2026-11-02", "--to", "2026-11-03"]
REPORT += ["--config", str(REPO_ROOT / "cameras.yaml")]


@pytest.mark.parametrize(
    ("fmt", "out", "expected"),
    [
        (None, None, "json"),
        ("csv", None, "csv"),
        (None, "r.pdf", "pdf"),
        (None, "R.PDF", "pdf"),
        (None, "r.csv", "csv"),
        (None, "r.json", "json"),
        ("pdf", "r.pdf", "pdf"),
        ("json", "r.txt", "json"),  # an extension that names no format leaves --format alone
    ],
)
def test_the_format_is_given_or_taken_from_the_extension(fmt: str | None, out: str | None, expected: str) -> None:
    assert report_format(_format(fmt), None if out is None else Path(out)) == expected


@pytest.mark.parametrize(
    ("fmt", "out", "message"),
    [
        ("pdf", "r.csv", "--out r.csv names a .csv file but --format is pdf; make them agree"),
        ("json", "r.pdf", "--out r.pdf names a .pdf file but --format is json; make them agree"),
        (None, "r.txt", "--out r.txt: cannot tell the format from the name; end it in .pdf, .csv or .json"),
    ],
)
def test_a_format_that_cannot_be_told_or_contradicts_is_refused(fmt: str | None, out: str | None, message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        report_format(_format(fmt), None if out is None else Path(out))
    assert str(refused.value) == message


def _format(fmt: str | None) -> ReportFormat | None:
    return None if fmt is None else ReportFormat(fmt)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format: 'xml' is not one of pdf, csv, json"),
        (["--language", "fr"], "--language: 'fr' is not one of id, en"),
    ],
)
def test_a_value_not_among_the_choices_is_a_one_line_error_naming_them(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = cvmon([*REPORT, *args], cli_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"cvmon: error: {message}\n"
    assert result.stdout == ""


def test_the_help_lists_the_formats(tmp_path: Path) -> None:
    shown = cvmon(["report", "--help"], cli_env(tmp_path)).stdout
    assert "--format pdf|csv|json" in shown
    assert "--language id|en" in shown


def _stored(tmp_path: Path) -> dict[str, str]:
    """A database holding the example configuration's units (a report of no minutes is still one)."""
    env = cli_env(tmp_path)
    with open_database(env["CVMON_DATABASE_URL"]) as db:
        sync_config(db, load_config(REPO_ROOT / "cameras.yaml"))
    return env


def test_out_pdf_writes_a_pdf_and_a_mismatch_writes_nothing(tmp_path: Path) -> None:
    env = _stored(tmp_path)
    written = cvmon([*REPORT, "--out", "r.pdf"], env, cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    assert written.stderr.startswith("wrote r.pdf (") and written.stderr.endswith(" bytes, pdf)\n")

    as_json = cvmon([*REPORT, "--out", "r.json"], env, cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["unit_id"] == "ulp-ampenan"

    refused = cvmon([*REPORT, "--format", "pdf", "--out", "r.csv"], env, cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == "cvmon: error: --out r.csv names a .csv file but --format is pdf; make them agree\n"
    assert not (tmp_path / "r.csv").exists()


def test_out_in_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    result = cvmon([*REPORT, "--out", str(tmp_path / "no" / "r.json")], _stored(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr
        == f"cvmon: error: --out {tmp_path / 'no' / 'r.json'}: the folder {tmp_path / 'no'} does not exist\n"
    )

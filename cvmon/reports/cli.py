"""``cvmon report``: a unit's periodic report as PDF, CSV or JSON from the command line (audited)."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmon.errors import ConfigError

if TYPE_CHECKING:
    from cvmon.reports.report import UnitReport


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option}: '{value}' is not a date like 2026-11-01") from None


def report_command(
    unit: Annotated[str, typer.Option(help="Unit id; the report covers it and every unit below it.")],
    first: Annotated[str, typer.Option("--from", help="First local day, YYYY-MM-DD.")],
    last: Annotated[str, typer.Option("--to", help="Last local day, YYYY-MM-DD (inclusive).")],
    fmt: Annotated[str, typer.Option("--format", help="pdf, csv or json.")] = "json",
    out: Annotated[Path | None, typer.Option(help="Write here (a PDF needs it); default stdout.")] = None,
    config_path: Annotated[
        Path, typer.Option("--config", "-c", help="cameras.yaml: service hours, rules, weights.")
    ] = Path("cameras.yaml"),
    language: Annotated[str, typer.Option(help="id or en (PDF).")] = "id",
    database: Annotated[str | None, typer.Option(help="Database URL (default CVMON_DATABASE_URL).")] = None,
) -> None:
    """The service-environment report of a unit over a period: figures, index, change, ranking, quick wins."""
    from cvmon.config import load_config
    from cvmon.reports.export import report_csv, report_json
    from cvmon.reports.report import build_report
    from cvmon.settings import get_settings
    from cvmon.storage.audit import AuditAction, AuditActor, AuditRepository
    from cvmon.storage.database import open_database

    if fmt not in ("pdf", "csv", "json"):
        raise ConfigError(f"--format: '{fmt}' is not one of pdf, csv, json")
    if language not in ("id", "en"):
        raise ConfigError(f"--language: '{language}' is not one of id, en")
    if fmt == "pdf" and out is None:
        raise ConfigError("--format pdf needs --out FILE")
    start, end = _day(first, "--from"), _day(last, "--to")
    config = load_config(config_path)
    with open_database(database or get_settings().resolved_database_url) as db:
        with db.transaction("cannot read reports from", write=False) as session:
            every_unit = [u.id for u in config.units]
            report = build_report(session, config, unit, every_unit, start, end)
        if fmt == "json":
            body = (json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n").encode()
        elif fmt == "csv":
            body = report_csv(report).encode()
        else:
            body = _pdf(report, language)
        actor = AuditActor(f"cli:{getpass.getuser()}", "local")
        details = {"unit": unit, "from": str(start), "to": str(end), "format": fmt}
        AuditRepository(db).record(datetime.now(UTC), actor, AuditAction.REPORT_EXPORT, f"unit:{unit}", details)
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        out.write_bytes(body)
        typer.echo(f"wrote {out} ({len(body)} bytes)", err=True)


def _pdf(report: UnitReport, language: str) -> bytes:
    from cvmon.web.report_document import report_pdf

    return report_pdf(report, "en" if language == "en" else "id", f"cli:{getpass.getuser()}", datetime.now(UTC))

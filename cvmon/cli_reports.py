"""``cvmon report``: a unit's periodic report as PDF, CSV or JSON from the command line (audited)."""

from __future__ import annotations

import enum
import getpass
import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmon.cli_params import DatabaseOption, choice, choices_metavar
from cvmon.errors import ConfigError, CvmonError

if TYPE_CHECKING:
    from cvmon.reports.report import UnitReport


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option}: '{value}' is not a date like 2026-11-01") from None


class ReportFormat(enum.StrEnum):
    """What `cvmon report` writes."""

    PDF = "pdf"
    CSV = "csv"
    JSON = "json"


class PdfLanguage(enum.StrEnum):
    """The language of a report's PDF."""

    ID = "id"
    EN = "en"


def report_format(fmt: ReportFormat | None, out: Path | None) -> ReportFormat:
    """The format to write: --format, else the --out file's extension, else json; a mismatch is an error."""
    if out is None:
        return fmt or ReportFormat.JSON
    named = out.suffix.lower().removeprefix(".")
    known = named in tuple(ReportFormat)
    if fmt is None:
        if not known:
            raise ConfigError(f"--out {out}: cannot tell the format from the name; end it in .pdf, .csv or .json")
        return ReportFormat(named)
    if known and named != fmt:
        raise ConfigError(f"--out {out} names a .{named} file but --format is {fmt}; make them agree")
    return fmt


def report_command(
    unit: Annotated[str, typer.Option(metavar="ID", help="Unit id; the report covers it and every unit below it.")],
    first: Annotated[str, typer.Option("--from", metavar="DATE", help="First local day, YYYY-MM-DD.")],
    last: Annotated[str, typer.Option("--to", metavar="DATE", help="Last local day, YYYY-MM-DD (inclusive).")],
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            metavar=choices_metavar(ReportFormat),
            parser=choice(ReportFormat, "--format"),
            help="Default: from the --out file's extension, else json.",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write here (a PDF needs it); default stdout.")
    ] = None,
    config_path: Annotated[
        Path, typer.Option("--config", "-c", metavar="FILE", help="cameras.yaml: service hours, rules, weights.")
    ] = Path("cameras.yaml"),
    language: Annotated[
        PdfLanguage,
        typer.Option(
            metavar=choices_metavar(PdfLanguage), parser=choice(PdfLanguage, "--language"), help="Language of a PDF."
        ),
    ] = PdfLanguage.ID,
    database: DatabaseOption = None,
) -> None:
    """A unit's service-environment report over a period.

    Figures, index, change, ranking and quick wins of the unit and the units below it, as JSON, CSV
    or PDF; every export is written to the audit log."""
    from cvmon.config import load_config
    from cvmon.reports.export import report_csv, report_json
    from cvmon.reports.report import build_report
    from cvmon.settings import get_settings
    from cvmon.storage.audit import AuditAction, AuditActor, AuditRepository
    from cvmon.storage.database import open_database

    fmt = report_format(fmt, out)
    if fmt is ReportFormat.PDF and out is None:
        raise ConfigError("--format pdf needs --out FILE")
    if out is not None:
        _check_writable(out)
    start, end = _day(first, "--from"), _day(last, "--to")
    config = load_config(config_path)
    with open_database(database or get_settings().resolved_database_url) as db:
        with db.transaction("cannot read reports from", write=False) as session:
            every_unit = [u.id for u in config.units]
            report = build_report(session, config, unit, every_unit, start, end)
        if fmt is ReportFormat.JSON:
            body = (json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n").encode()
        elif fmt is ReportFormat.CSV:
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
        try:
            out.write_bytes(body)
        except OSError as e:
            raise CvmonError(f"--out: cannot write {out}: {e.strerror or e}") from None
        typer.echo(f"wrote {out} ({len(body)} bytes, {fmt})", err=True)


def _check_writable(out: Path) -> None:
    """Refuse an --out the report could not be written to, before the report is built and audited."""
    folder = out.parent
    if out.is_dir():
        raise ConfigError(f"--out {out}: is a folder; name a file in it")
    if not folder.is_dir():
        raise ConfigError(f"--out {out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ConfigError(f"--out {out}: not writable")


def _pdf(report: UnitReport, language: PdfLanguage) -> bytes:
    from cvmon.reports.document import report_pdf

    return report_pdf(
        report, "en" if language is PdfLanguage.EN else "id", f"cli:{getpass.getuser()}", datetime.now(UTC)
    )

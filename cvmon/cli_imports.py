"""``cvmon import ratings|mystery-shopper FILE``: customer ratings and mystery-shopper scores from CSV (audited)."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cvmon.cli_params import DatabaseOption, argument
from cvmon.errors import ImportRejected

if TYPE_CHECKING:
    from cvmon.imports.table import Columns, Record
    from cvmon.storage.audit import AuditActor
    from cvmon.storage.database import Database
    from cvmon.storage.ratings import ImportOutcome

import_app = typer.Typer(no_args_is_help=True, help="Import customer ratings and mystery-shopper scores (CSV).")

Importer = Callable[["Database", Sequence["Record"], Sequence[str], "AuditActor", datetime, str], "ImportOutcome"]


def _import(path: Path, columns: Columns, importer: Importer, database: str | None) -> None:
    from cvmon.imports.table import csv_records
    from cvmon.settings import get_settings
    from cvmon.storage.audit import AuditActor
    from cvmon.storage.database import open_database
    from cvmon.storage.ratings import known_units

    try:
        records = csv_records(path, columns)
        with open_database(database or get_settings().resolved_database_url) as db:
            actor = AuditActor(f"cli:{getpass.getuser()}", "local")
            outcome = importer(db, records, sorted(known_units(db)), actor, datetime.now(UTC), path.name)
    except ImportRejected as err:
        for problem in err.problems if err.problems != [str(err)] else []:
            typer.echo(f"  {problem}", err=True)
        raise
    parts = [f"{outcome.added} added", f"{outcome.changed} changed", f"{outcome.unchanged} unchanged"]
    if outcome.removed:
        parts.append(f"{outcome.removed} removed")
    typer.echo(f"{path.name}: {outcome.rows} rows for {len(outcome.units)} unit(s): {', '.join(parts)}")


@import_app.command("ratings")
def import_ratings_command(path: Annotated[Path, argument("FILE")], database: DatabaseOption = None) -> None:
    """Customer ratings per unit, day, channel and service from the CSV file FILE.

    Columns: unit, date, channel, service, csat_count, csat_mean, nps_promoters, nps_passives,
    nps_detractors, ces_count, ces_mean (see the README). Every row is checked first; one bad row
    stores nothing. A row with a stored unit, date, channel and service replaces it, so importing a
    file twice changes nothing. The import is written to the audit log."""
    from cvmon.imports.ratings import RATING_COLUMNS
    from cvmon.imports.run import import_ratings

    _import(path, RATING_COLUMNS, import_ratings, database)


@import_app.command("mystery-shopper")
def import_shopper_command(path: Annotated[Path, argument("FILE")], database: DatabaseOption = None) -> None:
    """Mystery-shopper scores per visit, touchpoint and aspect from the CSV file FILE.

    Columns: unit, date, time, touchpoint, aspect, weight, score, max_score (see the README). Every
    row is checked first; one bad row stores nothing. A visit's touchpoint in the file replaces the
    stored one whole, so importing a file twice changes nothing. The import is written to the audit log."""
    from cvmon.imports.run import import_shopper_scores
    from cvmon.imports.shopper import SHOPPER_COLUMNS

    _import(path, SHOPPER_COLUMNS, import_shopper_scores, database)

"""Parameter declarations shared by the ``cvmon`` commands, so their help reads alike.

Every option that takes a value names it with a metavar in capitals (FILE, ID, URL); positional
arguments are shown by name in the usage line and explained in the command's help text, as click
does: typer would list them with their Python type (``<str>``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from cvmon.errors import ConfigError

E = TypeVar("E", bound=enum.StrEnum)


def argument(name: str, **kwargs: Any) -> Any:
    """A positional argument shown as NAME in the usage line; the command's docstring says what it is."""
    return typer.Argument(metavar=name, hidden=True, show_default=False, **kwargs)


DatabaseOption = Annotated[
    str | None,
    typer.Option(
        metavar="URL", help="Database URL (default CVMON_DATABASE_URL, or the SQLite file in CVMON_DATA_DIR)."
    ),
]


def choice(choices: type[E], option: str) -> Callable[[str | E], E]:
    """A parser of an option whose value is one of ``choices``; any other value is a one-line error
    naming them (click's own choice error is a usage message of three lines)."""

    def parse(value: str | E) -> E:
        try:
            return choices(value)
        except ValueError:
            raise ConfigError(f"{option}: '{value}' is not one of {', '.join(choices)}") from None

    return parse


def choices_metavar(choices: type[enum.StrEnum]) -> str:
    """The choices as the help shows them: ``table|json``."""
    return "|".join(choices)


class TableFormat(enum.StrEnum):
    """How a listing is printed: a table for people, JSON for scripts."""

    TABLE = "table"
    JSON = "json"


TableOrJson = Annotated[
    TableFormat,
    typer.Option(
        "--format", metavar=choices_metavar(TableFormat), parser=choice(TableFormat, "--format"), help="Output format."
    ),
]

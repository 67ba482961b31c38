"""Parameter declarations shared by the ``cvmon`` commands, so their help reads alike.

Every option that takes a value names it with a metavar in capitals (FILE, ID, URL); positional
arguments are shown by name in the usage line and explained in the command's help text, as click
does: typer would list them with their Python type (``<str>``).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer


def argument(name: str, **kwargs: Any) -> Any:
    """A positional argument shown as NAME in the usage line; the command's docstring says what it is."""
    return typer.Argument(metavar=name, hidden=True, show_default=False, **kwargs)


DatabaseOption = Annotated[
    str | None,
    typer.Option(
        metavar="URL", help="Database URL (default CVMON_DATABASE_URL, or the SQLite file in CVMON_DATA_DIR)."
    ),
]
TableOrJson = Annotated[str, typer.Option("--format", metavar="table|json", help="Output format.")]

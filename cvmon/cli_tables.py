"""Tables of the ``cvmon`` commands: one compact style that fits the terminal (COLUMNS, else 80)."""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table

# Rich takes the width from COLUMNS, else from the terminal, else 80 columns. Names from the
# configuration are printed as they are: no [markup], no :emoji: codes.
stdout = Console(highlight=False, markup=False, emoji=False)


def new_table(title: str, columns: Sequence[str], *, left: int = 1) -> Table:
    """A table whose first ``left`` columns are text (left-aligned) and the rest figures (right-aligned).

    When the terminal is narrow, text after the first column (an id) wraps between words first;
    figures never wrap. No cell is cut short: one still too wide folds onto the next line."""
    table = Table(
        title=title,
        title_justify="left",
        box=box.MINIMAL_HEAVY_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for i, name in enumerate(columns):
        table.add_column(
            name,
            justify="left" if i < left else "right",
            overflow="fold",
            no_wrap=i == 0 or i >= left,
            min_width=min(len(word) for word in name.split()),
        )
    return table


def show(table: Table) -> None:
    """Print a table on stdout; one without rows is only its title ("0 alert(s)")."""
    stdout.print(table if table.row_count else table.title, soft_wrap=not table.row_count)

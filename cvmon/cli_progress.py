"""A progress bar on stderr for `cvmon process`: frames decoded, analysed fps and ETA."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Column

from cvmon.types import FrameResult


class FrameProgress:
    """Context manager; call it with each FrameResult."""

    def __init__(self, console: Console, total_frames: int | None, label: str) -> None:
        # Within 80 columns: a long file name is shortened, the bar is short.
        self.progress = Progress(
            TextColumn("{task.description}", table_column=Column(max_width=28, no_wrap=True, overflow="ellipsis")),
            BarColumn(bar_width=10),
            MofNCompleteColumn(),
            TextColumn("frames"),
            TextColumn("{task.fields[fps]:.1f} analysed/s"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.task = self.progress.add_task(label, total=total_frames, fps=0.0)
        self.analysed = 0

    def __enter__(self) -> FrameProgress:
        self.progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            task = self.progress.tasks[0]
            if task.total is not None:
                self.progress.update(self.task, completed=task.total)
        self.progress.stop()

    def __call__(self, result: FrameResult) -> None:
        self.analysed += 1
        elapsed = self.progress.tasks[0].elapsed or 0.0
        fps = self.analysed / elapsed if elapsed > 0 else 0.0
        self.progress.update(self.task, completed=result.frame_index + 1, fps=fps)

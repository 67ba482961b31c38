"""The one logging configuration of cvmon's processes (the command line and its worker processes).

Library code logs to ``logging.getLogger(__name__)`` and never prints. ``configure_logging`` shows
those records as bare lines, as the command line has always printed them:

- a run's own progress (``cvmon.pipeline``, INFO: cameras started, recordings analysed, the database
  back) on stdout;
- every warning and error of the library on stderr;
- a record logged with ``extra=ON_STDOUT`` on stdout whatever its level (a camera's failure, which
  `cvmon run` reports beside its other lines about that camera).

``verbose`` adds every cvmon record down to DEBUG. The streams are looked up at each line, so a
redirected ``sys.stdout`` (a test's capture, typer's runner) gets the lines written while it is set.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

STREAM_KEY = "cvmon_stream"
ON_STDOUT = {STREAM_KEY: "stdout"}
"""``extra`` for a record that goes to stdout whatever its level."""

_ROOT = "cvmon"
_PROGRESS = "cvmon.pipeline"
_FORMAT = "%(message)s"


class _CurrentStream(logging.StreamHandler[TextIO]):
    """A handler writing to ``sys.stdout`` or ``sys.stderr`` as they are when a line is written."""

    def __init__(self, name: str) -> None:
        self._stream_name = name
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return getattr(sys, self._stream_name)  # type: ignore[no-any-return]

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """The stream is always the current one; StreamHandler's assignment is ignored."""


def stream_of(record: logging.LogRecord) -> str:
    """The stream a record is shown on: ``stdout`` or ``stderr``."""
    chosen = getattr(record, STREAM_KEY, None)
    if chosen is not None:
        return str(chosen)
    return "stderr" if record.levelno >= logging.WARNING else "stdout"


def _handler(name: str) -> logging.Handler:
    handler = _CurrentStream(name)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(lambda record: stream_of(record) == name)
    handler.set_name(f"cvmon-{name}")
    return handler


def configure_logging(verbose: bool = False) -> None:
    """Show cvmon's records on stdout and stderr (see the module); calling it again replaces the setup."""
    root = logging.getLogger(_ROOT)
    for handler in [h for h in root.handlers if isinstance(h, _CurrentStream)]:
        root.removeHandler(handler)
    root.addHandler(_handler("stdout"))
    root.addHandler(_handler("stderr"))
    root.setLevel(logging.DEBUG if verbose else logging.NOTSET)
    logging.getLogger(_PROGRESS).setLevel(logging.DEBUG if verbose else logging.INFO)


def is_verbose() -> bool:
    """Whether this process shows DEBUG records (to configure a worker process the same way)."""
    return logging.getLogger(_ROOT).level == logging.DEBUG

"""The lines a run shows: the library logs, ``configure_logging`` puts each line on the stream the
command line has always used (progress on stdout, warnings on stderr, a camera's failure on stdout)."""

from __future__ import annotations

import logging

import pytest

from cvmon.logs import ON_STDOUT, configure_logging


def test_each_line_goes_to_its_stream_once_however_often_logging_is_configured(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging()
    configure_logging()  # a second command in the same process: the lines are not doubled
    progress = logging.getLogger("cvmon.pipeline.workers")
    progress.info("cvmon: camera %s started, pid %d", "hall", 42)
    progress.warning("cvmon: config reload refused: %s", "bad zone")
    progress.error("[%s] error: %s", "hall", "no such file", extra=ON_STDOUT)
    logging.getLogger("cvmon.sources.rtsp").info("hall: online")  # a detail, shown only when verbose
    logging.getLogger("cvmon.sources.rtsp").warning("hall: offline: read timeout")
    out, err = capsys.readouterr()
    assert out.splitlines() == ["cvmon: camera hall started, pid 42", "[hall] error: no such file"]
    assert err.splitlines() == ["cvmon: config reload refused: bad zone", "hall: offline: read timeout"]


def test_verbose_shows_every_detail(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(verbose=True)
    try:
        logging.getLogger("cvmon.sources.rtsp").debug("hall: still offline")
        assert capsys.readouterr().out == "hall: still offline\n"
    finally:
        configure_logging()
    logging.getLogger("cvmon.sources.rtsp").debug("hall: still offline")
    assert capsys.readouterr().out == ""

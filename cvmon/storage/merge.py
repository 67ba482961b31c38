"""Adding up stored figures: the parts of a minute into its row, minute or hourly rows into a period.

A minute's row (``minute_stats``, ``camera_minutes``) is the sum of its parts, one per write source
(see ``MinuteRepository.write_minutes``): figures add up (``ZoneFigures`` and ``CameraMinute`` ``+``), the
covered seconds are the span of all the parts (``t_first_s`` the least, ``t_last_s`` the greatest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from cvmon.figures import ZoneFigures, total
from cvmon.types import CameraMinute, MinuteRow

MinuteKey = tuple[str, str, datetime]  # camera, zone, minute
CameraMinuteKey = tuple[str, datetime]  # camera, minute


def sum_minute_rows(parts: Sequence[MinuteRow]) -> MinuteRow:
    """The row of a (camera, zone, minute) whose parts are ``parts``: their figures added up, the span of
    their covered seconds, and the last part's zone kind."""
    if not parts:
        raise ValueError("no parts to sum")
    last = parts[-1]
    return replace(
        last.with_figures(total(p.figures for p in parts)),
        t_first_s=min(p.t_first_s for p in parts),
        t_last_s=max(p.t_last_s for p in parts),
    )


def sum_camera_minutes(parts: Sequence[CameraMinute]) -> CameraMinute:
    """The coverage of a (camera, minute) whose parts are ``parts`` (``CameraMinute`` ``+``)."""
    if not parts:
        raise ValueError("no parts to sum")
    out = replace(parts[0])
    for part in parts[1:]:
        out = out + part
    return out


def sum_figures(rows: Sequence[Any], period: str) -> dict[str, Any]:
    """The column values of one zone's figures over several periods (minute or hourly rows, objects or
    result rows, whose time is the attribute ``period``): their ``ZoneFigures`` added up, and the
    latest period's ``zone_kind``."""
    if not rows:
        raise ValueError("no rows to sum")
    latest = max(rows, key=lambda r: getattr(r, period))
    return {**total(ZoneFigures.from_columns(r) for r in rows).as_columns(), "zone_kind": latest.zone_kind}

"""The idempotency rule of minute writes: replace a re-run, merge a resumed minute.

A minute that is written again for the same key covers the seconds ``[t_first_s, t_last_s]``.
If that interval overlaps the stored one, the same video was analysed again and the new figures
replace the old. If it does not, a worker restarted mid-minute and the two halves are merged.
An empty interval (``t_first_s > t_last_s``, no sample) overlaps only another empty one, so an
offline-only minute written twice is replaced, and an offline part followed by analysed seconds
is merged.

A batch applies the rule row by row, in order (``minute_rows_after``). What it leaves is therefore
known from what the keys held before it, which lets a writer tell whether a re-sent batch, whose
first delivery may or may not have committed, is already stored (see ``Database.write_minutes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from cvmon.figures import ZoneFigures, total
from cvmon.storage.coverage import CameraMinute
from cvmon.types import MinuteRow

MinuteKey = tuple[str, str, datetime]  # camera, zone, minute
CameraMinuteKey = tuple[str, datetime]  # camera, minute


def intervals_overlap(a_first: float, a_last: float, b_first: float, b_last: float) -> bool:
    """Whether two closed intervals of seconds share an instant; two empty intervals count as overlapping."""
    a_empty = a_first > a_last
    b_empty = b_first > b_last
    if a_empty or b_empty:
        return a_empty and b_empty
    return max(a_first, b_first) <= min(a_last, b_last)


def combine_minute_rows(old: MinuteRow, new: MinuteRow) -> MinuteRow:
    """The row to store when ``new`` is written over ``old`` for the same (camera, zone, minute)."""
    if intervals_overlap(old.t_first_s, old.t_last_s, new.t_first_s, new.t_last_s):
        return new
    merged = new.with_figures(old + new)
    return replace(merged, t_first_s=min(old.t_first_s, new.t_first_s), t_last_s=max(old.t_last_s, new.t_last_s))


def combine_camera_minutes(old: CameraMinute, new: CameraMinute) -> CameraMinute:
    """The coverage to store when ``new`` is written over ``old`` for the same (camera, minute)."""
    if intervals_overlap(old.t_first_s, old.t_last_s, new.t_first_s, new.t_last_s):
        return replace(new)
    return replace(new + old, camera_id=new.camera_id, minute=new.minute)


def minute_rows_after(stored: Mapping[MinuteKey, MinuteRow], rows: Iterable[MinuteRow]) -> dict[MinuteKey, MinuteRow]:
    """The rows a batch leaves under its keys, given what those keys held: the rule applied row by row."""
    after: dict[MinuteKey, MinuteRow] = {}
    for row in rows:
        key = (row.camera_id, row.zone_id, row.minute)
        old = after.get(key, stored.get(key))
        after[key] = row if old is None else combine_minute_rows(old, row)
    return after


def camera_minutes_after(
    stored: Mapping[CameraMinuteKey, CameraMinute], cameras: Iterable[CameraMinute]
) -> dict[CameraMinuteKey, CameraMinute]:
    """The coverage a batch leaves under its keys, given what those keys held: the rule applied in order."""
    after: dict[CameraMinuteKey, CameraMinute] = {}
    for cam in cameras:
        key = (cam.camera_id, cam.minute)
        old = after.get(key, stored.get(key))
        after[key] = replace(cam) if old is None else combine_camera_minutes(old, cam)
    return after


def sum_figures(rows: Sequence[Any], period: str) -> dict[str, Any]:
    """The column values of one zone's figures over several periods (minute or hourly rows, objects or
    result rows, whose time is the attribute ``period``): their ``ZoneFigures`` added up, and the
    latest period's ``zone_kind``."""
    if not rows:
        raise ValueError("no rows to sum")
    latest = max(rows, key=lambda r: getattr(r, period))
    return {**total(ZoneFigures.from_columns(r) for r in rows).as_columns(), "zone_kind": latest.zone_kind}

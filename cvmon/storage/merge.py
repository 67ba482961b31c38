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

from cvmon.metrics.histogram import N_BUCKETS, merge_histograms
from cvmon.storage.coverage import CameraMinute
from cvmon.storage.models import SUMMED_FIGURES
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


def normalised_histogram(hist: list[int]) -> list[int]:
    """A visit histogram of exactly ``N_BUCKETS`` ints; an empty list means no visits.

    Raises:
        ValueError: the histogram has another non-zero length.
    """
    if not hist:
        return [0] * N_BUCKETS
    if len(hist) != N_BUCKETS:
        raise ValueError(f"visit_hist has {len(hist)} buckets, expected {N_BUCKETS}")
    return [int(v) for v in hist]


def combine_minute_rows(old: MinuteRow, new: MinuteRow) -> MinuteRow:
    """The row to store when ``new`` is written over ``old`` for the same (camera, zone, minute)."""
    if intervals_overlap(old.t_first_s, old.t_last_s, new.t_first_s, new.t_last_s):
        return replace(new, visit_hist=normalised_histogram(new.visit_hist))
    return replace(
        new,
        samples=old.samples + new.samples,
        count_sum=old.count_sum + new.count_sum,
        count_max=max(old.count_max, new.count_max),
        seconds_observed=old.seconds_observed + new.seconds_observed,
        seconds_staffed=old.seconds_staffed + new.seconds_staffed,
        seconds_offline=old.seconds_offline + new.seconds_offline,
        seconds_over_capacity=old.seconds_over_capacity + new.seconds_over_capacity,
        visits=old.visits + new.visits,
        visit_seconds_sum=old.visit_seconds_sum + new.visit_seconds_sum,
        visit_hist=merge_histograms([normalised_histogram(old.visit_hist), normalised_histogram(new.visit_hist)]),
        t_first_s=min(old.t_first_s, new.t_first_s),
        t_last_s=max(old.t_last_s, new.t_last_s),
    )


def combine_camera_minutes(old: CameraMinute, new: CameraMinute) -> CameraMinute:
    """The coverage to store when ``new`` is written over ``old`` for the same (camera, minute)."""
    if intervals_overlap(old.t_first_s, old.t_last_s, new.t_first_s, new.t_last_s):
        return replace(new)
    return replace(
        new,
        frames_analysed=old.frames_analysed + new.frames_analysed,
        seconds_online=old.seconds_online + new.seconds_online,
        seconds_offline=old.seconds_offline + new.seconds_offline,
        t_first_s=min(old.t_first_s, new.t_first_s),
        t_last_s=max(old.t_last_s, new.t_last_s),
        inference_ms_sum=old.inference_ms_sum + new.inference_ms_sum,
        inference_ms_max=max(old.inference_ms_max, new.inference_ms_max),
        frames_detected=old.frames_detected + new.frames_detected,
    )


def minute_rows_after(stored: Mapping[MinuteKey, MinuteRow], rows: Iterable[MinuteRow]) -> dict[MinuteKey, MinuteRow]:
    """The rows a batch leaves under its keys, given what those keys held: the rule applied row by row."""
    after: dict[MinuteKey, MinuteRow] = {}
    for row in rows:
        key = (row.camera_id, row.zone_id, row.minute)
        old = after.get(key, stored.get(key))
        if old is None:
            after[key] = replace(row, visit_hist=normalised_histogram(row.visit_hist))
        else:
            after[key] = combine_minute_rows(old, row)
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
    """The figures of one zone over several periods (minute or hourly rows, objects or result rows,
    whose time is the attribute ``period``): sums, the largest ``count_max``, merged histograms, and
    the latest period's ``zone_kind``."""
    if not rows:
        raise ValueError("no rows to sum")
    latest = max(rows, key=lambda r: getattr(r, period))
    values: dict[str, Any] = {name: sum(getattr(r, name) for r in rows) for name in SUMMED_FIGURES}
    values["zone_kind"] = latest.zone_kind
    values["count_max"] = max(r.count_max for r in rows)
    values["visit_hist"] = merge_histograms(normalised_histogram(list(r.visit_hist)) for r in rows)
    return values

"""Per-minute aggregation of zone samples, visits and offline time into anonymous rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cvmon.figures import FIGURE_FIELDS, ZoneFigures
from cvmon.histogram import DurationHistogram
from cvmon.types import CameraMinute, GreetingOutcome, MinuteRow
from cvmon.zones.geometry import Zone


def minute_of(ts: datetime) -> datetime:
    """The UTC minute a time falls in."""
    return ts.astimezone(UTC).replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class ZoneSample:
    """What one analysed frame showed in one zone."""

    count: int
    staffed: bool | None = None
    staff: int = 0  # staff standing in a customer zone (not in ``count``)
    unsure: int = 0  # of ``count``, people whose staff or customer role was unsure


@dataclass(slots=True)
class _OpenMinute:
    """A zone's minute still being filled: its figures so far and the seconds they covered."""

    zone_kind: str
    figures: ZoneFigures = field(default_factory=ZoneFigures)
    t_first_s: float = 60.0
    t_last_s: float = 0.0

    def add(self, figures: ZoneFigures, first_s: float, last_s: float) -> None:
        self.figures = self.figures + figures
        self.t_first_s, self.t_last_s = min(self.t_first_s, first_s), max(self.t_last_s, last_s)


class MinuteAggregator:
    """Accumulates figures per zone and UTC minute; hands out minutes once they are complete.

    A sample stands for the ``dt`` seconds before it. Visits are attributed to the minute they
    ended in. Offline time is spread over the minutes it spans, for every zone of the camera.
    """

    def __init__(self, camera_id: str, zones: list[Zone]) -> None:
        self.camera_id = camera_id
        self.zones = {z.id: z for z in zones}
        self._rows: dict[tuple[str, datetime], _OpenMinute] = {}
        self._cams: dict[datetime, CameraMinute] = {}
        self._handed_out = {z.id: ZoneFigures() for z in zones}  # figures of the rows popped so far

    def _row(self, zone_id: str, minute: datetime) -> _OpenMinute:
        key = (zone_id, minute)
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = _OpenMinute(self.zones[zone_id].kind.value)
        return row

    def _cam(self, minute: datetime) -> CameraMinute:
        acc = self._cams.get(minute)
        if acc is None:
            acc = self._cams[minute] = CameraMinute(self.camera_id, minute)
        return acc

    def add_sample(
        self, ts: datetime, dt: float, samples: dict[str, ZoneSample], inference_ms: float | None = 0.0
    ) -> None:
        """Fold one analysed frame in; ``inference_ms`` is the detector's time on it, None when the
        detector was skipped (motion gating)."""
        minute = minute_of(ts)
        offset = (ts - minute).total_seconds()
        cam = self._cam(minute)
        cam.frames_analysed += 1
        cam.seconds_online += dt
        if inference_ms is not None:
            cam.frames_detected += 1
            cam.inference_ms_sum += inference_ms
            cam.inference_ms_max = max(cam.inference_ms_max, inference_ms)
        cam.t_first_s = min(cam.t_first_s, offset)
        cam.t_last_s = max(cam.t_last_s, offset)
        for zone_id, sample in samples.items():
            capacity = self.zones[zone_id].capacity
            figures = ZoneFigures(
                samples=1,
                count_sum=sample.count,
                count_max=sample.count,
                seconds_observed=dt,
                seconds_staffed=dt if sample.staffed else 0.0,
                seconds_over_capacity=dt if capacity is not None and sample.count > capacity else 0.0,
                staff_count_sum=sample.staff,
                unsure_count_sum=sample.unsure,
                staff_seconds=dt if sample.staff else 0.0,
            )
            self._row(zone_id, minute).add(figures, offset, offset)

    def add_staffed(self, zone_id: str, ts: datetime, seconds: float) -> None:
        """Staffed seconds of a sample decided after it was folded in (the staffing debounce ruled late)."""
        row = self._row(zone_id, minute_of(ts))
        row.figures = row.figures + ZoneFigures(seconds_staffed=seconds)

    def add_visit(self, zone_id: str, ended: datetime, duration_s: float) -> None:
        minute = minute_of(ended)
        offset = (ended - minute).total_seconds()
        figures = ZoneFigures(visits=1, visit_seconds_sum=duration_s, visit_hist=DurationHistogram.of([duration_s]))
        self._row(zone_id, minute).add(figures, offset, offset)

    def add_figures(self, zone_id: str, minute: datetime, figures: ZoneFigures) -> None:
        """Figures known for a whole minute (a camera's journey counts), added to a zone's row of it."""
        row = self._row(zone_id, minute_of(minute))
        row.figures = row.figures + figures

    def add_greeting(self, zone_id: str, arrived: datetime, outcome: GreetingOutcome) -> None:
        """A customer arrival a staff zone should have greeted, and how it ended, in the arrival's minute."""
        figures = ZoneFigures(
            greet_arrivals=1,
            greeted=int(outcome is GreetingOutcome.GREETED),
            greet_missed=int(outcome is GreetingOutcome.NOT_GREETED),
            greet_unseen=int(outcome is GreetingOutcome.NOT_VISIBLE),
        )
        self._add_at(zone_id, arrived, figures)

    def add_seated(self, zone_id: str, arrived: datetime) -> None:
        """A counter's customer who sat down in time, in the minute they arrived at the counter."""
        self._add_at(zone_id, arrived, ZoneFigures(seated=1))

    def _add_at(self, zone_id: str, ts: datetime, figures: ZoneFigures) -> None:
        minute = minute_of(ts)
        offset = (ts - minute).total_seconds()
        self._row(zone_id, minute).add(figures, offset, offset)

    def add_offline(self, start: datetime, end: datetime) -> None:
        """Record that the camera showed nothing from start to end (a gap, not zero people)."""
        t = start.astimezone(UTC)
        end = end.astimezone(UTC)
        while t < end:
            minute = minute_of(t)
            piece_end = min(end, minute + timedelta(minutes=1))
            seconds = (piece_end - t).total_seconds()
            a, b = (t - minute).total_seconds(), (piece_end - minute).total_seconds()
            cam = self._cam(minute)
            cam.seconds_offline += seconds
            cam.t_first_s, cam.t_last_s = min(cam.t_first_s, a), max(cam.t_last_s, b)
            for zone_id in self.zones:
                self._row(zone_id, minute).add(ZoneFigures(seconds_offline=seconds), a, b)
            t = piece_end

    def pop_complete(self, now: datetime | None) -> tuple[list[MinuteRow], list[CameraMinute]]:
        """Rows of minutes that ended at or before ``now`` (every row when ``now`` is None)."""
        cutoff = None if now is None else minute_of(now)
        keys = sorted((k for k in self._rows if cutoff is None or k[1] < cutoff), key=lambda k: (k[1], k[0]))
        rows = [self._minute_row(zone_id, minute, self._rows.pop((zone_id, minute))) for zone_id, minute in keys]
        for row in rows:
            self._handed_out[row.zone_id] = self._handed_out[row.zone_id] + row.figures
        cam_keys = [m for m in self._cams if cutoff is None or m < cutoff]
        cams = [self._cams.pop(m) for m in sorted(cam_keys)]
        return rows, cams

    @property
    def open_minutes(self) -> int:
        """Zone and camera minutes still held (handed out by ``pop_complete``)."""
        return len(self._rows) + len(self._cams)

    def run_totals(self) -> dict[str, ZoneFigures]:
        """Each zone's figures over the whole run so far: the rows handed out and those still open
        (exactly what the stored rows of the run add up to, once every row is written)."""
        totals = dict(self._handed_out)
        for (zone_id, _), acc in self._rows.items():
            totals[zone_id] = totals[zone_id] + acc.figures
        return totals

    def _minute_row(self, zone_id: str, minute: datetime, acc: _OpenMinute) -> MinuteRow:
        return MinuteRow(
            camera_id=self.camera_id,
            zone_id=zone_id,
            zone_kind=acc.zone_kind,
            minute=minute,
            t_first_s=acc.t_first_s,
            t_last_s=acc.t_last_s,
            **{name: getattr(acc.figures, name) for name in FIGURE_FIELDS},
        )

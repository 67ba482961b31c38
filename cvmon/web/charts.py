"""Charts of a camera's day, drawn server-side as inline SVG by pygal (no script, no CDN)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import pygal

from cvmon.i18n.dates import Language, format_clock
from cvmon.read.timeseries import Point
from cvmon.reports.charts import STYLE, strip_scripts


@dataclass(frozen=True, slots=True)
class Series:
    """One line: its legend label and (local time, value) points; None values break the line."""

    label: str
    points: Sequence[tuple[datetime, float | None]]


# Steps between x labels, in minutes; the smallest that gives at most MAX_X_LABELS labels is used.
LABEL_STEPS_MIN = (1, 2, 5, 10, 15, 30, 60, 120, 180, 240)
MAX_X_LABELS = 12


def time_labels(series: Sequence[Series]) -> list[datetime]:
    """Whole-step times covering the points, for the x axis (pygal's own ticks repeat minutes)."""
    times = [t for s in series for t, _ in s.points]
    if not times:
        return []
    first, last = min(times), max(times)
    span_min = (last - first).total_seconds() / 60
    step = next((s for s in LABEL_STEPS_MIN if span_min / s <= MAX_X_LABELS), LABEL_STEPS_MIN[-1])
    minute_of_day = first.hour * 60 + first.minute
    start = first.replace(second=0, microsecond=0) - timedelta(minutes=minute_of_day % step)
    labels: list[datetime] = []
    t = start
    while t <= last + timedelta(minutes=step) and len(labels) <= MAX_X_LABELS + 1:
        labels.append(t)
        t += timedelta(minutes=step)
    return labels


def line_chart(
    title: str,
    series: Sequence[Series],
    *,
    y_title: str,
    no_data: str,
    language: Language = "id",
    percent: bool = False,
) -> str:
    """An SVG line chart over one day, x labelled in the points' (local) hours, 24-hour in ``language``."""
    chart = pygal.DateTimeLine(
        title=title,
        style=STYLE,
        width=900,
        height=300,
        show_dots=True,
        dots_size=2,
        stroke_style={"width": 2},
        allow_interruptions=True,
        x_value_formatter=lambda dt: format_clock(dt, language),
        x_label_rotation=0,
        y_title=y_title,
        value_formatter=(lambda v: f"{v:.0f}%") if percent else (lambda v: f"{v:g}"),
        legend_at_bottom=True,
        legend_at_bottom_columns=4,
        truncate_legend=40,
        js=[],
        disable_xml_declaration=True,
        include_x_axis=True,
        range=(0, 100) if percent else None,
        min_scale=4,
        max_scale=8,
        no_data_text=no_data,
        x_labels=time_labels(series),
    )
    for s in series:
        chart.add(s.label, [(t, v) for t, v in s.points])
    return strip_scripts(chart.render(is_unicode=True))


def local_points(
    points: Sequence[Point], tz: tzinfo, value: Callable[[Point], float | None]
) -> list[tuple[datetime, float | None]]:
    """(naive local time, value) of each point, with a None between points more than one bucket apart.

    pygal draws naive times as they are, so the axis reads in the unit's local hours; the None
    breaks the line over minutes without data instead of drawing across a gap.
    """
    out: list[tuple[datetime, float | None]] = []
    previous: datetime | None = None
    for p in points:
        if previous is not None and (p.t - previous).total_seconds() > 61 * p.minutes:
            out.append((previous.astimezone(tz).replace(tzinfo=None), None))
        out.append((p.t.astimezone(tz).replace(tzinfo=None), value(p)))
        previous = p.t
    return out

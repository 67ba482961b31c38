"""Charts of a report, drawn server-side as inline SVG by pygal: aspect scores and the ranking of units.

Both are percentages: the value axis runs 0-100 % with whole-number ticks every 20, each bar prints
its value with the unit (``0%`` included, so an empty bar still reads as a score), and a row without
data says so in its label rather than staying blank. Each is drawn wide (pages, PDF) or narrow (a
phone's width, with larger type, as an SVG scales its text with its width).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pygal
from pygal.style import Style

from cvmon.reports.report import UnitReport

# pygal writes a <script> that configures its (absent) tooltip script; the viewer runs none of it.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)
# Colour-blind-safe palette (Okabe-Ito), one colour per series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
STYLE = Style(
    background="transparent",
    plot_background="#ffffff",
    foreground="#333333",
    foreground_strong="#111111",
    foreground_subtle="#dddddd",
    colors=PALETTE,
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    title_font_size=13,
)

PERCENT_TICKS = tuple(range(0, 101, 20))
NARROW_TICKS = (0, 50, 100)  # large type leaves room for three on a phone
WIDE_PX = 800
NARROW_PX = 420
# Longest row label of a bar chart, narrow and wide: pygal gives its axis title the width the labels leave, and
# loops forever (taking all memory) when they leave none, near 39 and 110 characters; a longer name is cut.
LABEL_CHARS = {True: 36, False: 100}
# Drawn 420 px wide and shown about 320 px wide on a phone: type large enough to read there.
NARROW_STYLE = Style(
    **{
        **STYLE.to_dict(),
        "label_font_size": 15,
        "major_label_font_size": 15,
        "legend_font_size": 15,
        "title_font_size": 17,
        "value_font_size": 15,
    }
)


def _axis_percent(value: float) -> str:
    return f"{value:.0f}%"


def _value_percent(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


def _percent_bars(
    title: str, axis_title: str, *, narrow: bool, height: int, no_data: str, **options: Any
) -> pygal.HorizontalBar:
    return pygal.HorizontalBar(
        title=title,
        x_title=axis_title,
        style=NARROW_STYLE if narrow else STYLE,
        width=NARROW_PX if narrow else WIDE_PX,
        height=height,
        range=(0, 100),
        y_labels=list(NARROW_TICKS if narrow else PERCENT_TICKS),
        truncate_label=-1,
        truncate_legend=-1,
        value_formatter=_axis_percent,
        js=[],
        disable_xml_declaration=True,
        print_values=True,
        no_data_text=no_data,
        **options,
    )


def _labels(names: Sequence[str], values: Sequence[float | None], t: Callable[..., str], *, narrow: bool) -> list[str]:
    """Row labels; a row with no value says it has no data. A name too long for the chart is cut (``…``)."""
    most = LABEL_CHARS[narrow]
    out = []
    for name, value in zip(names, values, strict=True):
        label = name if value is not None else t("report.chart.no_data", name=name)
        if len(label) > most:
            name = name[: max(1, len(name) - (len(label) - most) - 1)] + "…"
            label = name if value is not None else t("report.chart.no_data", name=name)
        out.append(label)
    return out


def aspect_chart(report: UnitReport, t: Callable[..., str], *, narrow: bool = False) -> str:
    """Each aspect's score this period beside the previous one (0-100 %)."""
    chart = _percent_bars(
        t("report.aspects"),
        t("report.chart.score_axis"),
        narrow=narrow,
        height=460 if narrow else 340,
        no_data=t("report.no_index"),
        legend_at_bottom=True,
        legend_at_bottom_columns=1 if narrow else 2,
    )
    now = [a.score for a in report.index.aspects]
    chart.x_labels = _labels([t(f"report.aspect.{a.aspect}") for a in report.index.aspects], now, t, narrow=narrow)
    chart.add(t("report.before"), [a.score for a in report.previous_index.aspects], formatter=_value_percent)
    chart.add(t("report.now"), now, formatter=_value_percent)
    return strip_scripts(chart.render(is_unicode=True))


def ranking_chart(report: UnitReport, t: Callable[..., str], *, narrow: bool = False) -> str | None:
    """The index of each unit below, best first; None without units below."""
    if not report.ranking:
        return None
    ranked = list(reversed(report.ranking))  # pygal draws the first bar at the bottom
    chart = _percent_bars(
        t("report.ranking"),
        t("report.chart.index_axis"),
        narrow=narrow,
        height=max(200, 110 + (48 if narrow else 40) * len(report.ranking)),
        no_data=t("report.no_index"),
        show_legend=False,
    )
    values = [r.index for r in ranked]
    chart.x_labels = _labels([r.name for r in ranked], values, t, narrow=narrow)
    chart.add(t("report.index"), values, formatter=_value_percent)
    shopper = _shopper_indices(report, [r.unit_id for r in ranked])
    if any(v is not None for v in shopper):
        chart.show_legend, chart.legend_at_bottom = True, True
        chart.add(t("customer.shopper_index"), shopper, formatter=_value_percent)
    return strip_scripts(chart.render(is_unicode=True))


def _shopper_indices(report: UnitReport, units: Sequence[str]) -> list[float | None]:
    """The mystery-shopper index of each unit below (None without visits or imports)."""
    below = report.customer.below if report.customer else {}
    return [below[u].shopper_index if u in below else None for u in units]


def _signed(value: float) -> str:
    return f"{value:+.2f}"


def relation_chart(report: UnitReport, t: Callable[..., str], *, narrow: bool = False) -> str | None:
    """Spearman's rho of each daily camera figure with CSAT and with NPS (-1..1); a pair with too few points
    has no bar and says so. None without imported ratings."""
    if report.customer is None or report.customer.ratings is None:
        return None
    relations = report.customer.satisfaction.relations
    figures = list(dict.fromkeys(r.figure for r in relations))
    chart = pygal.HorizontalBar(
        title=t("customer.chart.title"),
        x_title=t("customer.chart.axis"),
        style=NARROW_STYLE if narrow else STYLE,
        width=NARROW_PX if narrow else WIDE_PX,
        height=(520 if narrow else 360),
        range=(-1, 1),
        y_labels=[-1, -0.5, 0, 0.5, 1] if not narrow else [-1, 0, 1],
        truncate_label=-1,
        truncate_legend=-1,
        value_formatter=_signed,
        js=[],
        disable_xml_declaration=True,
        print_values=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=1 if narrow else 2,
        no_data_text=t("customer.chart.no_data"),
    )
    ordered = list(reversed(figures))  # pygal draws the first bar at the bottom
    # Short labels: pygal gives its axis title the width the labels leave, and loops forever without any.
    chart.x_labels = [t(f"customer.chart.figure.{f}") for f in ordered]
    for outcome in ("csat", "nps"):
        values = []
        for f in ordered:
            k = report.customer.satisfaction.relation(f, outcome).correlation
            values.append(None if k.verdict == "too_few" or k.rho is None else round(k.rho, 2))
        chart.add(t(f"customer.{outcome}"), values, formatter=lambda v: "" if v is None else _signed(v))
    return strip_scripts(chart.render(is_unicode=True))


def strip_scripts(svg: str) -> str:
    """The SVG without pygal's script elements (the viewer runs only its own script)."""
    return _SCRIPT.sub("", svg)

"""Charts of a report, drawn server-side as inline SVG by pygal: aspect scores and the ranking of units."""

from __future__ import annotations

from collections.abc import Callable

import pygal

from cvmon.reports.report import UnitReport
from cvmon.web.charts import STYLE, strip_scripts


def aspect_chart(report: UnitReport, t: Callable[..., str]) -> str:
    """Each aspect's score this period beside the previous one (0-100)."""
    chart = pygal.HorizontalBar(
        title=t("report.aspects"),
        style=STYLE,
        width=800,
        height=320,
        range=(0, 100),
        js=[],
        disable_xml_declaration=True,
        legend_at_bottom=True,
        print_values=True,
        value_formatter=lambda v: f"{v:.0f}",
        no_data_text=t("report.no_index"),
    )
    chart.x_labels = [t(f"report.aspect.{a.aspect}") for a in report.index.aspects]
    chart.add(t("report.before"), [a.score for a in report.previous_index.aspects])
    chart.add(t("report.now"), [a.score for a in report.index.aspects])
    return strip_scripts(chart.render(is_unicode=True))


def ranking_chart(report: UnitReport, t: Callable[..., str]) -> str | None:
    """The index of each unit below, best first; None without units below."""
    if not report.ranking:
        return None
    chart = pygal.HorizontalBar(
        title=t("report.ranking"),
        style=STYLE,
        width=800,
        height=max(160, 60 + 34 * len(report.ranking)),
        range=(0, 100),
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        value_formatter=lambda v: f"{v:.1f}",
        no_data_text=t("report.no_index"),
    )
    ranked = list(reversed(report.ranking))  # pygal draws the first bar at the bottom
    chart.x_labels = [r.name for r in ranked]
    chart.add(t("report.index"), [r.index for r in ranked])
    return strip_scripts(chart.render(is_unicode=True))

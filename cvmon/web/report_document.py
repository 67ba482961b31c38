"""The report's template values and its PDF, shared by the Reports page, its download and ``cvmon report``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cvmon.i18n_dates import format_moment
from cvmon.reports.pdf import html_to_pdf
from cvmon.reports.report import UnitReport
from cvmon.web.i18n import Language, translator
from cvmon.web.render import environment
from cvmon.web.report_charts import aspect_chart, ranking_chart


def report_values(report: UnitReport, language: Language, made_by: str, now: datetime) -> dict[str, Any]:
    """What ``_report_body.html`` needs: the report, its charts, who made it and when."""
    t = translator(language)
    return {
        "report": report,
        "aspect_svg": aspect_chart(report, t),
        "ranking_svg": ranking_chart(report, t),
        "made": format_moment(now, language, report.timezone),
        "made_by": made_by,
        "query": f"unit={report.unit_id}&from={report.period.first}&to={report.period.last}",
    }


def report_pdf(report: UnitReport, language: Language, made_by: str, now: datetime) -> bytes:
    """The report as a printable A4 PDF."""
    html = (
        environment()
        .get_template("report_pdf.html")
        .render(
            lang=language,
            t=translator(language),
            **report_values(report, language, made_by, now),
        )
    )
    return html_to_pdf(html)

"""The documents of cvmon: the report's template values and its PDF (shared by the Reports page, its
download and ``cvmon report``) and the evidence pack's PDF."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from string import Formatter
from typing import Any

from cvmon.i18n.dates import format_moment
from cvmon.i18n.messages import Language, translator
from cvmon.reports.charts import aspect_chart, ranking_chart, relation_chart
from cvmon.reports.customer import merged_quick_wins
from cvmon.reports.evidence_pack import EvidencePack
from cvmon.reports.pdf import html_to_pdf
from cvmon.reports.rank_correlation import MIN_PAIRS
from cvmon.reports.report import UnitReport
from cvmon.reports.templating import document_environment
from cvmon.storage.users import User


def report_values(
    report: UnitReport, language: Language, made_by: str, now: datetime, *, phone_charts: bool = True
) -> dict[str, Any]:
    """What ``_report_body.html`` needs: the report, its charts (wide, and narrow for a phone's screen
    unless ``phone_charts`` is false), who made it and when (in the unit's time zone)."""
    t = translator(language)
    return {
        "report": report,
        "aspect_svg": aspect_chart(report, t),
        "ranking_svg": ranking_chart(report, t),
        "aspect_svg_narrow": aspect_chart(report, t, narrow=True) if phone_charts else None,
        "ranking_svg_narrow": ranking_chart(report, t, narrow=True) if phone_charts else None,
        "made": format_moment(now, language, report.timezone),
        "made_by": made_by,
        "query": f"unit={report.unit_id}&from={report.period.first}&to={report.period.last}",
        **customer_values(report, language, phone_charts=phone_charts),
    }


def customer_values(report: UnitReport, language: Language, *, phone_charts: bool = True) -> dict[str, Any]:
    """What the customer sections need: the merged quick wins, the satisfaction chart, the touchpoints' names."""
    t = translator(language)
    customer = report.customer
    return {
        "quick_wins": customer.quick_wins if customer else merged_quick_wins(report.quick_wins, []),
        "relation_svg": relation_chart(report, t),
        "relation_svg_narrow": relation_chart(report, t, narrow=True) if phone_charts else None,
        "touchpoint_names": {tp: t(f"customer.touchpoint.{tp}") for tp in ("frontliner", "satpam", "pandu")},
        "min_pairs": MIN_PAIRS,
    }


def page_counter_css(text: str) -> str:
    """A CSS ``content`` value from a text with ``{page}`` and ``{pages}``: ``Halaman {page} dari {pages}``
    becomes ``"Halaman " counter(page) " dari " counter(pages)``."""
    parts: list[str] = []
    for literal, field, _, _ in Formatter().parse(text):
        if literal:
            parts.append('"' + literal.replace("\\", "\\\\").replace('"', '\\"') + '"')
        if field in ("page", "pages"):
            parts.append(f"counter({field})")
        elif field:
            raise ValueError(f"a page counter knows {{page}} and {{pages}}, not {{{field}}}")
    return " ".join(parts)


def _a4_document(template: str, language: Language, **values: Any) -> str:
    """The HTML of an A4 document: ``template`` with the language, its translator and the running
    footer's page counter ("Halaman 2 dari 5") besides ``values``."""
    t = translator(language)
    page_counter = page_counter_css(t("report.page"))
    return document_environment().get_template(template).render(lang=language, t=t, page_counter=page_counter, **values)


def report_pdf_html(report: UnitReport, language: Language, made_by: str, now: datetime) -> str:
    """The HTML of the report's PDF: A4 pages with the unit, the period and the generation time (in the
    unit's time zone) on every page, and the page numbers."""
    values = report_values(report, language, made_by, now, phone_charts=False)
    return _a4_document("report_pdf.html", language, **values)


def report_pdf(report: UnitReport, language: Language, made_by: str, now: datetime) -> bytes:
    """The report as a printable A4 PDF."""
    return html_to_pdf(report_pdf_html(report, language, made_by, now))


def pack_pdf_html(
    pack: EvidencePack, language: Language, image_src: Mapping[int, str], user: User, made_at: datetime
) -> str:
    """The HTML of an evidence pack's PDF: A4 pages with the unit, the window and who made it when on
    every page, and the page numbers; ``image_src`` maps a snapshot id to its embedded image."""
    return _a4_document("pack_pdf.html", language, pack=pack, image_src=image_src, user=user, made_at=made_at)

"""HTML to PDF with WeasyPrint, so a report's PDF is the same template as its page (charts are pygal SVG)."""

from __future__ import annotations

from typing import Any

from cvmon.errors import CvmonError


class PdfError(CvmonError):
    """WeasyPrint or the system libraries it needs (Pango) are missing or failed."""


def _data_only_fetcher(weasyprint: Any) -> Any:
    """A URL fetcher that reads ``data:`` URIs (embedded images) and refuses every other URL."""
    if hasattr(weasyprint, "URLFetcher"):  # WeasyPrint 68 and later take a URLFetcher object
        return weasyprint.URLFetcher(allowed_protocols=("data",))

    def data_only(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        if not url.startswith("data:"):
            raise ValueError(f"PDF pages fetch nothing ({url})")
        result: dict[str, object] = weasyprint.default_url_fetcher(url, *args, **kwargs)
        return result

    return data_only


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML page (inline CSS and SVG, images as ``data:`` URIs; nothing is fetched).

    Raises:
        PdfError: WeasyPrint cannot be imported (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)
            or cannot render the page.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as err:
        raise PdfError(f"PDF output needs WeasyPrint and Pango: {err}") from None

    try:
        document = weasyprint.HTML(string=html, url_fetcher=_data_only_fetcher(weasyprint))
        pdf = document.write_pdf()
    except Exception as err:  # WeasyPrint raises many kinds; one line is what the caller needs
        raise PdfError(f"cannot render the PDF: {err}") from None
    assert isinstance(pdf, bytes)
    return pdf

"""The filters the report documents and pages share: durations in the page's language."""

from __future__ import annotations

import pytest

from cvmon.reports.templating import document_environment


@pytest.mark.parametrize(
    ("seconds", "language", "shown"),
    [
        (45, "id", "45 s"),
        (1110, "id", "18.5 min"),
        (9000, "id", "2.5 jam"),  # not "h": that reads as "hari" (day)
        (9000, "en", "2.5 h"),
        (None, "en", "–"),
    ],
)
def test_a_duration_is_written_in_the_pages_language(seconds: float | None, language: str, shown: str) -> None:
    template = document_environment().from_string("{{ seconds|dur }}")
    assert template.render(seconds=seconds, lang=language) == shown

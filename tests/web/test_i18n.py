"""Both languages of the viewer have every text, with the same placeholders, and templates use only known keys."""

from __future__ import annotations

import re
from importlib import resources
from string import Formatter

import pytest
from babel import Locale

from cvmon.i18n import messages as i18n


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_text_in_both_languages_with_the_same_placeholders() -> None:
    for key in i18n.text_keys():
        if key in i18n.counted_keys():
            continue
        indonesian, english = i18n._WORDS[key]
        assert indonesian.strip() and english.strip(), key
        assert _fields(indonesian) == _fields(english), key


def test_every_counted_text_has_each_plural_form_of_both_languages() -> None:
    assert i18n.counted_keys(), "no counted texts"
    for key in i18n.counted_keys():
        forms = dict(zip(i18n.LANGUAGES, i18n._COUNTED[key], strict=True))
        fields = {frozenset(_fields(text)) for texts in forms.values() for text in texts.values()}
        assert len(fields) == 1 and "count" in next(iter(fields)), key  # every form shows the number alike
        for language, texts in forms.items():
            needed = set(Locale.parse(language).plural_form.tags) | {"other"}
            assert set(texts) == needed, (key, language)
            assert all(text.strip() for text in texts.values()), (key, language)


@pytest.mark.parametrize(
    ("language", "key", "count", "expected"),
    [
        ("en", "count.people", 1, "1 person"),
        ("en", "count.people", 2, "2 people"),
        ("en", "count.people", 0, "0 people"),
        ("en", "count.visits", 1, "1 visit"),
        ("en", "count.visits", 3, "3 visits"),
        ("en", "count.minutes", 1, "1 minute"),
        ("en", "count.points", 1.0, "1 point"),
        ("en", "count.points", 23.3, "23.3 points"),
        ("en", "count.times", 1, "1 time"),
        ("id", "count.people", 1, "1 orang"),
        ("id", "count.people", 2, "2 orang"),
        ("id", "count.visits", 3, "3 kunjungan"),
        ("id", "count.points", 23.3, "23.3 poin"),
        ("id", "count.times", 2, "2 kali"),
    ],
)
def test_counted_texts_take_the_plural_form_of_the_number(language, key: str, count: float, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert i18n.translate(language, key, count=count) == expected


def test_a_counted_text_needs_a_number() -> None:
    with pytest.raises(TypeError, match=r"count\.people"):
        i18n.translate("en", "count.people")


def test_templates_use_only_known_keys() -> None:
    known = set(i18n.text_keys())
    used: set[str] = set()
    for package in ("cvmon.web", "cvmon.reports"):  # the pages' templates and the documents'
        for template in (resources.files(package) / "templates").iterdir():
            used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", template.read_text()))
    assert used, "no t() calls found"
    prefixes = {u for u in used if u.endswith((".", "_"))}  # t("rule." ~ alert.rule): checked below
    assert used - prefixes - known == set()
    assert all(any(k.startswith(p) for k in known) for p in prefixes)


def test_every_value_shown_through_a_key_prefix_has_its_text() -> None:
    from cvmon.read.lists import AlertState
    from cvmon.read.summary import REASONS
    from cvmon.reports.index import ASPECTS
    from cvmon.reports.satisfaction import DAY_FIGURES, OUTCOMES
    from cvmon.storage.alerts import FollowUp
    from cvmon.storage.audit import AuditAction
    from cvmon.storage.users import Role
    from cvmon.types import Rule, ZoneKind

    values = {
        "role.": [r.value for r in Role],
        "rule.": [r.value for r in Rule],
        "followup.": [f.value for f in FollowUp],
        "zone.kind.": [z.value for z in ZoneKind],
        "status.": ["online", "offline", "unknown"],
        "alert.status.": ["open", "acknowledged", "resolved"],
        "alert.phase.": ["ongoing", "waiting_ack", "waiting_followup"],
        "alerts.state.": [s.value for s in AlertState],
        "summary.reason.": list(REASONS),
        "evidence.kind.": ["open", "peak", "periodic"],
        "audit.action.": [a.value for a in AuditAction],
        "report.rule_def.": [r.value for r in Rule],
        "report.aspect.": list(ASPECTS),
        "report.why.": list(ASPECTS),
        "report.means.": list(ASPECTS),
        "customer.day_figure.": [f.key for f in DAY_FIGURES],
        "customer.chart.figure.": [f.key for f in DAY_FIGURES],
        "customer.verdict.": ["too_few", "no_variation", "unclear", "negative", "positive"],
        "customer.strength.": ["none", "weak", "moderate", "strong"],
        "customer.source.": ["cvmon", "mystery_shopper"],
        "customer.": list(OUTCOMES),
    }
    missing = [p + v for p, vs in values.items() for v in vs if p + v not in i18n.text_keys()]
    assert missing == []


def test_unknown_key_shows_itself_and_language_falls_back() -> None:
    assert i18n.translate("en", "no.such.key") == "no.such.key"
    assert i18n.translate("en", "alerts.ack") == "Acknowledge"
    assert i18n.translate("id", "alerts.ack") == "Tangani"
    assert i18n.pick_language("fr", "id") == "id" and i18n.pick_language("en", "id") == "en"

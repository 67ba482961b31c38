"""Both languages of the viewer have every text, with the same placeholders, and templates use only known keys."""

from __future__ import annotations

import re
from importlib import resources
from string import Formatter

from cvmon.web import i18n


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_text_in_both_languages_with_the_same_placeholders() -> None:
    for key in i18n.text_keys():
        indonesian, english = i18n._WORDS[key]
        assert indonesian.strip() and english.strip(), key
        assert _fields(indonesian) == _fields(english), key


def test_templates_use_only_known_keys() -> None:
    known = set(i18n.text_keys())
    used: set[str] = set()
    for template in (resources.files("cvmon.web") / "templates").iterdir():
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", template.read_text()))
    assert used, "no t() calls found"
    prefixes = {u for u in used if u.endswith((".", "_"))}  # t("rule." ~ alert.rule): checked below
    assert used - prefixes - known == set()
    assert all(any(k.startswith(p) for k in known) for p in prefixes)


def test_every_value_shown_through_a_key_prefix_has_its_text() -> None:
    from cvmon.alerts.rules import Rule
    from cvmon.api.lists import AlertState
    from cvmon.api.summary import REASONS
    from cvmon.storage.alerts import FollowUp
    from cvmon.storage.audit import AuditAction
    from cvmon.storage.users import Role
    from cvmon.types import ZoneKind

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
    }
    missing = [p + v for p, vs in values.items() for v in vs if p + v not in i18n.text_keys()]
    assert missing == []


def test_unknown_key_shows_itself_and_language_falls_back() -> None:
    assert i18n.translate("en", "no.such.key") == "no.such.key"
    assert i18n.translate("en", "alerts.ack") == "Acknowledge"
    assert i18n.translate("id", "alerts.ack") == "Tangani"
    assert i18n.pick_language("fr", "id") == "id" and i18n.pick_language("en", "id") == "en"

"""Settings of staff recognition: defaults, bounds, and a description on every field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cvmon.config.staff import StaffConfig


def test_off_by_default_and_every_field_described() -> None:
    config = StaffConfig()
    assert config.enabled is False
    assert (config.min_examples, config.standing_s, config.staff_vote, config.customer_vote) == (60.0, 10.0, 0.7, 0.3)
    assert all(field.description for field in StaffConfig.model_fields.values())


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"min_spread": 0.2, "max_spread": 0.1}, "min_spread must not exceed max_spread"),
        ({"staff_vote": 0.5}, "staff_vote"),
        ({"customer_vote": 0.5}, "customer_vote"),
        ({"min_confidence": 0.5}, "min_confidence"),
        ({"min_examples": 0}, "min_examples"),
        ({"max_staff_clusters": 0}, "max_staff_clusters"),
        ({"thresholds": 1}, "thresholds"),
        ({}, None),
    ],
)
def test_values_are_checked(values: dict, error: str | None) -> None:
    if error is None:
        assert StaffConfig(**values) == StaffConfig()
        return
    with pytest.raises(ValidationError, match=error):
        StaffConfig(**values)

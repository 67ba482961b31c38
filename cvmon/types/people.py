"""Whether a tracked person is staff or a customer (memory only: never stored per person)."""

from __future__ import annotations

import enum


class PersonRole(enum.StrEnum):
    """A track's role: staff, customer, or not known well enough to say (counted as such, never guessed)."""

    STAFF = "staff"
    CUSTOMER = "customer"
    UNSURE = "unsure"

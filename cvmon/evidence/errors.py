"""Exceptions of the evidence package (anonymised snapshots and their store)."""

from __future__ import annotations

from typing import Literal

from cvmon.errors import CvmonError


class EvidenceError(CvmonError):
    """Evidence cannot be made, written or read (bad input, unsafe path, I/O failure)."""


class NotAnonymised(EvidenceError, TypeError):
    """Something other than the output of ``anonymise`` was handed to the evidence store."""


class EvidenceTampered(EvidenceError):
    """A stored evidence file is missing or no longer matches its recorded sha256.

    Attributes:
        path_relative: the file, relative to the store's root.
        reason: ``"missing"`` or ``"altered"``.
    """

    def __init__(self, message: str, path_relative: str, reason: Literal["missing", "altered"]) -> None:
        super().__init__(message)
        self.path_relative = path_relative
        self.reason = reason

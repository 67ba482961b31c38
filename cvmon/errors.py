"""Exceptions raised by the cvmon library.

Only the CLI turns these into exit codes and one-line messages; only ``api/`` turns them into
HTTP errors.
"""

from __future__ import annotations

from typing import Literal


class CvmonError(Exception):
    """Base class of every error cvmon raises on purpose."""

    exit_code = 1


class ConfigError(CvmonError):
    """The configuration is invalid; ``problems`` lists every error with its path."""

    exit_code = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class SourceError(CvmonError):
    """A video source cannot be opened or read."""


class SourceTimeout(SourceError):
    """A live source produced no new frame within its timeout."""


class ModelError(CvmonError):
    """A detector model is missing, unreadable or of an unexpected layout."""


class BackendUnavailable(CvmonError):
    """A detector backend was chosen whose library is not installed."""


class StorageError(CvmonError):
    """The database cannot be reached or written."""


class SpoolError(CvmonError):
    """A camera's local spool (its queue of writes waiting for the database) cannot be read or written."""


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


class ImportRejected(CvmonError):
    """An import file or request has bad rows or columns; ``problems`` lists each (with its line), and
    nothing was stored."""

    exit_code = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]

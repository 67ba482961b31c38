"""The one place where cvmon's exceptions become HTTP errors."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from cvmon.api.user_admin import AdminConflict
from cvmon.errors import ConfigError, CvmonError, EvidenceTampered, StorageError
from cvmon.storage.alerts import AlertNotFound, AlertStateError
from cvmon.storage.evidence import EvidenceNotFound
from cvmon.storage.users import UserError, UserExists, UserNotFound

log = logging.getLogger(__name__)

# Most specific first; the first class an exception is an instance of decides.
STATUS_OF: tuple[tuple[type[CvmonError], int], ...] = (
    (AlertNotFound, status.HTTP_404_NOT_FOUND),
    (EvidenceNotFound, status.HTTP_404_NOT_FOUND),
    (UserNotFound, status.HTTP_404_NOT_FOUND),
    (AlertStateError, status.HTTP_409_CONFLICT),
    (EvidenceTampered, status.HTTP_409_CONFLICT),
    (UserExists, status.HTTP_409_CONFLICT),
    (AdminConflict, status.HTTP_409_CONFLICT),
    (UserError, status.HTTP_422_UNPROCESSABLE_CONTENT),  # a bad username, role, unit list or password
    (ConfigError, status.HTTP_400_BAD_REQUEST),
)


def http_status_of(error: CvmonError) -> int:
    for cls, code in STATUS_OF:
        if isinstance(error, cls):
            return code
    return status.HTTP_500_INTERNAL_SERVER_ERROR


async def cvmon_error_handler(request: Request, error: Exception) -> JSONResponse:
    """A cvmon error as ``{"detail": message}``; storage and unexpected errors keep their details in the log."""
    if isinstance(error, StorageError):
        log.error("%s %s: %s", request.method, request.url.path, error)
        return JSONResponse({"detail": "the database is unavailable"}, status.HTTP_503_SERVICE_UNAVAILABLE)
    assert isinstance(error, CvmonError)
    code = http_status_of(error)
    if code >= 500:
        log.error("%s %s: %s", request.method, request.url.path, error)
        return JSONResponse({"detail": "internal error"}, code)
    return JSONResponse({"detail": str(error)}, code)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CvmonError, cvmon_error_handler)

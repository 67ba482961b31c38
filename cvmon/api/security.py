"""Session tokens, CSRF tokens and the clock of the API.

A session is a random token in an HttpOnly cookie; the database keeps only its HMAC, so a copy of
the sessions table opens nothing. The CSRF token is another HMAC of the same token: bound to the
session, derivable on every request, never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]

SESSION_COOKIE = "cvmon_session"
# The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and for path /.
SECURE_SESSION_COOKIE = "__Host-cvmon_session"
CSRF_HEADER = "X-CSRF-Token"


def system_clock() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class Tokens:
    """Makes session tokens and derives their stored hash and their CSRF token from the secret key."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    @staticmethod
    def new_session_token() -> str:
        return secrets.token_urlsafe(32)

    def session_hash(self, token: str) -> str:
        """What the database stores for a session token (hex, 64 characters)."""
        return self._mac("session", token)

    def csrf_token(self, token: str) -> str:
        """The CSRF token that goes with a session token."""
        return self._mac("csrf", token)

    @staticmethod
    def same(expected: str, given: str | None) -> bool:
        """Constant-time comparison; a missing value never matches."""
        return given is not None and hmac.compare_digest(expected.encode(), given.encode())

    def _mac(self, purpose: str, token: str) -> str:
        return hmac.new(self._key, f"{purpose}:{token}".encode(), hashlib.sha256).hexdigest()

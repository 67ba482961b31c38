"""The webhook channel: each notification is POSTed as JSON, signed with HMAC-SHA256.

Receivers check ``X-Cvmon-Signature: sha256=<hex>`` (HMAC-SHA256 of the exact body bytes with the shared
secret, see ``verify_signature``) and dedupe on ``X-Cvmon-Delivery`` (the outbox id): delivery is at least
once, so the same message may arrive again after a lost answer.
"""

from __future__ import annotations

import hashlib
import hmac
from types import TracebackType
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from cvmon import __version__
from cvmon.notify.errors import DeliveryError
from cvmon.notify.outbox import OutboxMessage, encode_body

SIGNATURE_HEADER = "X-Cvmon-Signature"
DELIVERY_HEADER = "X-Cvmon-Delivery"
_SIGNATURE_SCHEME = "sha256="


def sign_body(body: bytes, secret: str) -> str:
    """The ``X-Cvmon-Signature`` value of ``body``: ``sha256=`` and the hex HMAC-SHA256 with ``secret``."""
    return _SIGNATURE_SCHEME + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str, secret: str) -> bool:
    """Whether ``header`` is the signature of ``body`` with ``secret``, compared in constant time."""
    if not secret or not header:
        return False
    expected = sign_body(body, secret).encode("ascii")
    return hmac.compare_digest(expected, header.strip().encode("utf-8", "replace"))


def _safe_url(url: str) -> str:
    """scheme://host[:port]/path: no user, password, query or fragment, which may hold tokens."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ":?"
    return f"{parts.scheme}://{host}{port}{parts.path}"


class WebhookSender:
    """Sends outbox messages to one webhook URL; keeps its HTTP connection between sends. Close it when done."""

    def __init__(self, url: str, secret: str, timeout_s: float = 5.0) -> None:
        """Prepare the sender.

        Raises:
            ValueError: the URL is not http(s) with a host, the secret is empty or the timeout not positive.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"webhook URL {_safe_url(url)!r} must be http:// or https:// with a host")
        try:
            parts.port  # noqa: B018 - raises for a port out of range
        except ValueError:
            raise ValueError(f"webhook URL {_safe_url(url)!r} has an invalid port") from None
        if not secret:
            raise ValueError("the webhook secret must not be empty")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        # Credentials in the URL travel as basic auth, so that no log line (httpx logs every request's URL
        # at INFO) shows the password.
        auth = None
        if parts.username is not None:
            auth = httpx.BasicAuth(unquote(parts.username), unquote(parts.password or ""))
            url = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        self._hidden = tuple(h for h in (secret, parts.password, unquote(parts.password or "")) if h)
        self._url = url
        self._where = _safe_url(url)
        self._secret = secret
        self._timeout_s = timeout_s
        self._client = httpx.Client(
            auth=auth, timeout=timeout_s, follow_redirects=False, headers={"User-Agent": f"cvmon/{__version__}"}
        )

    def __repr__(self) -> str:
        return f"WebhookSender({self._where!r}, timeout_s={self._timeout_s})"

    def __enter__(self) -> WebhookSender:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self._client.close()

    def send(self, message: OutboxMessage) -> None:
        """POST ``message``; returns when the receiver answered 2xx.

        Raises:
            DeliveryError: no connection, a timeout or an answer other than 2xx (redirects are not followed).
        """
        body = encode_body(message)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign_body(body, self._secret),
            DELIVERY_HEADER: str(message.id),
        }
        try:
            response = self._client.post(self._url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryError(f"webhook {self._where}: no answer within {self._timeout_s:g} s") from None
        except httpx.HTTPError as err:
            raise DeliveryError(f"webhook {self._where}: {self._reason(err)}") from None
        if not response.is_success:
            phrase = " ".join(response.reason_phrase.split())[:80]
            phrase = f" {phrase}" if phrase else ""
            raise DeliveryError(f"webhook {self._where} answered HTTP {response.status_code}{phrase}")

    def _reason(self, err: BaseException) -> str:
        text = (" ".join(str(err).split()) or type(err).__name__).replace(self._url, self._where)
        for hidden in self._hidden:
            text = text.replace(hidden, "***")
        return f"{type(err).__name__}: {text}"[:300]

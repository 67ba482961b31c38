"""Deliver the outbox: due messages are sent oldest first; a failure is retried later with exponential backoff.

A failed message stops its channel for the round, so a receiver always gets a channel's messages in
the order they were enqueued. A message that was sent but could not be marked delivered (the database
failed in between) is sent again later: delivery is at least once, and receivers dedupe on the id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from cvmon.errors import CvmonError
from cvmon.notify.errors import DeliveryError
from cvmon.notify.mqtt import MqttSender
from cvmon.notify.outbox import Outbox, OutboxMessage
from cvmon.notify.settings import NotifySettings
from cvmon.notify.webhook import WebhookSender

logger = logging.getLogger(__name__)
_MAX_DOUBLINGS = 40


class Sender(Protocol):
    """Delivers one message on one channel, or raises ``DeliveryError``."""

    def send(self, message: OutboxMessage) -> None: ...


@dataclass(frozen=True)
class DeliveryReport:
    """What one round did: messages delivered and failed, by channel."""

    delivered: Mapping[str, int] = field(default_factory=dict)
    failed: Mapping[str, int] = field(default_factory=dict)

    @property
    def total_delivered(self) -> int:
        return sum(self.delivered.values())

    @property
    def total_failed(self) -> int:
        return sum(self.failed.values())


def retry_delay(attempts: int, settings: NotifySettings) -> timedelta:
    """Wait after a failed try of a message that had ``attempts`` tries before it.

    ``retry_initial_s * 2**attempts``, at most ``retry_max_s``: 2, 4, 8, ... 300 s by default.
    """
    seconds = settings.retry_initial_s * 2 ** min(max(attempts, 0), _MAX_DOUBLINGS)
    return timedelta(seconds=min(seconds, settings.retry_max_s))


def _failure_reason(err: Exception) -> str:
    if isinstance(err, DeliveryError):
        return str(err)
    return f"unexpected {type(err).__name__} in the sender (see the log)"


def deliver_due(
    outbox: Outbox, senders: Mapping[str, Sender], now: datetime, settings: NotifySettings
) -> DeliveryReport:
    """Send every channel's due messages, oldest first; on a failure mark it for retry and stop that channel.

    Channels without a sender are left alone (their messages stay pending).

    Raises:
        StorageError: the outbox cannot be read or updated.
        ValueError: an unknown channel in ``senders`` or a naive ``now``.
    """
    delivered: dict[str, int] = {}
    failed: dict[str, int] = {}
    for channel, sender in senders.items():
        delivered[channel] = failed[channel] = 0
        for message in outbox.due(channel, now):
            try:
                sender.send(message)
            except Exception as err:
                if not isinstance(err, DeliveryError):
                    logger.exception("%s sender failed unexpectedly on outbox message %d", channel, message.id)
                reason = _failure_reason(err)
                retry_at = now + retry_delay(message.attempts, settings)
                outbox.mark_failed(message.id, now, reason, retry_at)
                failed[channel] += 1
                logger.warning(
                    "%s: outbox message %d not delivered (try %d), retry at %s: %s",
                    channel,
                    message.id,
                    message.attempts + 1,
                    retry_at.isoformat(),
                    reason,
                )
                break
            outbox.mark_delivered(message.id, now)
            delivered[channel] += 1
    return DeliveryReport(delivered=delivered, failed=failed)


def make_senders(settings: NotifySettings) -> dict[str, Sender]:
    """A sender for every channel configured in ``settings`` (none when nothing is configured)."""
    senders: dict[str, Sender] = {}
    if settings.webhook_url is not None and settings.webhook_secret is not None:
        senders["webhook"] = WebhookSender(
            settings.webhook_url, settings.webhook_secret.get_secret_value(), settings.webhook_timeout_s
        )
    if settings.mqtt_url is not None:
        senders["mqtt"] = MqttSender(settings.mqtt_url, settings.mqtt_topic_prefix)
    return senders


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    """Runs ``deliver_due`` in rounds until stopped; the clock is injectable for tests."""

    def __init__(
        self,
        outbox: Outbox,
        senders: Mapping[str, Sender],
        settings: NotifySettings,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._outbox = outbox
        self._senders = dict(senders)
        self._settings = settings
        self._clock = clock

    def run_once(self) -> DeliveryReport:
        """One round at the clock's time now."""
        return deliver_due(self._outbox, self._senders, self._clock(), self._settings)

    def run_forever(self, stop: threading.Event, poll_s: float = 1.0) -> None:
        """Run rounds until ``stop`` is set, waiting ``poll_s`` between them (none after a round that delivered).

        A round that fails on the database (``StorageError``) is logged and tried again after ``poll_s``.
        """
        while not stop.is_set():
            try:
                report = self.run_once()
            except CvmonError as err:
                logger.warning("notification round failed: %s", err)
                report = DeliveryReport()
            if report.total_delivered == 0 or report.total_failed > 0:
                stop.wait(poll_s)

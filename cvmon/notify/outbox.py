"""The outbox: notifications persisted in the database until each channel has delivered them.

Topics. An alert about a camera has the topic ``<prefix>/<unit_id>/<camera_id>/alerts`` (see
``alert_topic``; the prefix is ``NotifySettings.mqtt_topic_prefix``, ``cvmon`` by default). The outbox
keeps the full topic: MQTT publishes on it as it is, and the webhook gets it as ``"topic"`` in its JSON
body. The body that both channels send is ``encode_body``'s:
``{"topic": ..., "id": <outbox id>, "created_at": <ISO 8601>, "payload": {...}}``.

Every message is enqueued once per channel, so one slow channel never holds back the other. Within a
channel, messages are delivered in the order they were enqueued: one waiting for a retry holds back the
messages after it (see ``Outbox.due``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from cvmon.storage import Database
from cvmon.storage.models import OutboxRecord

CHANNELS: tuple[str, ...] = ("webhook", "mqtt")
PENDING = "pending"
DELIVERED = "delivered"
TOPIC_LENGTH = 300
ERROR_LENGTH = 500
_TOPIC_FORBIDDEN = frozenset("+#/\x00")


@dataclass(frozen=True)
class OutboxMessage:
    """One pending notification on one channel, as read from the outbox."""

    id: int
    channel: str
    topic: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


def alert_topic(unit_id: str, camera_id: str, prefix: str = "cvmon") -> str:
    """The topic of a camera's alerts: ``<prefix>/<unit_id>/<camera_id>/alerts``.

    Raises:
        ValueError: a level is empty or holds ``/``, ``+``, ``#`` or NUL, or the topic is too long.
    """
    for what, level in (("unit_id", unit_id), ("camera_id", camera_id)):
        if not level or _TOPIC_FORBIDDEN & set(level):
            raise ValueError(f"{what} {level!r} cannot be a topic level (empty, or holds / + # or NUL)")
    topic = f"{check_topic_prefix(prefix)}/{unit_id}/{camera_id}/alerts"
    _check_topic(topic)
    return topic


def check_topic_prefix(prefix: str) -> str:
    """``prefix`` when it can start an MQTT topic: non-empty, no wildcards, NUL or outer slashes.

    Raises:
        ValueError: it cannot.
    """
    if not prefix or prefix.startswith("/") or prefix.endswith("/") or {"+", "#", "\x00"} & set(prefix):
        raise ValueError(f"topic prefix {prefix!r} must be non-empty, without + # NUL or a leading/trailing /")
    return prefix


def encode_body(message: OutboxMessage) -> bytes:
    """The exact bytes both channels send: compact UTF-8 JSON of topic, id, created_at and payload."""
    body = {
        "topic": message.topic,
        "id": message.id,
        "created_at": message.created_at.isoformat(),
        "payload": message.payload,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _check_topic(topic: str) -> None:
    if not topic or len(topic) > TOPIC_LENGTH or len(topic.encode("utf-8")) > 65535:
        raise ValueError(f"a topic must have 1 to {TOPIC_LENGTH} characters, got {len(topic)}")
    if {"+", "#", "\x00"} & set(topic):
        raise ValueError(f"topic {topic!r} must not hold the wildcards + or # (or NUL)")


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} {value.isoformat()} must be timezone-aware")
    return value.astimezone(UTC)


def _check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    return channel


def _json_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as it reads back from the database: JSON types only, no NaN or infinity."""
    if not isinstance(payload, dict):
        raise ValueError(f"a payload must be a dict, got {type(payload).__name__}")
    try:
        text = json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"payload is not plain JSON: {err}") from None
    return cast(dict[str, Any], json.loads(text))


def _one_line(text: str, limit: int = ERROR_LENGTH) -> str:
    line = " ".join(text.split()) or "unknown error"
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _message_of(rec: OutboxRecord) -> OutboxMessage:
    return OutboxMessage(
        id=rec.id,
        channel=rec.channel,
        topic=rec.topic,
        payload=dict(rec.payload),
        attempts=rec.attempts,
        created_at=rec.created_at,
    )


class Outbox:
    """A queue of notifications persisted in the ``outbox`` table of an open cvmon database.

    Every method runs in its own transaction; database failures raise ``StorageError``.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def _transaction(self, action: str, *, write: bool) -> AbstractContextManager[Session]:
        return self._db.transaction(action, write=write)

    def enqueue(self, topic: str, payload: dict[str, Any], channels: Sequence[str], now: datetime) -> list[int]:
        """Store one pending message per channel, all in one transaction, due at once; returns their ids.

        Raises:
            ValueError: an unknown or repeated channel, a bad topic, a payload that is not plain JSON
                (it must be a dict; NaN and infinity are refused) or a naive ``now``. Nothing is stored.
            StorageError: the database refused the write (nothing was stored).
        """
        when = _aware(now, "now")
        _check_topic(topic)
        wanted = [_check_channel(c) for c in channels]
        if len(set(wanted)) != len(wanted):
            raise ValueError(f"channels {list(channels)} name a channel twice")
        body = _json_payload(payload)
        if not wanted:
            return []
        with self._transaction("cannot add notifications to the outbox of", write=True) as session:
            records = [
                OutboxRecord(
                    created_at=when,
                    channel=channel,
                    topic=topic,
                    payload=body,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=when,
                )
                for channel in wanted
            ]
            session.add_all(records)
            session.flush()
            return [rec.id for rec in records]

    def due(self, channel: str, now: datetime, limit: int = 50) -> list[OutboxMessage]:
        """The pending messages of ``channel`` to send now, oldest first (by id), at most ``limit``.

        They run up to the first pending message whose next try is after ``now``: a message waiting for
        its retry holds back the ones enqueued after it, so that a channel always delivers in order.

        Raises:
            ValueError: an unknown channel, a naive ``now`` or a limit below 1.
            StorageError: the database cannot be read.
        """
        _check_channel(channel)
        when = _aware(now, "now")
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        stmt = (
            select(OutboxRecord)
            .where(OutboxRecord.channel == channel, OutboxRecord.status == PENDING)
            .order_by(OutboxRecord.id)
            .limit(limit)
        )
        with self._transaction("cannot read the outbox of", write=False) as session:
            records = list(session.scalars(stmt))
        ready = itertools.takewhile(lambda rec: rec.next_attempt_at <= when, records)
        return [_message_of(rec) for rec in ready]

    def mark_delivered(self, message_id: int, now: datetime) -> None:
        """Record a successful try: the message is delivered and its tries counted; repeating it changes nothing.

        Raises:
            ValueError: no message has this id, or ``now`` is naive.
            StorageError: the database refused the write.
        """
        when = _aware(now, "now")
        stmt = (
            update(OutboxRecord)
            .where(OutboxRecord.id == message_id, OutboxRecord.status == PENDING)
            .values(status=DELIVERED, delivered_at=when, attempts=OutboxRecord.attempts + 1)
        )
        self._update(message_id, stmt, "cannot mark a notification delivered in")

    def mark_failed(self, message_id: int, now: datetime, error: str, retry_at: datetime) -> None:
        """Record a failed try: count it, keep ``error`` (one line, at most 500 characters), retry at ``retry_at``.

        A message already delivered stays delivered.

        Raises:
            ValueError: no message has this id, or a time is naive.
            StorageError: the database refused the write.
        """
        _aware(now, "now")
        retry = _aware(retry_at, "retry_at")
        stmt = (
            update(OutboxRecord)
            .where(OutboxRecord.id == message_id, OutboxRecord.status == PENDING)
            .values(attempts=OutboxRecord.attempts + 1, next_attempt_at=retry, last_error=_one_line(error))
        )
        self._update(message_id, stmt, "cannot mark a notification failed in")

    def _update(self, message_id: int, stmt: Any, action: str) -> None:
        with self._transaction(action, write=True) as session:
            result = cast(CursorResult[Any], session.execute(stmt.execution_options(synchronize_session=False)))
            if result.rowcount == 0 and session.get(OutboxRecord, message_id) is None:
                raise ValueError(f"no outbox message has id {message_id}")

    def pending_count(self, channel: str | None = None) -> int:
        """How many messages wait for delivery, on one channel or on all.

        Raises:
            ValueError: an unknown channel.
            StorageError: the database cannot be read.
        """
        stmt = select(func.count()).select_from(OutboxRecord).where(OutboxRecord.status == PENDING)
        if channel is not None:
            stmt = stmt.where(OutboxRecord.channel == _check_channel(channel))
        with self._transaction("cannot count the outbox of", write=False) as session:
            return int(session.scalar(stmt) or 0)

"""The outbox on SQLite and on a real PostgreSQL: enqueue, due, delivered, failed, counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from cvmon.errors import StorageError
from cvmon.notify import Outbox, OutboxMessage, alert_topic, encode_body
from cvmon.storage import Database
from tests.conftest import T0
from tests.notify.conftest import outbox_rows

TOPIC = "cvmon/ulp-ampenan/cam-hall/alerts"
PAYLOAD: dict[str, Any] = {
    "rule": "long_queue",
    "zone": "queue-1",
    "value": 7,
    "threshold": 5.5,
    "text": "Antrean panjang di Loket 1 — mohon ditindaklanjuti ✓",
    "staffed": False,
    "evidence": None,
    "counts": [3, 5, 7],
}


def test_enqueue_stores_one_pending_row_per_channel(outbox: Outbox, database: Database) -> None:
    ids = outbox.enqueue(TOPIC, PAYLOAD, ["webhook", "mqtt"], T0)
    assert len(ids) == 2 and ids[0] < ids[1]
    rows = outbox_rows(database)
    assert [(r.id, r.channel) for r in rows] == [(ids[0], "webhook"), (ids[1], "mqtt")]
    for row in rows:
        assert (row.topic, row.payload, row.status, row.attempts) == (TOPIC, PAYLOAD, "pending", 0)
        assert row.created_at == row.next_attempt_at == T0
        assert row.delivered_at is None and row.last_error is None
    assert outbox.pending_count() == 2
    assert outbox.pending_count("webhook") == outbox.pending_count("mqtt") == 1


def test_enqueue_on_no_channel_stores_nothing(outbox: Outbox, database: Database) -> None:
    assert outbox.enqueue(TOPIC, PAYLOAD, [], T0) == []
    assert database.count_rows()["outbox"] == 0


def test_payload_and_times_read_back_unchanged(outbox: Outbox) -> None:
    wita = T0.astimezone(ZoneInfo("Asia/Makassar"))
    (message_id,) = outbox.enqueue(TOPIC, PAYLOAD, ["mqtt"], wita)
    (message,) = outbox.due("mqtt", T0)
    assert message == OutboxMessage(message_id, "mqtt", TOPIC, PAYLOAD, 0, T0)
    assert message.created_at.tzinfo is not None and message.created_at.utcoffset() == timedelta(0)


def test_due_is_oldest_first_limited_and_only_when_the_time_has_come(outbox: Outbox) -> None:
    ids = [outbox.enqueue(TOPIC, {"n": i}, ["webhook"], T0 + timedelta(seconds=i))[0] for i in range(5)]
    assert [m.id for m in outbox.due("webhook", T0 + timedelta(seconds=2))] == ids[:3]
    assert [m.id for m in outbox.due("webhook", T0 + timedelta(hours=1), limit=2)] == ids[:2]
    assert [m.payload["n"] for m in outbox.due("webhook", T0 + timedelta(hours=1))] == [0, 1, 2, 3, 4]
    assert outbox.due("webhook", T0 - timedelta(seconds=1)) == []
    assert outbox.due("mqtt", T0 + timedelta(hours=1)) == []


def test_a_message_waiting_for_its_retry_holds_back_the_later_ones(outbox: Outbox) -> None:
    ids = [outbox.enqueue(TOPIC, {"n": i}, ["webhook", "mqtt"], T0)[0] for i in range(4)]
    retry_at = T0 + timedelta(seconds=8)
    outbox.mark_delivered(ids[0], T0)
    outbox.mark_failed(ids[2], T0, "down", retry_at)
    assert [m.id for m in outbox.due("webhook", T0)] == [ids[1]]
    assert [m.id for m in outbox.due("webhook", retry_at)] == ids[1:]
    assert len(outbox.due("mqtt", T0)) == 4  # the other channel is not held back


def test_mark_failed_counts_the_try_and_delays_the_message(outbox: Outbox, database: Database) -> None:
    first, second = (outbox.enqueue(TOPIC, {"n": i}, ["webhook"], T0)[0] for i in range(2))
    retry_at = T0 + timedelta(seconds=2)
    outbox.mark_failed(first, T0, "webhook http://127.0.0.1/hook: refused\nsecond line " + "x" * 900, retry_at)
    row = outbox_rows(database)[0]
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, retry_at)
    assert row.last_error is not None and "\n" not in row.last_error and len(row.last_error) == 500
    assert row.last_error.startswith("webhook http://127.0.0.1/hook: refused second line xxx")
    assert outbox.due("webhook", T0) == []  # the first holds back the second: delivery stays in order
    assert [(m.id, m.attempts) for m in outbox.due("webhook", retry_at)] == [(first, 1), (second, 0)]
    outbox.mark_failed(first, retry_at, "again", retry_at + timedelta(seconds=4))
    assert outbox_rows(database)[0].attempts == 2
    assert outbox_rows(database)[0].last_error == "again"
    assert outbox.pending_count("webhook") == 2


def test_mark_delivered_ends_the_message(outbox: Outbox, database: Database) -> None:
    webhook_id, mqtt_id = outbox.enqueue(TOPIC, PAYLOAD, ["webhook", "mqtt"], T0)
    outbox.mark_failed(webhook_id, T0, "down", T0 + timedelta(seconds=2))
    done = T0 + timedelta(seconds=3)
    outbox.mark_delivered(webhook_id, done)
    row = outbox_rows(database)[0]
    assert (row.status, row.attempts, row.delivered_at) == ("delivered", 2, done)
    assert outbox.due("webhook", done + timedelta(days=1)) == []
    assert (outbox.pending_count(), outbox.pending_count("webhook"), outbox.pending_count("mqtt")) == (1, 0, 1)
    # Repeating it, or a late failure, changes nothing.
    outbox.mark_delivered(webhook_id, done + timedelta(seconds=9))
    outbox.mark_failed(webhook_id, done, "late", done + timedelta(seconds=2))
    row = outbox_rows(database)[0]
    assert (row.status, row.attempts, row.delivered_at, row.last_error) == ("delivered", 2, done, "down")
    assert [m.id for m in outbox.due("mqtt", done)] == [mqtt_id]


def test_unknown_ids_are_refused(outbox: Outbox) -> None:
    with pytest.raises(ValueError, match="no outbox message has id 999"):
        outbox.mark_delivered(999, T0)
    with pytest.raises(ValueError, match="no outbox message has id 999"):
        outbox.mark_failed(999, T0, "x", T0)


class _Opaque:
    pass


@pytest.mark.parametrize(
    ("topic", "payload", "channels", "now", "error"),
    [
        (TOPIC, PAYLOAD, ["sms"], T0, "unknown channel 'sms'"),
        (TOPIC, PAYLOAD, ["webhook", "webhook"], T0, "name a channel twice"),
        (TOPIC, PAYLOAD, ["webhook", "email"], T0, "unknown channel 'email'"),
        (TOPIC, PAYLOAD, ["webhook"], T0.replace(tzinfo=None), "must be timezone-aware"),
        (TOPIC, {"value": float("nan")}, ["webhook"], T0, "not plain JSON"),
        (TOPIC, {"value": float("inf")}, ["webhook"], T0, "not plain JSON"),
        (TOPIC, {"when": T0}, ["webhook"], T0, "not plain JSON"),
        (TOPIC, {"what": _Opaque()}, ["webhook"], T0, "not plain JSON"),
        (TOPIC, [1, 2], ["webhook"], T0, "must be a dict"),
        ("", PAYLOAD, ["webhook"], T0, "1 to 300 characters"),
        ("cvmon/" + "x" * 300, PAYLOAD, ["webhook"], T0, "1 to 300 characters"),
        ("cvmon/+/cam/alerts", PAYLOAD, ["mqtt"], T0, "wildcards"),
        ("cvmon/#", PAYLOAD, ["mqtt"], T0, "wildcards"),
    ],
)
def test_enqueue_refuses_bad_input_and_stores_nothing(
    sqlite_outbox: Outbox,
    sqlite_database: Database,
    topic: str,
    payload: Any,
    channels: list[str],
    now: datetime,
    error: str,
) -> None:
    """Input is checked before the database is touched, so SQLite stands for both backends here."""
    with pytest.raises(ValueError, match=error):
        sqlite_outbox.enqueue(topic, payload, channels, now)
    assert sqlite_database.count_rows()["outbox"] == 0


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda o: o.due("sms", T0), "unknown channel"),
        (lambda o: o.due("webhook", T0.replace(tzinfo=None)), "timezone-aware"),
        (lambda o: o.due("webhook", T0, limit=0), "limit must be at least 1"),
        (lambda o: o.pending_count("sms"), "unknown channel"),
        (lambda o: o.mark_failed(1, T0, "x", T0.replace(tzinfo=None)), "retry_at .* must be timezone-aware"),
    ],
)
def test_reads_refuse_bad_input(sqlite_outbox: Outbox, call: Any, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        call(sqlite_outbox)


def test_database_failures_raise_storage_error(outbox: Outbox, database: Database) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("DROP TABLE outbox"))
    with pytest.raises(StorageError, match=r"^cannot add notifications to the outbox of .*outbox"):
        outbox.enqueue(TOPIC, PAYLOAD, ["webhook"], T0)
    with pytest.raises(StorageError, match="cannot read the outbox of"):
        outbox.due("webhook", T0)
    with pytest.raises(StorageError, match="cannot count the outbox of"):
        outbox.pending_count()


@pytest.mark.parametrize(
    ("unit", "camera", "prefix", "expected"),
    [
        ("ulp-ampenan", "cam-hall", "cvmon", "cvmon/ulp-ampenan/cam-hall/alerts"),
        ("ulp-ampenan", "cam-hall", "pln/cvmon", "pln/cvmon/ulp-ampenan/cam-hall/alerts"),
        ("ulp/ampenan", "cam-hall", "cvmon", ValueError),
        ("ulp-ampenan", "cam+1", "cvmon", ValueError),
        ("ulp-ampenan", "#", "cvmon", ValueError),
        ("", "cam-hall", "cvmon", ValueError),
        ("ulp-ampenan", "cam-hall", "cvmon/", ValueError),
        ("ulp-ampenan", "cam-hall", "", ValueError),
    ],
)
def test_alert_topic(unit: str, camera: str, prefix: str, expected: str | type[Exception]) -> None:
    if isinstance(expected, str):
        assert alert_topic(unit, camera, prefix) == expected
    else:
        with pytest.raises(expected):
            alert_topic(unit, camera, prefix)


def test_encode_body_is_compact_utf8_json_in_a_fixed_order() -> None:
    message = OutboxMessage(7, "webhook", TOPIC, {"b": 1, "a": "ü"}, 0, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert (
        encode_body(message)
        == (
            '{"topic":"cvmon/ulp-ampenan/cam-hall/alerts","id":7,"created_at":"2026-01-02T03:04:05+00:00",'
            '"payload":{"b":1,"a":"ü"}}'
        ).encode()
    )

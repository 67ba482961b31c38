"""The webhook channel against a real HTTP receiver: down, then up; errors; signatures; no secret leaks."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from cvmon.notify import (
    DeliveryError,
    NotifySettings,
    Outbox,
    OutboxMessage,
    WebhookSender,
    alert_topic,
    deliver_due,
    sign_body,
    verify_signature,
)
from cvmon.storage import Database
from tests.conftest import T0
from tests.notify.conftest import SECRET, outbox_rows
from tests.notify.http_receiver import Receiver

TOPIC = alert_topic("ulp-ampenan", "cam-hall")


def _message(message_id: int = 1) -> OutboxMessage:
    return OutboxMessage(message_id, "webhook", TOPIC, {"rule": "long_queue", "value": 7}, 0, T0)


def test_messages_sent_while_the_receiver_is_down_arrive_once_in_order_when_it_is_up(
    sqlite_database: Database, sqlite_outbox: Outbox, receiver: Receiver, settings: NotifySettings
) -> None:
    outbox = sqlite_outbox
    ids = [
        outbox.enqueue(TOPIC, {"rule": "long_queue", "n": n}, ["webhook"], T0 + timedelta(seconds=n))[0]
        for n in range(3)
    ]
    now = T0 + timedelta(seconds=3)
    with WebhookSender(receiver.url, SECRET, timeout_s=2) as sender:
        senders = {"webhook": sender}
        waits = []
        for _ in range(4):
            report = deliver_due(outbox, senders, now, settings)
            assert (report.delivered, report.failed) == ({"webhook": 0}, {"webhook": 1})
            retry_at = outbox_rows(sqlite_database)[0].next_attempt_at
            waits.append((retry_at - now).total_seconds())
            just_before = deliver_due(outbox, senders, retry_at - timedelta(milliseconds=1), settings)
            assert (just_before.delivered, just_before.failed) == ({"webhook": 0}, {"webhook": 0})
            now = retry_at
        assert waits == [2, 4, 8, 16]
        rows = outbox_rows(sqlite_database)
        assert [(r.status, r.attempts) for r in rows] == [("pending", 4), ("pending", 0), ("pending", 0)]
        assert rows[0].last_error is not None and rows[0].last_error.startswith(f"webhook {receiver.url}: ")
        assert receiver.requests == []

        receiver.start()
        report = deliver_due(outbox, senders, now, settings)
        assert (report.delivered, report.failed) == ({"webhook": 3}, {"webhook": 0})
        later = deliver_due(outbox, senders, now + timedelta(hours=1), settings)
        assert later.total_delivered == later.total_failed == 0

    assert [r.headers["X-Cvmon-Delivery"] for r in receiver.requests] == [str(i) for i in ids]
    for n, (message_id, request) in enumerate(zip(ids, receiver.requests, strict=True)):
        assert request.path == "/hook"
        assert request.headers["Content-Type"] == "application/json"
        assert verify_signature(request.body, request.headers["X-Cvmon-Signature"], SECRET)
        assert json.loads(request.body) == {
            "topic": TOPIC,
            "id": message_id,
            "created_at": (T0 + timedelta(seconds=n)).isoformat(),
            "payload": {"rule": "long_queue", "n": n},
        }
    rows = outbox_rows(sqlite_database)
    assert [(r.status, r.attempts, r.delivered_at) for r in rows] == [
        ("delivered", 5, now),
        ("delivered", 1, now),
        ("delivered", 1, now),
    ]
    assert outbox.pending_count() == 0


def test_a_receiver_answering_500_then_200_gets_the_same_delivery_twice(
    sqlite_database: Database, sqlite_outbox: Outbox, receiver: Receiver, settings: NotifySettings
) -> None:
    receiver.statuses = [500, 200]
    receiver.start()
    (message_id,) = sqlite_outbox.enqueue(TOPIC, {"rule": "counter_unstaffed"}, ["webhook"], T0)
    with WebhookSender(receiver.url, SECRET) as sender:
        first = deliver_due(sqlite_outbox, {"webhook": sender}, T0, settings)
        assert first.failed == {"webhook": 1}
        row = outbox_rows(sqlite_database)[0]
        assert row.last_error == f"webhook {receiver.url} answered HTTP 500 Internal Server Error"
        assert row.next_attempt_at == T0 + timedelta(seconds=2)
        second = deliver_due(sqlite_outbox, {"webhook": sender}, row.next_attempt_at, settings)
        assert second.delivered == {"webhook": 1}
    one, two = receiver.requests
    assert one.headers["X-Cvmon-Delivery"] == two.headers["X-Cvmon-Delivery"] == str(message_id)
    assert one.body == two.body and one.headers["X-Cvmon-Signature"] == two.headers["X-Cvmon-Signature"]
    row = outbox_rows(sqlite_database)[0]
    assert (row.status, row.attempts) == ("delivered", 2)


@pytest.mark.parametrize("status", [201, 202, 204])
def test_any_2xx_is_a_delivery(receiver: Receiver, status: int) -> None:
    receiver.statuses = [status]
    receiver.start()
    with WebhookSender(receiver.url, SECRET) as sender:
        sender.send(_message())
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("status", "reason"), [(302, "HTTP 302 Found"), (404, "HTTP 404 Not Found"), (503, "HTTP 503 Service Unavailable")]
)
def test_other_answers_are_failures(receiver: Receiver, status: int, reason: str) -> None:
    receiver.statuses = [status]
    receiver.start()
    with WebhookSender(receiver.url, SECRET) as sender, pytest.raises(DeliveryError, match=reason):
        sender.send(_message())


def test_a_slow_receiver_times_out(receiver: Receiver) -> None:
    receiver.delay_s = 0.5
    receiver.start()
    with WebhookSender(receiver.url, SECRET, timeout_s=0.1) as sender, pytest.raises(DeliveryError) as caught:
        sender.send(_message())
    assert str(caught.value) == f"webhook {receiver.url}: no answer within 0.1 s"


def test_signatures() -> None:
    body = b'{"topic":"cvmon/u/c/alerts","id":1}'
    header = sign_body(body, SECRET)
    assert header.startswith("sha256=") and len(header) == len("sha256=") + 64
    assert verify_signature(body, header, SECRET)
    assert verify_signature(body, f" {header} ", SECRET)
    assert not verify_signature(body, header, "a-wrong-secret")
    assert not verify_signature(body + b" ", header, SECRET)
    assert not verify_signature(body, header.replace("sha256=", "sha1="), SECRET)
    assert not verify_signature(body, header.removeprefix("sha256="), SECRET)
    assert not verify_signature(body, "", SECRET)
    assert not verify_signature(body, "sha256=ü", SECRET)
    assert not verify_signature(body, header, "")


def test_the_secret_never_appears_in_an_error(
    sqlite_database: Database,
    sqlite_outbox: Outbox,
    receiver: Receiver,
    settings: NotifySettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    password = "url-pw-5b1d"
    url = receiver.url.replace("http://", f"http://cvmon:{password}@") + "?token=tok-9e2c"
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    with WebhookSender(url, SECRET, timeout_s=0.1) as sender:
        with pytest.raises(DeliveryError) as caught:
            sender.send(_message())  # down
        messages.append(str(caught.value))
        receiver.statuses.append(500)
        receiver.start()
        with pytest.raises(DeliveryError) as caught:
            sender.send(_message())
        messages.append(str(caught.value))
        receiver.delay_s = 0.5
        with pytest.raises(DeliveryError) as caught:
            sender.send(_message())
        messages.append(str(caught.value))
        receiver.delay_s = 0
        receiver.statuses.append(500)
        sqlite_outbox.enqueue(TOPIC, {"rule": "long_queue"}, ["webhook"], T0)
        assert deliver_due(sqlite_outbox, {"webhook": sender}, T0, settings).failed == {"webhook": 1}
    messages.append(str(outbox_rows(sqlite_database)[0].last_error))
    messages.append(repr(sender))
    assert len(messages) == 5
    for text in messages:
        assert "\n" not in text
        for secret in (SECRET, password, "tok-9e2c"):
            assert secret not in text, text
    # Every log line, httpx's too (it logs each request's URL at INFO), is free of the secret and the password.
    assert caplog.records
    for record in caplog.records:
        assert SECRET not in record.getMessage() and password not in record.getMessage()
    assert {r.headers.get("Authorization") for r in receiver.requests} == {"Basic Y3Ztb246dXJsLXB3LTViMWQ="}


@pytest.mark.parametrize(
    ("url", "secret", "timeout_s", "error"),
    [
        ("ftp://127.0.0.1/hook", SECRET, 5, "http:// or https://"),
        ("127.0.0.1/hook", SECRET, 5, "http:// or https://"),
        ("http://u:pw-3@127.0.0.1:99999/hook", SECRET, 5, r"^webhook URL 'http://127\.0\.0\.1:\?/hook' has an invalid"),
        ("http://127.0.0.1/hook", "", 5, "secret must not be empty"),
        ("http://127.0.0.1/hook", SECRET, 0, "timeout_s must be positive"),
    ],
)
def test_construction_is_checked(url: str, secret: str, timeout_s: float, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        WebhookSender(url, secret, timeout_s)

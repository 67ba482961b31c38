"""deliver_due and Dispatcher: backoff, order, one channel never blocking the other, the loop."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from cvmon.notify import (
    DeliveryError,
    Dispatcher,
    MqttSender,
    NotifySettings,
    Outbox,
    OutboxMessage,
    WebhookSender,
    alert_topic,
    deliver_due,
    make_senders,
    retry_delay,
    verify_signature,
)
from cvmon.storage import Database
from tests.conftest import T0
from tests.notify.conftest import SECRET, outbox_rows
from tests.notify.http_receiver import Receiver

TOPIC = alert_topic("ulp-ampenan", "cam-hall")


class ScriptedSender:
    """A sender whose failures are scripted: the logic under test is the dispatcher's."""

    def __init__(self, fail_ids: set[int] | None = None, error: Exception | None = None) -> None:
        self.fail_ids = fail_ids or set()
        self.error = error or DeliveryError("receiver down")
        self.sent: list[int] = []

    def send(self, message: OutboxMessage) -> None:
        if message.id in self.fail_ids:
            raise self.error
        self.sent.append(message.id)


@pytest.mark.parametrize(
    ("attempts", "initial", "maximum", "seconds"),
    [
        (0, 2, 300, 2),
        (1, 2, 300, 4),
        (2, 2, 300, 8),
        (7, 2, 300, 256),
        (8, 2, 300, 300),
        (10_000, 2, 300, 300),
        (0, 0.5, 10, 0.5),
        (3, 0.5, 10, 4),
        (5, 0.5, 10, 10),
        (-1, 2, 300, 2),
    ],
)
def test_retry_delay_doubles_up_to_the_maximum(attempts: int, initial: float, maximum: float, seconds: float) -> None:
    settings = NotifySettings(retry_initial_s=initial, retry_max_s=maximum)
    assert retry_delay(attempts, settings) == timedelta(seconds=seconds)


def test_a_failure_stops_its_channel_but_not_the_other(
    sqlite_database: Database, sqlite_outbox: Outbox, settings: NotifySettings
) -> None:
    ids = [sqlite_outbox.enqueue(TOPIC, {"n": n}, ["webhook", "mqtt"], T0) for n in range(3)]
    webhook_ids = [w for w, _ in ids]
    mqtt_ids = [m for _, m in ids]
    webhook = ScriptedSender(fail_ids={webhook_ids[1]})
    mqtt = ScriptedSender()
    report = deliver_due(sqlite_outbox, {"webhook": webhook, "mqtt": mqtt}, T0, settings)
    assert (report.delivered, report.failed) == ({"webhook": 1, "mqtt": 3}, {"webhook": 1, "mqtt": 0})
    assert (report.total_delivered, report.total_failed) == (4, 1)
    assert (webhook.sent, mqtt.sent) == (webhook_ids[:1], mqtt_ids)
    webhook.fail_ids.clear()
    retry_at = T0 + timedelta(seconds=2)
    assert deliver_due(sqlite_outbox, {"webhook": webhook}, retry_at - timedelta(seconds=1), settings).delivered == {
        "webhook": 0
    }
    assert deliver_due(sqlite_outbox, {"webhook": webhook}, retry_at, settings).delivered == {"webhook": 2}
    assert webhook.sent == webhook_ids
    assert [(r.channel, r.status, r.attempts) for r in outbox_rows(sqlite_database) if r.channel == "webhook"] == [
        ("webhook", "delivered", 1),
        ("webhook", "delivered", 2),
        ("webhook", "delivered", 1),
    ]


def test_a_channel_without_a_sender_keeps_its_messages(sqlite_outbox: Outbox, settings: NotifySettings) -> None:
    sqlite_outbox.enqueue(TOPIC, {"n": 1}, ["webhook", "mqtt"], T0)
    report = deliver_due(sqlite_outbox, {"webhook": ScriptedSender()}, T0, settings)
    assert report.delivered == {"webhook": 1}
    assert sqlite_outbox.pending_count("mqtt") == 1


def test_an_unexpected_sender_error_is_a_failure_without_its_text(
    sqlite_database: Database, sqlite_outbox: Outbox, settings: NotifySettings, caplog: pytest.LogCaptureFixture
) -> None:
    sqlite_outbox.enqueue(TOPIC, {"n": 1}, ["webhook"], T0)
    sender = ScriptedSender(fail_ids={1}, error=RuntimeError(f"bug near {SECRET}"))
    with caplog.at_level(logging.WARNING, logger="cvmon.notify"):
        report = deliver_due(sqlite_outbox, {"webhook": sender}, T0, settings)
    assert report.failed == {"webhook": 1}
    row = outbox_rows(sqlite_database)[0]
    assert row.last_error == "unexpected RuntimeError in the sender (see the log)"
    assert row.next_attempt_at == T0 + timedelta(seconds=2)
    assert any(r.exc_info for r in caplog.records)  # the traceback is in the log for the developer


def test_the_dispatcher_delivers_in_the_background_until_stopped(
    sqlite_outbox: Outbox, receiver: Receiver, settings: NotifySettings
) -> None:
    receiver.start()
    ids = [sqlite_outbox.enqueue(TOPIC, {"n": n}, ["webhook"], T0)[0] for n in range(3)]
    stop = threading.Event()
    with WebhookSender(receiver.url, SECRET) as sender:
        dispatcher = Dispatcher(sqlite_outbox, {"webhook": sender}, settings, clock=lambda: T0)
        thread = threading.Thread(target=dispatcher.run_forever, args=(stop,), kwargs={"poll_s": 0.01})
        thread.start()
        try:
            requests = receiver.wait_for(3)
        finally:
            stop.set()
            thread.join(5)
    assert not thread.is_alive()
    assert [r.headers["X-Cvmon-Delivery"] for r in requests] == [str(i) for i in ids]
    assert all(verify_signature(r.body, r.headers["X-Cvmon-Signature"], SECRET) for r in requests)
    assert sqlite_outbox.pending_count() == 0


def test_the_dispatcher_survives_database_failures(
    sqlite_database: Database, sqlite_outbox: Outbox, settings: NotifySettings, caplog: pytest.LogCaptureFixture
) -> None:
    with sqlite_database.engine.begin() as conn:
        conn.execute(text("DROP TABLE outbox"))
    stop = threading.Event()
    calls: list[datetime] = []

    def clock() -> datetime:
        calls.append(T0)
        if len(calls) == 3:
            stop.set()
        return T0

    dispatcher = Dispatcher(sqlite_outbox, {"webhook": ScriptedSender()}, settings, clock=clock)
    with caplog.at_level(logging.WARNING, logger="cvmon.notify"):
        dispatcher.run_forever(stop, poll_s=0)
    assert len(calls) == 3
    failures = [r.getMessage() for r in caplog.records if "notification round failed" in r.getMessage()]
    assert len(failures) == 3 and all("cannot read the outbox of" in f for f in failures)


def test_make_senders_follows_the_settings() -> None:
    assert make_senders(NotifySettings()) == {}
    settings = NotifySettings(
        webhook_url="http://127.0.0.1:9/hook", webhook_secret=SecretStr(SECRET), mqtt_url="mqtt://127.0.0.1:9"
    )
    senders = make_senders(settings)
    try:
        assert set(senders) == set(settings.channels) == {"webhook", "mqtt"}
        assert isinstance(senders["webhook"], WebhookSender) and isinstance(senders["mqtt"], MqttSender)
    finally:
        for sender in senders.values():
            sender.close()  # type: ignore[attr-defined]

"""The MQTT channel against the real local Mosquitto (127.0.0.1:1883) and a private one that is stopped."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cvmon.notify import DeliveryError, MqttSender, NotifySettings, Outbox, OutboxMessage, alert_topic, deliver_due
from cvmon.storage import Database
from tests.conftest import T0
from tests.notify.conftest import outbox_rows
from tests.notify.mqtt_helpers import PrivateBroker, SilentBroker, Subscriber, free_port

PAYLOAD = {"rule": "long_queue", "zone": "queue-1", "value": 7, "text": "Antrean panjang — Loket 1"}


@pytest.fixture
def topic() -> str:
    """A topic of this test only, so that other runs on the shared broker do not interfere."""
    return alert_topic(f"ulp-{uuid.uuid4().hex[:8]}", "cam-hall")


@pytest.fixture
def subscriber(mqtt_broker: str) -> Iterator[Subscriber]:
    sub = Subscriber()
    try:
        yield sub
    finally:
        sub.close()


def _expected_body(message_id: int, topic: str) -> dict[str, object]:
    return {"topic": topic, "id": message_id, "created_at": T0.isoformat(), "payload": PAYLOAD}


def test_a_subscriber_receives_the_published_alert(
    mqtt_broker: str,
    subscriber: Subscriber,
    topic: str,
    sqlite_database: Database,
    sqlite_outbox: Outbox,
    settings: NotifySettings,
) -> None:
    (message_id,) = sqlite_outbox.enqueue(topic, PAYLOAD, ["mqtt"], T0)
    with MqttSender(mqtt_broker, "cvmon") as sender:
        report = deliver_due(sqlite_outbox, {"mqtt": sender}, T0, settings)
    assert (report.delivered, report.failed) == ({"mqtt": 1}, {"mqtt": 0})
    msg = subscriber.next_on(topic)
    assert msg.qos == 1 and not msg.retain
    assert json.loads(msg.payload) == _expected_body(message_id, topic)
    assert subscriber.none_on(topic)
    row = outbox_rows(sqlite_database)[0]
    assert (row.status, row.attempts, row.delivered_at) == ("delivered", 1, T0)


def test_a_closed_port_fails_and_keeps_the_message_then_the_right_broker_gets_it(
    mqtt_broker: str,
    subscriber: Subscriber,
    topic: str,
    sqlite_database: Database,
    sqlite_outbox: Outbox,
    settings: NotifySettings,
) -> None:
    (message_id,) = sqlite_outbox.enqueue(topic, PAYLOAD, ["mqtt"], T0)
    closed = f"mqtt://cvmon:broker-pw-91@127.0.0.1:{free_port()}"
    with MqttSender(closed, timeout_s=1) as wrong:
        (message,) = sqlite_outbox.due("mqtt", T0)
        with pytest.raises(DeliveryError, match=r"^mqtt mqtt://127\.0\.0\.1:\d+: cannot connect: ") as caught:
            wrong.send(message)
        assert "broker-pw-91" not in str(caught.value)
        report = deliver_due(sqlite_outbox, {"mqtt": wrong}, T0, settings)
    assert report.failed == {"mqtt": 1}
    assert sqlite_outbox.pending_count("mqtt") == 1
    row = outbox_rows(sqlite_database)[0]
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error is not None and "cannot connect" in row.last_error and "broker-pw-91" not in row.last_error
    assert subscriber.none_on(topic, 0.1)

    with MqttSender(mqtt_broker) as right:
        assert deliver_due(sqlite_outbox, {"mqtt": right}, T0, settings).delivered == {"mqtt": 0}  # not yet due
        report = deliver_due(sqlite_outbox, {"mqtt": right}, row.next_attempt_at, settings)
    assert report.delivered == {"mqtt": 1}
    assert json.loads(subscriber.next_on(topic).payload) == _expected_body(message_id, topic)
    assert subscriber.none_on(topic)
    row = outbox_rows(sqlite_database)[0]
    assert (row.status, row.attempts) == ("delivered", 2)


def test_the_sender_reconnects_lazily_after_the_broker_was_down(tmp_path: Path, topic: str) -> None:
    broker = PrivateBroker(tmp_path)
    broker.start()
    try:
        with MqttSender(broker.url, timeout_s=1) as sender:
            subscriber = Subscriber(broker.port)
            try:
                sender.send(OutboxMessage(1, "mqtt", topic, PAYLOAD, 0, T0))
                assert json.loads(subscriber.next_on(topic).payload)["id"] == 1
            finally:
                subscriber.close()
            broker.stop()
            with pytest.raises(DeliveryError, match=r"^mqtt mqtt://127\.0\.0\.1:\d+: "):
                sender.send(OutboxMessage(2, "mqtt", topic, PAYLOAD, 0, T0))
            broker.start()
            subscriber = Subscriber(broker.port)
            try:
                sender.send(OutboxMessage(3, "mqtt", topic, PAYLOAD, 0, T0))
                assert json.loads(subscriber.next_on(topic).payload)["id"] == 3
            finally:
                subscriber.close()
    finally:
        broker.stop()


def test_no_puback_within_the_timeout_is_a_failure_and_drops_the_connection(topic: str) -> None:
    broker = SilentBroker()
    try:
        with MqttSender(broker.url, timeout_s=0.3) as sender:
            for attempt in (1, 2):
                with pytest.raises(DeliveryError, match=r"no PUBACK within 0\.3 s"):
                    sender.send(OutboxMessage(attempt, "mqtt", topic, PAYLOAD, 0, T0))
                assert broker.connections == attempt  # a fresh connection for every try after a failure
    finally:
        broker.close()


def test_a_topic_mqtt_cannot_carry_is_a_delivery_error(mqtt_broker: str) -> None:
    with MqttSender(mqtt_broker) as sender, pytest.raises(DeliveryError, match="cannot publish on"):
        sender.send(OutboxMessage(1, "mqtt", "cvmon/+/cam/alerts", PAYLOAD, 0, T0))


@pytest.mark.parametrize(
    ("url", "prefix", "timeout_s", "error"),
    [
        ("http://127.0.0.1:1883", "cvmon", 5, "mqtt:// or mqtts://"),
        ("mqtt://127.0.0.1:1883", "cvmon/#", 5, "topic prefix"),
        ("mqtt://127.0.0.1:1883", "cvmon", 0, "timeout_s must be positive"),
    ],
)
def test_construction_is_checked(url: str, prefix: str, timeout_s: float, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        MqttSender(url, prefix, timeout_s=timeout_s)

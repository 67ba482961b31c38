"""Notifications that lose nothing: a persisted outbox, a signed webhook, MQTT, and a dispatcher with retries.

An alert is written to the outbox (one row per channel) in the database; the dispatcher sends due rows
oldest first and marks them delivered, or failed with an exponentially growing retry time. Delivery is
at least once: receivers dedupe on the outbox id (``X-Cvmon-Delivery`` for the webhook, ``id`` in the body).
"""

from cvmon.notify.dispatcher import DeliveryReport, Dispatcher, Sender, deliver_due, make_senders, retry_delay
from cvmon.notify.errors import DeliveryError
from cvmon.notify.mqtt import MqttSender
from cvmon.notify.outbox import CHANNELS, Outbox, OutboxMessage, alert_topic, encode_body
from cvmon.notify.settings import NotifySettings
from cvmon.notify.webhook import WebhookSender, sign_body, verify_signature

__all__ = [
    "CHANNELS",
    "DeliveryError",
    "DeliveryReport",
    "Dispatcher",
    "MqttSender",
    "NotifySettings",
    "Outbox",
    "OutboxMessage",
    "Sender",
    "WebhookSender",
    "alert_topic",
    "deliver_due",
    "encode_body",
    "make_senders",
    "retry_delay",
    "sign_body",
    "verify_signature",
]

"""The MQTT channel: each notification is published with QoS 1 on its outbox topic, waiting for the PUBACK.

The outbox topic is already the full topic (``<prefix>/<unit_id>/<camera_id>/alerts``, see
``cvmon.notify.outbox.alert_topic``) and is published as it is; the body is the webhook's JSON.
The connection is opened on the first send and kept; after a failure it is dropped and opened again,
lazily, by the next send.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from cvmon.notify.errors import DeliveryError
from cvmon.notify.outbox import OutboxMessage, check_topic_prefix, encode_body

_DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}


@dataclass(frozen=True)
class MqttEndpoint:
    """A broker address parsed from ``mqtt://[user:password@]host[:port]`` (or ``mqtts://`` for TLS)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    @property
    def where(self) -> str:
        """The address without credentials, safe to print."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'mqtts' if self.tls else 'mqtt'}://{host}:{self.port}"

    def __repr__(self) -> str:
        return f"MqttEndpoint({self.where!r}, username={self.username!r})"


def parse_mqtt_url(url: str) -> MqttEndpoint:
    """The broker address of ``url``; user and password are percent-decoded.

    Raises:
        ValueError: not ``mqtt://`` or ``mqtts://``, no host, a bad port, or a path, query or fragment.
            The message never shows the password.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("mqtt_url is not a valid URL (expected mqtt://[user:password@]host[:port])") from None
    if parts.scheme not in _DEFAULT_PORTS:
        raise ValueError(f"mqtt_url must start with mqtt:// or mqtts://, not {parts.scheme or 'nothing'}://")
    if not parts.hostname:
        raise ValueError("mqtt_url has no host (expected mqtt://[user:password@]host[:port])")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("mqtt_url must not have a path, query or fragment (the topic prefix is a separate setting)")
    return MqttEndpoint(
        host=parts.hostname,
        port=port if port is not None else _DEFAULT_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        tls=parts.scheme == "mqtts",
    )


class _Connection:
    """One paho client with its network thread, and what its callbacks have seen."""

    def __init__(self, client: mqtt.Client) -> None:
        self.client = client
        self.connack = threading.Event()
        self.connected = threading.Event()
        self.reason: ReasonCode | None = None

    def on_connect(self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any) -> None:
        self.reason = reason
        if not reason.is_failure:
            self.connected.set()
        self.connack.set()

    def on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: Any, _reason: Any, _props: Any) -> None:
        self.connected.clear()

    def close(self) -> None:
        self.connected.clear()
        self.client.disconnect()
        self.client.loop_stop()


class MqttSender:
    """Publishes outbox messages to one MQTT broker with QoS 1. Close it when done."""

    def __init__(self, url: str, topic_prefix: str = "cvmon", *, timeout_s: float = 5.0, keepalive_s: int = 60) -> None:
        """Prepare the sender; nothing is connected until the first send.

        ``topic_prefix`` names the client (``<prefix>-<random>``); topics come whole from the outbox.

        Raises:
            ValueError: a bad URL or prefix, or a timeout that is not positive.
        """
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        self._endpoint = parse_mqtt_url(url)
        self._prefix = check_topic_prefix(topic_prefix)
        self._timeout_s = timeout_s
        self._keepalive_s = keepalive_s
        self._connection: _Connection | None = None

    def __repr__(self) -> str:
        return f"MqttSender({self._endpoint.where!r}, topic_prefix={self._prefix!r})"

    def __enter__(self) -> MqttSender:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect from the broker and stop the network thread."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()

    def send(self, message: OutboxMessage) -> None:
        """Publish ``message`` on its topic with QoS 1; returns when the broker acknowledged it (PUBACK).

        Raises:
            DeliveryError: the broker cannot be reached or refused the connection, the topic is not valid
                for MQTT, or no PUBACK came within the timeout. The connection is then dropped.
        """
        body = encode_body(message)
        connection = self._connect()
        where = self._endpoint.where
        try:
            info = connection.client.publish(message.topic, body, qos=1)
            info.wait_for_publish(self._timeout_s)
        except ValueError as err:
            raise DeliveryError(f"mqtt {where}: cannot publish on {message.topic!r}: {err}") from None
        except RuntimeError as err:
            self.close()
            raise DeliveryError(f"mqtt {where}: {' '.join(str(err).split())}") from None
        if not info.is_published():
            self.close()
            raise DeliveryError(f"mqtt {where}: no PUBACK within {self._timeout_s:g} s")

    def _connect(self) -> _Connection:
        """The open connection, or a new one when there is none or the broker dropped it."""
        if self._connection is not None and self._connection.connected.is_set():
            return self._connection
        self.close()
        endpoint = self._endpoint
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=f"{self._prefix}-{uuid.uuid4().hex[:12]}",
            protocol=mqtt.MQTTv311,
            clean_session=True,
        )
        client.connect_timeout = self._timeout_s
        if endpoint.username is not None:
            client.username_pw_set(endpoint.username, endpoint.password)
        if endpoint.tls:
            client.tls_set()
        connection = _Connection(client)
        client.on_connect = connection.on_connect
        client.on_disconnect = connection.on_disconnect
        try:
            client.connect(endpoint.host, endpoint.port, keepalive=self._keepalive_s)
        except (OSError, ValueError) as err:
            reason = " ".join(str(err).split()) or type(err).__name__
            if endpoint.password:
                reason = reason.replace(endpoint.password, "***")
            raise DeliveryError(f"mqtt {endpoint.where}: cannot connect: {reason}") from None
        client.loop_start()
        if not connection.connack.wait(self._timeout_s):
            connection.close()
            raise DeliveryError(f"mqtt {endpoint.where}: no CONNACK within {self._timeout_s:g} s")
        if not connection.connected.is_set():
            connection.close()
            if connection.reason is not None and connection.reason.is_failure:
                raise DeliveryError(f"mqtt {endpoint.where}: the broker refused the connection: {connection.reason}")
            raise DeliveryError(f"mqtt {endpoint.where}: the connection was lost right after it was made")
        self._connection = connection
        return connection

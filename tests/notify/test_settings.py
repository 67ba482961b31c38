"""NotifySettings: env variables, validation, secrets kept out of messages."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from cvmon.notify import NotifySettings
from cvmon.notify.mqtt import MqttEndpoint, parse_mqtt_url
from tests.notify.conftest import SECRET

HOOK = "https://pic.example.net/cvmon/hook"


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({}, None),
        ({"webhook_url": HOOK, "webhook_secret": SECRET}, None),
        ({"webhook_url": HOOK}, "webhook_secret .* is required when webhook_url is set"),
        ({"webhook_url": HOOK, "webhook_secret": ""}, "webhook_secret .* is required"),
        ({"webhook_url": "ftp://pic.example.net/hook", "webhook_secret": SECRET}, "http:// or https://"),
        ({"webhook_url": "http:///hook", "webhook_secret": SECRET}, "with a host"),
        ({"webhook_secret": SECRET}, None),
        ({"mqtt_url": "mqtt://broker.local"}, None),
        ({"mqtt_url": "mqtt://cvmon:pa%40ss@broker.local:1884"}, None),
        ({"mqtt_url": "mqtts://broker.local"}, None),
        ({"mqtt_url": "http://broker.local"}, "mqtt:// or mqtts://"),
        ({"mqtt_url": "mqtt://"}, "no host"),
        ({"mqtt_url": "mqtt://broker.local:99999"}, "not a valid URL"),
        ({"mqtt_url": "mqtt://broker.local/cvmon"}, "must not have a path"),
        ({"mqtt_topic_prefix": "pln/cvmon"}, None),
        ({"mqtt_topic_prefix": ""}, "topic prefix"),
        ({"mqtt_topic_prefix": "cvmon/#"}, "topic prefix"),
        ({"mqtt_topic_prefix": "/cvmon"}, "topic prefix"),
        ({"webhook_timeout_s": 0}, "greater than 0"),
        ({"retry_initial_s": 0}, "greater than 0"),
        ({"retry_initial_s": 10, "retry_max_s": 5}, "retry_max_s must not be smaller"),
    ],
)
def test_validation(values: dict[str, Any], error: str | None) -> None:
    if error is None:
        NotifySettings(**values)
        return
    with pytest.raises(ValidationError, match=error):
        NotifySettings(**values)


def test_defaults() -> None:
    s = NotifySettings()
    assert (s.webhook_url, s.webhook_secret, s.mqtt_url) == (None, None, None)
    assert (s.webhook_timeout_s, s.mqtt_topic_prefix, s.retry_initial_s, s.retry_max_s) == (5, "cvmon", 2, 300)
    assert s.channels == ()


def test_every_field_has_a_description() -> None:
    assert all(f.description for f in NotifySettings.model_fields.values())


def test_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CVMON_WEBHOOK_URL", HOOK)
    monkeypatch.setenv("CVMON_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("CVMON_WEBHOOK_TIMEOUT_S", "2.5")
    monkeypatch.setenv("CVMON_MQTT_URL", "mqtt://broker.local:1884")
    monkeypatch.setenv("CVMON_MQTT_TOPIC_PREFIX", "pln/cvmon")
    monkeypatch.setenv("CVMON_RETRY_INITIAL_S", "1")
    monkeypatch.setenv("CVMON_RETRY_MAX_S", "60")
    s = NotifySettings()
    assert s.webhook_url == HOOK
    assert s.webhook_secret is not None and s.webhook_secret.get_secret_value() == SECRET
    assert (s.webhook_timeout_s, s.mqtt_url, s.mqtt_topic_prefix) == (2.5, "mqtt://broker.local:1884", "pln/cvmon")
    assert (s.retry_initial_s, s.retry_max_s) == (1, 60)
    assert s.channels == ("webhook", "mqtt")


def test_empty_environment_values_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CVMON_WEBHOOK_URL", "")
    monkeypatch.setenv("CVMON_MQTT_URL", " ")
    assert NotifySettings().channels == ()


def test_webhook_url_without_secret_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CVMON_WEBHOOK_URL", HOOK)
    with pytest.raises(ValidationError, match="CVMON_WEBHOOK_SECRET"):
        NotifySettings()


def test_secrets_stay_out_of_repr_and_errors() -> None:
    s = NotifySettings(webhook_url=HOOK, webhook_secret=SecretStr(SECRET))
    assert SECRET not in repr(s) and SECRET not in str(s)
    with pytest.raises(ValidationError) as caught:
        NotifySettings(webhook_url=HOOK, webhook_secret=SecretStr(SECRET), webhook_timeout_s=-1)
    assert SECRET not in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        NotifySettings(mqtt_url="mqtt://cvmon:broker-pw-91@broker.local/extra")
    assert "broker-pw-91" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://broker.local", MqttEndpoint("broker.local", 1883)),
        ("mqtt://127.0.0.1:1884/", MqttEndpoint("127.0.0.1", 1884)),
        ("mqtts://broker.local", MqttEndpoint("broker.local", 8883, tls=True)),
        ("mqtt://cvmon:p%40ss%3Aw@broker.local:1884", MqttEndpoint("broker.local", 1884, "cvmon", "p@ss:w")),
        ("mqtt://cvmon@broker.local", MqttEndpoint("broker.local", 1883, "cvmon")),
    ],
)
def test_parse_mqtt_url(url: str, expected: MqttEndpoint) -> None:
    assert parse_mqtt_url(url) == expected


def test_mqtt_endpoint_repr_hides_the_password() -> None:
    endpoint = parse_mqtt_url("mqtt://cvmon:broker-pw-91@broker.local")
    assert "broker-pw-91" not in repr(endpoint)
    assert endpoint.where == "mqtt://broker.local:1883"

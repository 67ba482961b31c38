"""Settings of the notification channels, read from environment variables (prefix ``CVMON_``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cvmon.notify.mqtt import parse_mqtt_url
from cvmon.notify.outbox import check_topic_prefix


class NotifySettings(BaseSettings):
    """Where alerts are sent and how failed deliveries are retried; every field is an env variable.

    Validation errors never echo the values given, so a secret or a broker password is not printed.
    """

    model_config = SettingsConfigDict(env_prefix="CVMON_", extra="ignore", hide_input_in_errors=True)

    webhook_url: str | None = Field(
        default=None,
        description="http(s) URL that receives every alert as a signed JSON POST; unset or empty: no webhook.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Key of the HMAC-SHA256 signature sent in X-Cvmon-Signature; required when webhook_url is set.",
    )
    webhook_timeout_s: float = Field(
        default=5.0, gt=0, le=300, description="Seconds to wait for the webhook's answer before the try fails."
    )
    mqtt_url: str | None = Field(
        default=None,
        description="MQTT broker as mqtt://[user:password@]host[:port] (1883) or mqtts://... (8883, TLS); "
        "unset or empty: no MQTT.",
    )
    mqtt_topic_prefix: str = Field(
        default="cvmon",
        description="First level(s) of every MQTT topic: <prefix>/<unit_id>/<camera_id>/alerts.",
    )
    retry_initial_s: float = Field(
        default=2.0, gt=0, description="Seconds before the first retry of a failed delivery; doubled at every failure."
    )
    retry_max_s: float = Field(
        default=300.0, gt=0, description="Longest wait between two tries of one message, in seconds."
    )

    @field_validator("webhook_url", "webhook_secret", "mqtt_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("webhook_url must be an http:// or https:// URL with a host")
        return value

    @field_validator("mqtt_url")
    @classmethod
    def _check_mqtt_url(cls, value: str | None) -> str | None:
        if value is not None:
            parse_mqtt_url(value)
        return value

    @field_validator("mqtt_topic_prefix")
    @classmethod
    def _check_prefix(cls, value: str) -> str:
        return check_topic_prefix(value)

    @model_validator(mode="after")
    def _check_combinations(self) -> NotifySettings:
        if self.webhook_url is not None and (self.webhook_secret is None or not self.webhook_secret.get_secret_value()):
            raise ValueError("webhook_secret (CVMON_WEBHOOK_SECRET) is required when webhook_url is set")
        if self.retry_max_s < self.retry_initial_s:
            raise ValueError("retry_max_s must not be smaller than retry_initial_s")
        return self

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels configured here, in the outbox's spelling (``webhook``, ``mqtt``)."""
        found: list[str] = []
        if self.webhook_url is not None:
            found.append("webhook")
        if self.mqtt_url is not None:
            found.append("mqtt")
        return tuple(found)

"""Settings of the API server, read from environment variables (prefix ``CVMON_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from cvmon.errors import ConfigError

MIN_SECRET_LENGTH = 32
# Values that look like a placeholder someone forgot to replace.
DEFAULT_SECRETS = frozenset({"", "secret", "changeme", "change-me", "change_me", "default", "cvmon", "development"})


class ApiSettings(BaseSettings):
    """How the API server signs sessions, how long they last, and how it throttles logins."""

    model_config = SettingsConfigDict(env_prefix="CVMON_", extra="ignore")

    secret_key: SecretStr | None = Field(
        default=None,
        description="Secret that keys the session and CSRF token hashes; at least 32 characters "
        "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`). Required outside development.",
    )
    session_hours: float = Field(default=8.0, gt=0, le=24 * 30, description="A login lasts this long.")
    environment: Literal["development", "production"] = Field(
        default="production",
        description="development: plain-HTTP cookies and a random secret per process when none is set.",
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="Bearer token that opens /metrics; unset: /metrics answers 401 to everyone."
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed logins of one username from one client address within the window that lock "
        "that username out for that address (the user still signs in from elsewhere).",
    )
    login_max_failures_per_username: int = Field(
        default=50,
        ge=1,
        description="Failed logins of one username from any addresses within the window that lock it out "
        "everywhere (guessing spread over many addresses).",
    )
    login_max_failures_per_address: int = Field(
        default=20,
        ge=1,
        description="Failed logins from one client address within the window that lock it out "
        "(higher than per user: an office shares one address).",
    )
    login_window_minutes: float = Field(default=15.0, gt=0, description="Window in which failures are counted.")
    login_lockout_minutes: float = Field(default=15.0, gt=0, description="How long a lock-out lasts.")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Reverse proxies whose X-Forwarded-For is trusted for the client address (uvicorn's option).",
    )

    config: Path | None = Field(
        default=None,
        description="cameras.yaml whose retention periods, controller and unit contacts the data-protection "
        "notice shows (the figures themselves come from the database).",
    )
    tile_refresh_s: float = Field(
        default=15.0, ge=2, le=3600, description="Seconds between refreshes of the live tiles."
    )
    default_language: Literal["id", "en"] = Field(default="id", description="Language of the web viewer by default.")

    @property
    def development(self) -> bool:
        return self.environment == "development"


def check_secret(settings: ApiSettings) -> None:
    """Refuse a missing, placeholder or short secret outside development.

    Raises:
        ConfigError: one line naming CVMON_SECRET_KEY and what is wrong with it.
    """
    if settings.development:
        return
    secret = settings.secret_key.get_secret_value() if settings.secret_key is not None else None
    if secret is None or secret.strip().lower() in DEFAULT_SECRETS:
        raise ConfigError(
            "CVMON_SECRET_KEY is missing or a default value; set a random secret of at least "
            f"{MIN_SECRET_LENGTH} characters (or CVMON_ENVIRONMENT=development for a local trial)"
        )
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"CVMON_SECRET_KEY is too short: {len(secret)} characters, at least {MIN_SECRET_LENGTH}")

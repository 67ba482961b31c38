"""Deployment settings read from environment variables (prefix ``CVMON_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".cvmon"


class Settings(BaseSettings):
    """Where cvmon keeps its data and finds its models; every field is an env variable."""

    model_config = SettingsConfigDict(env_prefix="CVMON_", extra="ignore")

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder for the embedded database, downloaded models and sample clips.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default an SQLite file in data_dir. PostgreSQL: postgresql+psycopg://user@host/db",
    )
    model_dir: Path | None = Field(
        default=None, description="Folder holding detector model files; default data_dir/models."
    )
    mirror_dir: Path | None = Field(
        default=None,
        description="Local mirror folder that `models pull` and `demo` copy from when offline "
        "(a folder with models/ and footage/, such as ../shared).",
    )

    footage_dir_override: Path | None = Field(
        default=None,
        alias="CVMON_FOOTAGE_DIR",
        description="Folder of sample clips that ${CVMON_FOOTAGE_DIR} in cameras.yaml names; default data_dir/footage.",
    )

    evidence_dir_override: Path | None = Field(
        default=None,
        alias="CVMON_EVIDENCE_DIR",
        description="Folder of anonymised snapshots; default data_dir/evidence.",
    )

    @property
    def evidence_dir(self) -> Path:
        return self.evidence_dir_override or self.data_dir / "evidence"

    @property
    def footage_dir(self) -> Path:
        return self.footage_dir_override or self.data_dir / "footage"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cvmon.db'}"


def get_settings() -> Settings:
    """Settings read from the environment now."""
    return Settings()

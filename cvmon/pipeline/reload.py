"""Picking up an edited cameras.yaml while `cvmon run` runs: noticing the edit, and deciding which
camera workers it concerns."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from cvmon.config.models import CameraConfig, Config
from cvmon.errors import ConfigError


class ReloadSettings(BaseSettings):
    """How often `cvmon run` looks at its configuration file (environment variable CVMON_RELOAD_EVERY_S)."""

    model_config = SettingsConfigDict(env_prefix="CVMON_", extra="ignore")

    reload_every_s: float = Field(
        default=2.0, gt=0, le=3600, description="Seconds between two looks at cameras.yaml for edits."
    )


def reload_every_s() -> float:
    """The polling interval from the environment; a bad value is a configuration error."""
    try:
        return ReloadSettings().reload_every_s
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise ConfigError(f"CVMON_RELOAD_EVERY_S: {problems}") from None


class FileWatcher:
    """Notices edits of one file: its modification time and size first, then a hash of its bytes.

    A missing or unreadable file counts as content of its own, so its reappearance is an edit too.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stat = self._stat_key()
        self._digest = self._read_digest()

    def _stat_key(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _read_digest(self) -> str | None:
        try:
            return hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            return None

    def changed(self) -> bool:
        """Whether the content differs from the last time it was looked at (a touch alone is no edit)."""
        stat = self._stat_key()
        if stat == self._stat and stat is not None:
            return False
        self._stat = stat
        digest = self._read_digest()
        if digest == self._digest:
            return False
        self._digest = digest
        return True


def camera_fingerprint(config: Config, camera: CameraConfig) -> str:
    """Canonical JSON of everything a camera's worker reads: the camera itself, the defaults and its
    unit chain (time zone, service hours, rules). Equal fingerprints mean the worker would do the same."""
    data = {
        "camera": camera.model_dump(mode="json"),
        "defaults": config.defaults.model_dump(mode="json"),
        "units": [unit.model_dump(mode="json") for unit in config.unit_chain(camera.unit)],
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def wanted_cameras(config: Config, only: Collection[str] | None = None) -> dict[str, CameraConfig]:
    """The cameras `cvmon run` runs under ``config``: the enabled ones, limited to ``only`` when given."""
    return {c.id: c for c in config.cameras if c.enabled and (only is None or c.id in only)}


@dataclass(frozen=True, slots=True)
class ReloadPlan:
    """What a reload does to the workers, by camera id."""

    restart: tuple[str, ...] = ()  # settings changed: stop (if running) and start again
    start: tuple[str, ...] = ()  # new or newly enabled
    stop: tuple[str, ...] = ()  # removed or disabled, still running

    def __bool__(self) -> bool:
        return bool(self.restart or self.start or self.stop)


def plan_reload(old: Config, new: Config, running: Collection[str], only: Collection[str] | None = None) -> ReloadPlan:
    """Which workers to restart, start and stop when ``old`` becomes ``new``.

    ``running`` are the cameras whose worker is alive. A camera whose settings did not change is
    left alone, running or not: a worker that ended on its own (its file ended) stays ended.
    """
    before = wanted_cameras(old, only)
    after = wanted_cameras(new, only)
    restart, start = [], []
    for cam_id, cam in after.items():
        if cam_id not in before:
            start.append(cam_id)
        elif camera_fingerprint(old, before[cam_id]) != camera_fingerprint(new, cam):
            restart.append(cam_id)
    stop = [cam_id for cam_id in before if cam_id not in after and cam_id in running]
    return ReloadPlan(tuple(restart), tuple(start), tuple(stop))

"""What the camera set-up pages do: test a source, take an anonymised snapshot, save an edited cameras.yaml.

Every save validates the whole file first, keeps a numbered backup, writes the file atomically,
refreshes the app's configuration and the database's units, cameras and zones, and is audited.
A running ``cvmon run`` picks the file up by itself and restarts only the cameras that changed.
An admin bound to units saves only edits of its units' cameras. A source's credentials are never
sent to the browser: forms show it masked (``***``), and a masked part left as it was keeps the
stored value (``restore_secrets``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cvmon.api.context import ApiContext
from cvmon.config.editing import ConfigFile
from cvmon.config.models import CameraConfig, Config, DetectorConfig
from cvmon.detectors.base import Detector, create_detector
from cvmon.errors import ConfigError, CvmonError
from cvmon.evidence.anonymise import anonymise
from cvmon.settings import get_settings
from cvmon.sources.probe import Probe, ProbeError, probe_source
from cvmon.sources.rtsp import redact_url
from cvmon.storage.audit import AuditAction, AuditActor
from cvmon.storage.config_history import sync_config
from cvmon.types import Frame

MASK = "***"
_SCHEME_USERINFO = re.compile(r"(?i)^([a-z][a-z0-9+.\-]*://)(\S*)@")
_SECRET_PARAM = re.compile(
    r"(?i)([?&;]((?:user|username|login|pass|password|passwd|pwd|token|auth|key|secret))=)([^&;#\s]*)"
)


class SetupUnavailable(CvmonError):
    """The viewer was started without a cameras.yaml to edit."""


class MaskedSecret(ConfigError):
    """A masked part of a source was sent back where there is no stored value to keep."""


def shown_source(source: str) -> str:
    """The source as a form may show it: user name, password and secret query values masked."""
    return redact_url(source)


def restore_secrets(submitted: str, stored: str | None) -> str:
    """The submitted source with each part left masked (``***@`` for the credentials, ``password=***``)
    replaced by the stored source's; MaskedSecret when the stored source has no such part."""
    result = submitted
    shown = _SCHEME_USERINFO.match(result)
    if shown and shown.group(2) == MASK:
        kept = _SCHEME_USERINFO.match(stored or "")
        if kept is None:
            raise MaskedSecret("source: type the camera's user name and password (the stored source has none)")
        result = shown.group(1) + kept.group(2) + "@" + result[shown.end() :]
    stored_params = {m.group(2).lower(): m.group(3) for m in _SECRET_PARAM.finditer(stored or "")}

    def keep(match: re.Match[str]) -> str:
        if match.group(3) != MASK:
            return match.group(0)
        name = match.group(2).lower()
        if name not in stored_params:
            raise MaskedSecret(f"source: type the value of '{match.group(2)}' (the stored source has none)")
        return match.group(1) + stored_params[name]

    return _SECRET_PARAM.sub(keep, result)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A tested source: its properties and an anonymised JPEG as a data: URI."""

    width: int
    height: int
    fps: float | None
    codec: str
    kind: str
    seconds: float
    image_uri: str
    people: int


def config_path(context: ApiContext) -> Path:
    if context.settings.config is None:
        raise SetupUnavailable("start the viewer with --config cameras.yaml (or CVMON_CONFIG) to edit cameras")
    return context.settings.config


def open_config_file(context: ApiContext) -> ConfigFile:
    return ConfigFile(config_path(context))


@lru_cache(maxsize=4)
def _detector(config_json: str, model_dir: str) -> Detector:
    return create_detector(DetectorConfig.model_validate_json(config_json), Path(model_dir))


def detector_for(config: Config | None, camera: CameraConfig | None) -> Detector:
    """The camera's detector (the defaults' for a new camera), down to its evidence confidence."""
    if config is not None and camera is not None:
        wanted = config.detector_for(camera)
    elif config is not None:
        wanted = config.defaults.detector
    else:
        wanted = DetectorConfig()
    lowest = min(wanted.confidence, wanted.evidence_confidence)
    tuned = wanted.model_copy(update={"confidence": lowest})
    return _detector(tuned.model_dump_json(), str(get_settings().resolved_model_dir))


def snapshot(probe: Probe, detector: Detector, camera: CameraConfig | None) -> Snapshot:
    """Pixelate every person the detector finds (and fill the camera's privacy masks) in the probe's frame."""
    frame = Frame(camera.id if camera else "test", datetime.now(UTC), 0, probe.image, 0.0)
    found = detector.detect(frame)
    masks = camera.privacy_masks if camera else []
    jpeg = anonymise(probe.image, found.xyxy, masks=masks)
    uri = "data:image/jpeg;base64," + base64.b64encode(jpeg.data).decode()
    return Snapshot(probe.width, probe.height, probe.fps, probe.codec, probe.kind, probe.elapsed_s, uri, len(found))


def test_source(
    context: ApiContext, actor: AuditActor, source: str, camera: CameraConfig | None
) -> tuple[Snapshot | None, ProbeError | None]:
    """Open a source with the camera's (or the defaults') timeouts; audited with the source redacted."""
    config = context.config
    defaults = config.defaults if config is not None else None
    open_s = defaults.rtsp_open_timeout_s if defaults else 10.0
    read_s = defaults.rtsp_read_timeout_s if defaults else 5.0
    result: Snapshot | None = None
    error: ProbeError | None = None
    try:
        probe = probe_source(_expand(source, context), open_timeout_s=open_s, read_timeout_s=read_s)
        result = snapshot(probe, detector_for(config, camera), camera)
    except ProbeError as err:
        error = err
    details: dict[str, Any] = {"source": redact_url(source), "camera": camera.id if camera else None}
    details["result"] = "ok" if result else f"{error.kind if error else 'error'}"
    context.audit.record(context.clock(), actor, AuditAction.CAMERA_TEST, f"camera:{details['camera'] or '-'}", details)
    return result, error


def _expand(source: str, context: ApiContext) -> str:
    """A file source as ``cvmon run`` would read it (``${VAR}`` expanded, relative to the config file)."""
    import os

    expanded = os.path.expandvars(source.replace("${CVMON_FOOTAGE_DIR}", str(get_settings().footage_dir)))
    if "://" in expanded or Path(expanded).is_absolute() or context.settings.config is None:
        return expanded
    return str((context.settings.config.parent / expanded).resolve())


def save(
    context: ApiContext,
    actor: AuditActor,
    edited: ConfigFile,
    change: str,
    camera_id: str,
    allowed_units: Collection[str] | None = None,
) -> Path | None:
    """Validate and write the edited file, refresh the app's config and the database, audit it.

    Args:
        allowed_units: the units whose cameras the edit may touch; None for an admin at the root.

    Raises:
        OutOfScope: the edit touches a camera outside ``allowed_units`` (nothing was written).
        ConfigError: the edited file is invalid (nothing was written).
    """
    config, backup = edited.save(allowed_units)
    context.config = config
    sync_config(context.db, config)
    details = {"camera": camera_id, "change": change, "backup": backup.name if backup else None}
    context.audit.record(context.clock(), actor, AuditAction.CONFIG_CHANGE, f"camera:{camera_id}", details)
    return backup


def problems_of(err: ConfigError) -> list[str]:
    """The problems of a refused edit, one line each."""
    return list(err.problems) if err.problems else [str(err)]

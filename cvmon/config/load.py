"""Load cameras.yaml safely and turn validation errors into ``path: message`` lines."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cvmon.config.crossref import CROSSREF_MARKER, partial_cross_reference_problems
from cvmon.config.models import CameraConfig, Config
from cvmon.errors import ConfigError


def format_loc(loc: tuple[int | str, ...]) -> str:
    """``("cameras", 1, "zones", 0, "points")`` -> ``cameras[1].zones[0].points``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _clean_message(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def validation_problems(err: ValidationError) -> list[str]:
    """Every error of a ValidationError as one ``path: message`` line."""
    problems: list[str] = []
    for e in err.errors():
        msg = _clean_message(str(e["msg"]))
        if CROSSREF_MARKER in msg:
            problems.extend(msg.split(CROSSREF_MARKER, 1)[1].strip().splitlines())
            continue
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        elif e["type"] == "missing":
            msg = "required key missing"
        problems.append(f"{format_loc(loc) or '(top level)'}: {msg}")
    return problems


def parse_config(data: Any, origin: str = "configuration") -> Config:
    """Validate already-parsed YAML data into a Config, raising ConfigError with every problem."""
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: the top level must be a mapping with units and cameras")
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        problems = validation_problems(err)
        if not any(CROSSREF_MARKER in str(e["msg"]) for e in err.errors()):
            problems += [p for p in partial_cross_reference_problems(data) if p not in problems]
        raise ConfigError(f"{origin}: {len(problems)} problem(s): " + "; ".join(problems), problems) from None


def load_config(path: str | Path) -> Config:
    """Read and validate a cameras.yaml file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read configuration: {err}") from None
    return config_from_text(text, path)


def config_from_text(text: str, path: Path) -> Config:
    """Validate the text of a cameras.yaml as if it were the file at ``path`` (sources relative to it)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"{path}: invalid YAML{where}: {problem}") from None
    config = parse_config(data, str(path))
    return config.model_copy(update={"cameras": [_resolve_source(c, path.parent) for c in config.cameras]})


def _resolve_source(cam: CameraConfig, base: Path) -> CameraConfig:
    """Expand ${VAR} in a source and make a relative file path relative to the config file."""
    source = cam.source
    if "CVMON_FOOTAGE_DIR" in source and "CVMON_FOOTAGE_DIR" not in os.environ:
        from cvmon.settings import get_settings

        footage = str(get_settings().footage_dir)
        source = source.replace("${CVMON_FOOTAGE_DIR}", footage).replace("$CVMON_FOOTAGE_DIR", footage)
    source = os.path.expandvars(source)
    if not cam.is_live and not Path(source).is_absolute():
        source = str((base / source).resolve())
    return cam.model_copy(update={"source": source})


def select_camera(config: Config, camera_id: str | None) -> CameraConfig:
    """The camera named on the command line, or the only one configured."""
    if camera_id is None:
        if len(config.cameras) == 1:
            return config.cameras[0]
        raise ConfigError(f"--camera is needed: the configuration has {len(config.cameras)} cameras")
    try:
        return config.camera(camera_id)
    except KeyError as err:
        raise ConfigError(str(err.args[0])) from None

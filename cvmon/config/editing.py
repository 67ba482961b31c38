"""Safe edits of cameras.yaml from the viewer: round-trip YAML, validation, numbered backups.

The file is read with ruamel.yaml, which keeps comments, key order and flow styles of everything
an edit does not touch. Every change is validated by the same models as ``cvmon config check``
(as the file it will become) before anything is written; the previous file is kept as
``cameras.yaml.1``, ``.2``... (the highest number is the newest), and the new one replaces it
atomically. An editor bound to units saves only edits that touch cameras of those units (before
and after the edit) and nothing else of the file; any other edit is refused before anything is
written (``OutOfScope``).
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from cvmon.config.load import config_from_text
from cvmon.config.models import Config
from cvmon.errors import ConfigError

# Backups kept next to the file; older ones are removed.
KEEP_BACKUPS = 30
# Keys of a camera the camera form edits (zones and masks have their own editor).
CAMERA_FIELDS = ("id", "name", "unit", "source", "analysis_fps", "enabled")
_BACKUP = re.compile(r"\.(\d+)$")


class OutOfScope(ConfigError):
    """An edit would change a camera outside the editor's units, or something beside the cameras."""


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 120
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _flow(points: Sequence[Sequence[float]]) -> CommentedSeq:
    """A polygon as ``[[x, y], ...]`` on one line, rounded to 4 decimals."""
    outer = CommentedSeq()
    for x, y in points:
        pair = CommentedSeq([round(float(x), 4), round(float(y), 4)])
        pair.fa.set_flow_style()
        outer.append(pair)
    outer.fa.set_flow_style()
    return outer


class ConfigFile:
    """One cameras.yaml opened for editing; nothing is written before ``save``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise ConfigError(f"{path}: cannot read configuration: {err}") from None
        try:
            self.doc: CommentedMap = _yaml().load(text)
        except YAMLError as err:
            raise ConfigError(f"{path}: invalid YAML: {str(err).splitlines()[0]}") from None
        if not isinstance(self.doc, CommentedMap):
            raise ConfigError(f"{path}: the top level must be a mapping with units and cameras")
        self._original = text

    # -- reading -----------------------------------------------------------------------------

    def cameras(self) -> CommentedSeq:
        cams = self.doc.get("cameras")
        if cams is None:
            cams = CommentedSeq()
            self.doc["cameras"] = cams
        return cams

    def camera(self, camera_id: str) -> CommentedMap:
        for cam in self.cameras():
            if isinstance(cam, CommentedMap) and cam.get("id") == camera_id:
                return cam
        raise KeyError(camera_id)

    def camera_index(self, camera_id: str) -> int:
        for i, cam in enumerate(self.cameras()):
            if isinstance(cam, Mapping) and cam.get("id") == camera_id:
                return i
        raise KeyError(camera_id)

    # -- editing -----------------------------------------------------------------------------

    def set_camera(self, camera_id: str | None, values: Mapping[str, Any]) -> None:
        """Add a camera (``camera_id`` None) or change the form's fields of one; None values remove a key."""
        if camera_id is None:
            cam = CommentedMap()
            for key in CAMERA_FIELDS:
                if values.get(key) is not None:
                    cam[key] = values[key]
            cam["zones"] = CommentedSeq()
            self.cameras().append(cam)
            return
        cam = self.camera(camera_id)
        for key in CAMERA_FIELDS:
            if key not in values:
                continue
            if values[key] is None:
                cam.pop(key, None)
            else:
                cam[key] = values[key]

    def remove_camera(self, camera_id: str) -> None:
        del self.cameras()[self.camera_index(camera_id)]

    def set_zones(self, camera_id: str, zones: Sequence[Mapping[str, Any]], masks: Sequence[Mapping[str, Any]]) -> None:
        """Replace a camera's zones and privacy masks. A zone whose id stays is edited in place, so its
        comments and the keys the editor does not know (its ``rules``, say) survive."""
        cam = self.camera(camera_id)
        _replace_items(cam, "zones", [_zone_item(z, _by_id(cam.get("zones")).get(z.get("id"))) for z in zones])
        old_masks = [m for m in cam.get("privacy_masks") or [] if isinstance(m, CommentedMap)]
        new_masks = [_mask_item(m, old_masks[i] if i < len(old_masks) else None) for i, m in enumerate(masks)]
        if new_masks:
            _replace_items(cam, "privacy_masks", new_masks)
        else:
            cam.pop("privacy_masks", None)

    # -- writing -----------------------------------------------------------------------------

    def text(self) -> str:
        buffer = io.StringIO()
        _yaml().dump(self.doc, buffer)
        return buffer.getvalue()

    def validate(self) -> Config:
        """The edited file as ``cvmon config check`` would read it; ConfigError lists every problem."""
        return config_from_text(self.text(), self.path)

    def check_units(self, allowed_units: Collection[str]) -> None:
        """OutOfScope unless every camera the edit adds, changes or removes belongs to one of
        ``allowed_units`` before and after it, and nothing but cameras changes."""
        before, after = _plain(_yaml().load(self._original)), _plain(self.doc)
        if not isinstance(before, dict) or not isinstance(after, dict):
            raise OutOfScope("the file's top level changed")
        if {k: v for k, v in before.items() if k != "cameras"} != {k: v for k, v in after.items() if k != "cameras"}:
            raise OutOfScope("only cameras can be changed here")
        old, new = _cameras_by_id(before.get("cameras")), _cameras_by_id(after.get("cameras"))
        for camera_id in sorted(old.keys() | new.keys()):
            if old.get(camera_id) == new.get(camera_id):
                continue
            for cam in (old.get(camera_id), new.get(camera_id)):
                if cam is not None and cam.get("unit") not in allowed_units:
                    raise OutOfScope(f"camera '{camera_id}': unit '{cam.get('unit')}' is not one of your units")

    def save(self, allowed_units: Collection[str] | None = None) -> tuple[Config, Path | None]:
        """Validate, keep the current file as the next numbered backup, write the new one atomically.

        Args:
            allowed_units: the units whose cameras the edit may touch (``check_units``); None for any.

        Returns the new configuration and the backup's path (None when there was no file).

        Raises:
            OutOfScope: the edit touches something outside ``allowed_units`` (nothing is written).
            ConfigError: the edited file is invalid (nothing is written).
        """
        if allowed_units is not None:
            self.check_units(allowed_units)
        config = self.validate()
        text = self.text()
        backup = None
        if self.path.exists():
            backup = next_backup_path(self.path)
            backup.write_bytes(self.path.read_bytes())
        _atomic_write(self.path, text)
        _prune_backups(self.path)
        return config, backup


ZONE_KEYS = ("id", "name", "kind", "capacity", "queue", "counter")


def _plain(value: Any) -> Any:
    """Round-trip YAML as plain dicts, lists and scalars (comments and styles dropped)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _cameras_by_id(cameras: Any) -> dict[str, dict[str, Any]]:
    """The cameras keyed by id (an entry that is no mapping, or has no id, by its position)."""
    found: dict[str, dict[str, Any]] = {}
    for i, cam in enumerate(cameras if isinstance(cameras, list) else []):
        if isinstance(cam, dict) and cam.get("id") is not None:
            found[str(cam["id"])] = cam
        else:
            found[f"#{i}"] = cam if isinstance(cam, dict) else {"value": cam}
    return found


def _by_id(items: Any) -> dict[Any, CommentedMap]:
    return {z.get("id"): z for z in items or [] if isinstance(z, CommentedMap)}


def _set_points(item: CommentedMap, points: Sequence[Sequence[float]]) -> None:
    """Replace the polygon unless it is the same (then its formatting stays as written)."""
    new = [[round(float(x), 4), round(float(y), 4)] for x, y in points]
    old = item.get("points")
    try:
        same = old is not None and [[round(float(x), 4), round(float(y), 4)] for x, y in old] == new
    except (TypeError, ValueError):
        same = False
    if not same:
        item["points"] = _flow(new)


def _zone_item(zone: Mapping[str, Any], kept: CommentedMap | None) -> CommentedMap:
    item = kept if kept is not None else CommentedMap()
    for key in ZONE_KEYS:
        value = zone.get(key)
        if value in (None, ""):
            item.pop(key, None)
        elif item.get(key) != value:
            item[key] = value
    _set_points(item, zone.get("points") or [])
    return item


def _mask_item(mask: Mapping[str, Any], kept: CommentedMap | None) -> CommentedMap:
    item = kept if kept is not None else CommentedMap()
    if mask.get("name"):
        if item.get("name") != mask["name"]:
            item["name"] = mask["name"]
    else:
        item.pop("name", None)
    _set_points(item, mask.get("points") or [])
    return item


def _replace_items(parent: CommentedMap, key: str, items: list[CommentedMap]) -> None:
    """Put ``items`` into the sequence under ``key`` in place, keeping the sequence's own comments."""
    seq = parent.get(key)
    if not isinstance(seq, CommentedSeq):
        seq = CommentedSeq()
        parent[key] = seq
    del seq[:]
    seq.extend(items)


def backups(path: Path) -> list[Path]:
    """Numbered backups of a file, oldest first."""
    found = []
    for candidate in path.parent.glob(path.name + ".*"):
        m = _BACKUP.search(candidate.name)
        if m and candidate.name == f"{path.name}.{m.group(1)}":
            found.append((int(m.group(1)), candidate))
    return [p for _, p in sorted(found)]


def next_backup_path(path: Path) -> Path:
    existing = backups(path)
    number = int(_BACKUP.search(existing[-1].name).group(1)) + 1 if existing else 1  # type: ignore[union-attr]
    return path.with_name(f"{path.name}.{number}")


def _prune_backups(path: Path) -> None:
    for old in backups(path)[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

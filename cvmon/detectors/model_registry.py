"""Named detector and pose models: models/registry.yaml, the model directory and `models pull`."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from cvmon.detectors.layouts import describe_io
from cvmon.detectors.pose_layouts import POSE_LAYOUTS, describe_pose_io
from cvmon.errors import ModelError

REGISTRY_PATH = Path(__file__).resolve().parent.parent / "data" / "registry.yaml"
Layout = Literal["yolox", "ultralytics", "nanodet", "movenet", "yolo_pose"]
Purpose = Literal["detector", "pose"]
_LAYOUT_NAMES = {"detector": "yolox, ultralytics or nanodet", "pose": "movenet or yolo_pose"}


def purpose_of(layout: str) -> Purpose:
    """Whether a layout belongs to a person detector or a pose model."""
    return "pose" if layout in POSE_LAYOUTS else "detector"


def describe_model_io(layout: str, size: int) -> str:
    """The input and output shapes a model of this layout and input size must have, for messages."""
    return describe_pose_io(layout, size) if layout in POSE_LAYOUTS else describe_io(layout, size)


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """One model of the registry."""

    name: str
    file: str
    layout: Layout
    input_size: int
    licence: str
    url: str | None
    sha256: str | None
    url_sha256: str | None
    note: str = ""


def load_registry(path: Path = REGISTRY_PATH) -> dict[str, ModelEntry]:
    """Models by name."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        name: ModelEntry(
            name=name,
            file=m["file"],
            layout=m["layout"],
            input_size=int(m["input_size"]),
            licence=m.get("licence", ""),
            url=m.get("url"),
            sha256=m.get("sha256"),
            url_sha256=m.get("url_sha256"),
            note=m.get("note", ""),
        )
        for name, m in data["models"].items()
    }


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """A model file on disk with its layout and input size."""

    path: Path
    layout: Layout
    input_size: int
    name: str


def resolve_model(
    model: str,
    model_dir: Path,
    layout: Layout | None = None,
    input_size: int | None = None,
    purpose: Purpose = "detector",
) -> ResolvedModel:
    """Find a model by registry name or by path.

    Raises:
        ModelError: unknown name, missing file, a path without a known layout, or a model of the
            other purpose (a pose model named as the detector, or the other way round).
    """
    registry = load_registry()
    if model in registry:
        entry = registry[model]
        if purpose_of(entry.layout) != purpose:
            raise ModelError(
                f"model '{model}' is a {purpose_of(entry.layout)} model ({entry.layout}), not a {purpose} model"
            )
        path = model_dir / entry.file
        if not path.is_file():
            raise ModelError(
                f"model '{model}' is not in {model_dir} (expected file {entry.file}: "
                f"{describe_model_io(entry.layout, entry.input_size)}); "
                f"run `cvmon models pull {model}` or set CVMON_MODEL_DIR"
            )
        return ResolvedModel(path, layout or entry.layout, input_size or entry.input_size, model)
    path = Path(model).expanduser()
    if not path.is_absolute() and not path.exists():
        path = model_dir / model
    if not path.is_file():
        known = ", ".join(sorted(registry))
        raise ModelError(f"model '{model}' is neither a registered name ({known}) nor an existing file")
    by_file = {e.file: e for e in registry.values()}
    entry_for_file = by_file.get(path.name)
    chosen_layout = layout or (entry_for_file.layout if entry_for_file else None)
    section = "detector" if purpose == "detector" else "pose"
    if chosen_layout is None:
        raise ModelError(f"{path}: unknown model file; set {section}.layout ({_LAYOUT_NAMES[purpose]})")
    if purpose_of(chosen_layout) != purpose:
        raise ModelError(f"{path}: a {purpose_of(chosen_layout)} model ({chosen_layout}), not a {purpose} model")
    same_purpose = entry_for_file is not None and purpose_of(entry_for_file.layout) == purpose
    size = input_size or (entry_for_file.input_size if entry_for_file and same_purpose else 0)
    return ResolvedModel(path, chosen_layout, size, path.stem)  # the model's own fixed size still wins


@dataclass(frozen=True, slots=True)
class ModelStatus:
    entry: ModelEntry
    present: bool
    path: Path
    sha_ok: bool | None


def model_statuses(model_dir: Path, check_sha: bool = True) -> list[ModelStatus]:
    """Which registered models are present in the model directory, and whether their sha256 matches."""
    out = []
    for entry in load_registry().values():
        path = model_dir / entry.file
        present = path.is_file()
        sha_ok = None
        if present and check_sha and entry.sha256:
            sha_ok = sha256_of(path) == entry.sha256
        out.append(ModelStatus(entry, present, path, sha_ok))
    return out


def pull_model(name: str, model_dir: Path, mirror_dir: Path | None, allow_download: bool = True) -> Path:
    """Put a registered model into the model directory: from the mirror when it has it, else download.

    The file is written to a temporary name and moved in place only after its sha256 checked out.

    Raises:
        ModelError: unknown name, sha256 mismatch, or neither mirror nor download worked.
    """
    registry = load_registry()
    if name not in registry:
        raise ModelError(f"unknown model '{name}' (known: {', '.join(sorted(registry))})")
    entry = registry[name]
    target = model_dir / entry.file
    if target.is_file() and (entry.sha256 is None or sha256_of(target) == entry.sha256):
        return target
    model_dir.mkdir(parents=True, exist_ok=True)
    mirror_file = _find_in_mirror(mirror_dir, entry.file) if mirror_dir else None
    with tempfile.NamedTemporaryFile(dir=model_dir, prefix=".pull-", delete=False) as tmp:
        tmp_path = Path(tmp.name)
    try:
        if mirror_file is not None:
            shutil.copyfile(mirror_file, tmp_path)
            expected = entry.sha256
        elif allow_download and entry.url:
            _download(entry.url, tmp_path)
            expected = entry.url_sha256 or entry.sha256
        else:
            where = f"mirror {mirror_dir}" if mirror_dir else "no mirror (CVMON_MIRROR_DIR)"
            raise ModelError(f"model '{name}' ({entry.file}) not found in {where} and no download possible")
        actual = sha256_of(tmp_path)
        if expected and actual != expected:
            raise ModelError(f"{entry.file}: sha256 {actual[:12]}... does not match the registry ({expected[:12]}...)")
        tmp_path.replace(target)
    finally:
        tmp_path.unlink(missing_ok=True)
    return target


def _find_in_mirror(mirror_dir: Path, filename: str) -> Path | None:
    for candidate in (mirror_dir / filename, mirror_dir / "models" / filename):
        if candidate.is_file():
            return candidate
    return None


def _download(url: str, target: Path, timeout_s: float = 30.0) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response, target.open("wb") as out:
            shutil.copyfileobj(response, out)
    except OSError as err:
        raise ModelError(f"download of {url} failed: {err}") from None

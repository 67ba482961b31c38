"""`cvmon demo`: fetch the default model and the sample clips, run the example configuration."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from cvmon.detectors.model_registry import _download, pull_model, sha256_of
from cvmon.errors import CvmonError, SourceError
from cvmon.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO_ROOT / "cameras.yaml"
DEFAULT_MODEL = "yolox_nano_416"
_INTEL = "https://github.com/intel-iot-devkit/sample-videos/raw/57978890822836f2b4743852f04f62fc511757e4"


@dataclass(frozen=True, slots=True)
class SampleClip:
    file: str
    sha256: str
    url: str | None  # None: only the mirror has it (re-encoded from a GIF)


SAMPLE_CLIPS = (
    SampleClip(
        "intel_one-by-one-person-detection.mp4",
        "a5964aa259099a482a8b360ffc2c57b5a30f84d5919236a4dad01f8e929ac07c",
        f"{_INTEL}/one-by-one-person-detection.mp4",
    ),
    SampleClip("intel_classroom.mp4", "de434d07611acf4831ed954b7b0d9fc8d62ccbef0bc043f3e18db52ee6234766", None),
)


def find_mirror(settings: Settings) -> Path | None:
    """The local mirror folder: CVMON_MIRROR_DIR, else a ``shared`` folder beside the project."""
    if settings.mirror_dir is not None:
        return settings.mirror_dir
    for candidate in (REPO_ROOT.parent / "shared", Path.cwd().parent / "shared", Path.cwd() / "shared"):
        if (candidate / "models").is_dir() or (candidate / "footage").is_dir():
            return candidate
    return None


def fetch_clip(clip: SampleClip, footage_dir: Path, mirror: Path | None) -> Path | None:
    """Put a sample clip in the footage folder (mirror first, then its URL); None if unavailable."""
    target = footage_dir / clip.file
    if target.is_file() and sha256_of(target) == clip.sha256:
        return target
    footage_dir.mkdir(parents=True, exist_ok=True)
    source = None
    if mirror is not None:
        for candidate in (mirror / "footage" / clip.file, mirror / clip.file):
            if candidate.is_file():
                source = candidate
                break
    with tempfile.NamedTemporaryFile(dir=footage_dir, prefix=".fetch-", delete=False) as tmp:
        tmp_path = Path(tmp.name)
    try:
        if source is not None:
            shutil.copyfile(source, tmp_path)
        elif clip.url is not None:
            try:
                _download(clip.url, tmp_path)
            except CvmonError:
                return None
        else:
            return None
        if sha256_of(tmp_path) != clip.sha256:
            raise SourceError(f"{clip.file}: sha256 does not match the published one; not used")
        tmp_path.replace(target)
    finally:
        tmp_path.unlink(missing_ok=True)
    return target


def prepare_demo(settings: Settings) -> tuple[Path, list[Path]]:
    """Fetch what the demo lacks; returns the model path and the clips that are available."""
    mirror = find_mirror(settings)
    model = pull_model(DEFAULT_MODEL, settings.resolved_model_dir, mirror)
    clips = [c for c in (fetch_clip(clip, settings.footage_dir, mirror) for clip in SAMPLE_CLIPS) if c]
    return model, clips


def demo_start(tz_now: datetime) -> datetime:
    """A start time inside service hours: 09:00 local time on the most recent weekday."""
    day = tz_now.date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(9, 0), tzinfo=tz_now.tzinfo)

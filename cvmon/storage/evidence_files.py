"""Filesystem store of anonymised evidence snapshots, written atomically and checked by sha256 on read.

Layout under the root::

    <camera_id>/YYYY/MM/DD/<YYYYmmddTHHMMSSffffff>Z-<kind>-<sha256[:12]>.jpg   evidence (UTC date and time)
    latest/<camera_id>.jpg                                                     latest frame, replaced in place

The store only takes ``AnonymisedJpeg`` values, which only ``cvmon.evidence.anonymise`` makes: raw
frames never reach it. The database keeps each ``StoredEvidence`` (path, sha256, size); ``read``
refuses a file that is missing or no longer matches.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath, PurePosixPath

from cvmon.errors import EvidenceError, EvidenceTampered, NotAnonymised
from cvmon.types import AnonymisedJpeg

LATEST_DIR = "latest"
REFERENCE_SUFFIX = ".reference.jpg"  # latest/<camera>.reference.jpg: the room reference a camera compares with
CANDIDATE_SUFFIX = ".candidate.jpg"  # latest/<camera>.candidate.jpg: the latest empty-room frame, no drawing on it
STAFF_MODEL_SUFFIX = ".staff.json"  # latest/<camera>.staff.json: the camera's aggregate staff model (no person's look)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_TMP_PREFIX = ".tmp-"
FILE_MODE = 0o640  # owner reads and writes, the viewer's group reads, nobody else


@dataclass(frozen=True, slots=True)
class StoredEvidence:
    """Where a snapshot was stored and what it must hash to.

    Attributes:
        path_relative: POSIX path relative to the store's root.
        sha256: hex digest of the file's bytes.
        size: file size in bytes.
        ts: time of the snapshot (timezone-aware).
        camera_id: camera it shows.
        kind: why it was taken, e.g. ``periodic`` or ``alert``.
    """

    path_relative: str
    sha256: str
    size: int
    ts: datetime
    camera_id: str
    kind: str


class EvidenceStore:
    """Anonymised snapshots in a folder tree; see the module docstring for the layout."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def write(self, camera_id: str, ts: datetime, kind: str, jpeg: AnonymisedJpeg) -> StoredEvidence:
        """Store one snapshot atomically (temporary file, then rename).

        Args:
            camera_id: camera id (lower-case letters, digits, '-', '_').
            ts: timezone-aware time of the snapshot; its UTC date names the folder.
            kind: why it was taken (same characters as an id).
            jpeg: the output of ``anonymise``; raw images or bytes are refused.

        Returns:
            What to record in the database to find and verify the file later.

        Raises:
            NotAnonymised: ``jpeg`` is not an ``AnonymisedJpeg``.
            EvidenceError: an invalid id, kind or time, or the file cannot be written.
        """
        data = _anonymised_bytes(jpeg)
        _check_name("camera_id", camera_id)
        _check_name("kind", kind)
        if camera_id == LATEST_DIR:
            raise EvidenceError(f"camera_id '{LATEST_DIR}' is reserved by the evidence store")
        if ts.tzinfo is None:
            raise EvidenceError("evidence ts must be timezone-aware")
        digest = hashlib.sha256(data).hexdigest()
        utc = ts.astimezone(UTC)
        relative = PurePosixPath(
            camera_id, f"{utc:%Y}", f"{utc:%m}", f"{utc:%d}", f"{utc:%Y%m%dT%H%M%S%f}Z-{kind}-{digest[:12]}.jpg"
        )
        _atomic_write(self.root / relative, data)
        return StoredEvidence(str(relative), digest, len(data), ts, camera_id, kind)

    def read(self, stored_or_path: StoredEvidence | str | PurePath, expected_sha256: str | None = None) -> bytes:
        """Read a snapshot back and check it against its recorded sha256.

        Args:
            stored_or_path: a ``StoredEvidence`` or a path relative to the root.
            expected_sha256: the recorded digest; defaults to the ``StoredEvidence``'s own and is
                required with a bare path.

        Raises:
            EvidenceTampered: the file is missing (``reason="missing"``) or its bytes do not hash to
                the expected digest (``reason="altered"``).
            EvidenceError: no digest to check against, or an unsafe path.
        """
        if isinstance(stored_or_path, StoredEvidence):
            relative = stored_or_path.path_relative
            expected = expected_sha256 or stored_or_path.sha256
        else:
            relative = str(PurePosixPath(PurePath(stored_or_path).as_posix()))
            if expected_sha256 is None:
                raise EvidenceError(f"{relative}: reading evidence needs its recorded sha256")
            expected = expected_sha256
        path = self._resolve(relative)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise EvidenceTampered(
                f"evidence file missing: {relative} (recorded, but not in the store)", relative, "missing"
            ) from None
        except OSError as err:
            raise EvidenceError(f"{relative}: cannot read evidence ({err.strerror})") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected.lower():
            raise EvidenceTampered(
                f"evidence file altered: {relative} has sha256 {actual}, recorded {expected.lower()}",
                relative,
                "altered",
            )
        return data

    def delete(self, path_relative: str | PurePath) -> bool:
        """Remove a snapshot and the folders it leaves empty; False when it was already gone."""
        relative = PurePath(path_relative).as_posix()
        path = self._resolve(relative)
        root = self.root.resolve()
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as err:
            raise EvidenceError(f"{relative}: cannot delete evidence ({err.strerror})") from None
        parent = root.joinpath(*PurePosixPath(relative).parts).parent
        while parent != root and root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
        return True

    def write_latest(self, camera_id: str, jpeg: AnonymisedJpeg) -> str:
        """Replace the camera's latest snapshot atomically; returns its path relative to the root."""
        return self._write_working(camera_id, ".jpg", jpeg)

    def latest_path(self, camera_id: str) -> Path:
        """Where the camera's latest snapshot lives (it may not exist yet)."""
        return self._working_path(camera_id, ".jpg")

    def write_reference(self, camera_id: str, jpeg: AnonymisedJpeg) -> str:
        """Replace the working copy of the camera's room reference (its record is a ``room_reference``
        snapshot); returns its path relative to the root."""
        return self._write_working(camera_id, REFERENCE_SUFFIX, jpeg)

    def reference_path(self, camera_id: str) -> Path:
        """Where the working copy of the camera's room reference lives (it may not exist)."""
        return self._working_path(camera_id, REFERENCE_SUFFIX)

    def write_candidate(self, camera_id: str, jpeg: AnonymisedJpeg) -> str:
        """Replace the camera's latest picture of its room with nobody in view (what an admin may mark
        as the reference); returns its path relative to the root."""
        return self._write_working(camera_id, CANDIDATE_SUFFIX, jpeg)

    def candidate_path(self, camera_id: str) -> Path:
        """Where the camera's latest empty-room picture lives (it may not exist)."""
        return self._working_path(camera_id, CANDIDATE_SUFFIX)

    def write_staff_model(self, camera_id: str, text: str) -> str:
        """Replace the camera's aggregate staff model (``cvmon.staff.StaffModel.to_json``: clusters of many
        sightings' uniform colours, never one person's look); returns its path relative to the root."""
        _check_name("camera_id", camera_id)
        relative = f"{LATEST_DIR}/{camera_id}{STAFF_MODEL_SUFFIX}"
        _atomic_write(self.root / relative, text.encode())
        return relative

    def staff_model_path(self, camera_id: str) -> Path:
        """Where the camera's staff model lives (it may not exist)."""
        return self._working_path(camera_id, STAFF_MODEL_SUFFIX)

    def _write_working(self, camera_id: str, suffix: str, jpeg: AnonymisedJpeg) -> str:
        """Atomically replace one of the camera's working pictures under ``LATEST_DIR``; its relative path."""
        data = _anonymised_bytes(jpeg)
        _check_name("camera_id", camera_id)
        relative = f"{LATEST_DIR}/{camera_id}{suffix}"
        _atomic_write(self.root / relative, data)
        return relative

    def _working_path(self, camera_id: str, suffix: str) -> Path:
        _check_name("camera_id", camera_id)
        return self.root / LATEST_DIR / f"{camera_id}{suffix}"

    def list_files(self, *, include_latest: bool = False) -> list[str]:
        """Every stored file, relative POSIX paths, sorted: to find files no record points to.

        Leftover temporary files of an interrupted write are listed too (they are orphans).
        """
        if not self.root.is_dir():
            return []
        found = []
        for path in self.root.rglob("*"):
            if not path.is_file():
                continue
            relative = path.relative_to(self.root).as_posix()
            if not include_latest and relative.startswith(f"{LATEST_DIR}/"):
                continue
            found.append(relative)
        return sorted(found)

    def _resolve(self, relative: str) -> Path:
        """Absolute path of a relative one, refusing anything that leaves the root."""
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise EvidenceError(f"{relative}: not a path inside the evidence store")
        return self.root.joinpath(*pure.parts)


def _anonymised_bytes(jpeg: AnonymisedJpeg) -> bytes:
    if not isinstance(jpeg, AnonymisedJpeg):
        raise NotAnonymised(
            f"the evidence store takes only the output of cvmon.evidence.anonymise(), not {type(jpeg).__name__}"
        )
    return jpeg.data


def _check_name(what: str, value: str) -> None:
    if not isinstance(value, str) or not _NAME.match(value):
        raise EvidenceError(f"{what} '{value}' must be lower-case letters, digits, '-' and '_' (at most 63)")


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename it over ``path``."""
    fd, tmp = _temp_file_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise EvidenceError(f"{path}: cannot write evidence ({err.strerror})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _temp_file_beside(path: Path) -> tuple[int, str]:
    """Open a new temporary file in ``path``'s folder (retried if a concurrent delete removes the folder)."""
    for attempt in range(3):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".part", dir=path.parent)
        except FileNotFoundError:
            if attempt == 2:
                raise EvidenceError(f"{path.parent}: cannot write evidence (folder keeps disappearing)") from None
        except OSError as err:
            raise EvidenceError(f"{path.parent}: cannot write evidence ({err.strerror})") from None
    raise AssertionError("unreachable")


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable where the platform allows it."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

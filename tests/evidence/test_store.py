"""The evidence store on a real folder: atomic writes, sha256 checks, latest frame, deletes."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from cvmon.errors import EvidenceError, EvidenceTampered, NotAnonymised
from cvmon.evidence import anonymise
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.types import AnonymisedJpeg

TS = datetime(2026, 11, 23, 1, 30, 5, 250000, tzinfo=UTC)


def jpeg(value: int = 90) -> AnonymisedJpeg:
    return anonymise(np.full((24, 32, 3), value, np.uint8), [])


def temp_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.name.startswith(".tmp-")]


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence")


def test_write_read_round_trip(store: EvidenceStore) -> None:
    snapshot = jpeg()
    stored = store.write("cam-hall", TS, "periodic", snapshot)
    assert stored.sha256 == hashlib.sha256(snapshot.data).hexdigest()
    assert stored.size == len(snapshot.data)
    assert (stored.camera_id, stored.kind, stored.ts) == ("cam-hall", "periodic", TS)
    assert stored.path_relative.startswith("cam-hall/2026/11/23/20261123T013005250000Z-periodic-")
    assert stored.path_relative.endswith(".jpg")
    assert store.read(stored) == snapshot.data
    assert store.read(stored.path_relative, stored.sha256) == snapshot.data
    assert store.read(Path(stored.path_relative), stored.sha256.upper()) == snapshot.data
    assert store.list_files() == [stored.path_relative]
    assert stat.S_IMODE((store.root / stored.path_relative).stat().st_mode) == 0o640
    assert temp_files(store.root) == []


def test_folder_from_local_time(store: EvidenceStore) -> None:
    wita = timezone(timedelta(hours=8))
    stored = store.write("cam", datetime(2026, 11, 23, 7, 30, tzinfo=wita), "alert", jpeg())
    assert stored.path_relative.startswith("cam/2026/11/22/20261122T233000000000Z-alert-")


def test_same_snapshot_twice_is_one_file(store: EvidenceStore) -> None:
    a = store.write("cam", TS, "alert", jpeg())
    b = store.write("cam", TS, "alert", jpeg())
    c = store.write("cam", TS, "alert", jpeg(91))
    assert a == b
    assert c.path_relative != a.path_relative
    assert len(store.list_files()) == 2


def test_a_changed_byte_is_tampering(store: EvidenceStore) -> None:
    stored = store.write("cam", TS, "alert", jpeg())
    path = store.root / stored.path_relative
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(EvidenceTampered, match="altered") as caught:
        store.read(stored)
    assert caught.value.reason == "altered"
    assert caught.value.path_relative == stored.path_relative
    assert stored.sha256 in str(caught.value)


def test_a_missing_file_is_tampering_with_its_own_message(store: EvidenceStore) -> None:
    stored = store.write("cam", TS, "alert", jpeg())
    (store.root / stored.path_relative).unlink()
    with pytest.raises(EvidenceTampered, match="missing") as caught:
        store.read(stored)
    assert caught.value.reason == "missing"
    assert "altered" not in str(caught.value)


def test_a_wrong_record_is_tampering(store: EvidenceStore) -> None:
    stored = store.write("cam", TS, "alert", jpeg())
    with pytest.raises(EvidenceTampered, match="altered"):
        store.read(stored.path_relative, "0" * 64)


def test_a_bare_path_needs_a_digest(store: EvidenceStore) -> None:
    stored = store.write("cam", TS, "alert", jpeg())
    with pytest.raises(EvidenceError, match="sha256"):
        store.read(stored.path_relative)


@pytest.mark.parametrize("raw", [b"\xff\xd8\xff raw bytes", np.zeros((4, 4, 3), np.uint8), bytearray(b"x")])
def test_only_anonymised_snapshots_are_accepted(store: EvidenceStore, raw: object) -> None:
    with pytest.raises(NotAnonymised):
        store.write("cam", TS, "alert", raw)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.write_latest("cam", raw)  # type: ignore[arg-type]
    assert store.list_files(include_latest=True) == []


@pytest.mark.parametrize(
    ("camera_id", "kind", "ts", "message"),
    [
        ("../etc", "alert", TS, "camera_id"),
        ("Cam", "alert", TS, "camera_id"),
        ("cam", "a/b", TS, "kind"),
        ("cam", "", TS, "kind"),
        ("latest", "alert", TS, "reserved"),
        ("cam", "alert", datetime(2026, 11, 23), "timezone-aware"),
    ],
)
def test_invalid_names_and_times_are_refused(
    store: EvidenceStore, camera_id: str, kind: str, ts: datetime, message: str
) -> None:
    with pytest.raises(EvidenceError, match=message):
        store.write(camera_id, ts, kind, jpeg())


@pytest.mark.parametrize("path", ["../outside.jpg", "/etc/passwd", "cam/../../x.jpg", ""])
def test_paths_outside_the_root_are_refused(store: EvidenceStore, path: str) -> None:
    with pytest.raises(EvidenceError, match="inside the evidence store"):
        store.read(path, "0" * 64)
    with pytest.raises(EvidenceError, match="inside the evidence store"):
        store.delete(path)


def test_latest_is_replaced_in_place(store: EvidenceStore) -> None:
    first, second = jpeg(10), jpeg(200)
    assert store.write_latest("cam-a", first) == "latest/cam-a.jpg"
    store.write_latest("cam-b", first)
    store.write_latest("cam-a", second)
    files = sorted(p.name for p in (store.root / "latest").iterdir())
    assert files == ["cam-a.jpg", "cam-b.jpg"]
    assert store.latest_path("cam-a").read_bytes() == second.data
    assert store.list_files() == []
    assert store.list_files(include_latest=True) == ["latest/cam-a.jpg", "latest/cam-b.jpg"]


def test_a_failed_write_leaves_no_temp_file_and_the_old_latest(
    store: EvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = jpeg(10)
    store.write_latest("cam", old)

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(EvidenceError, match="No space left"):
        store.write_latest("cam", jpeg(200))
    with pytest.raises(EvidenceError, match="No space left"):
        store.write("cam", TS, "alert", jpeg(200))
    monkeypatch.undo()
    assert temp_files(store.root) == []
    assert store.latest_path("cam").read_bytes() == old.data
    assert store.list_files() == []


def test_delete_removes_the_file_and_empty_folders(store: EvidenceStore) -> None:
    a = store.write("cam", TS, "alert", jpeg())
    b = store.write("cam", TS + timedelta(days=1), "alert", jpeg())
    assert store.delete(a.path_relative) is True
    assert store.delete(a.path_relative) is False
    assert not (store.root / "cam/2026/11/23").exists()
    assert (store.root / "cam/2026/11/24").is_dir()
    assert store.list_files() == [b.path_relative]
    store.delete(b.path_relative)
    assert store.list_files() == []
    assert store.root.is_dir()
    # a new write after its folders were removed works
    assert store.read(store.write("cam", TS, "alert", jpeg())) == jpeg().data


def test_list_files_shows_leftover_temp_files(store: EvidenceStore) -> None:
    stored = store.write("cam", TS, "alert", jpeg())
    leftover = store.root / "cam/2026/11/23/.tmp-crashed.part"
    leftover.write_bytes(b"half")
    assert store.list_files() == sorted([stored.path_relative, "cam/2026/11/23/.tmp-crashed.part"])
    assert EvidenceStore(store.root / "nothing-yet").list_files() == []

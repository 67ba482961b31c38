"""write_events: idempotent inserts of camera online/offline transitions, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cvmon.errors import StorageError
from cvmon.storage import Database
from cvmon.storage.events import CameraEventRepository
from cvmon.storage.minutes import MinuteRepository
from cvmon.types import SourceEvent, SourceEventKind
from tests.storage.conftest import MINUTE, make_camera_minute

T0 = datetime(2024, 3, 4, 2, 30, 12, 345678, tzinfo=UTC)


def _events() -> list[SourceEvent]:
    return [
        SourceEvent("cam-hall", SourceEventKind.OFFLINE, T0, "read timeout after 5 s"),
        SourceEvent("cam-hall", SourceEventKind.ONLINE, T0 + timedelta(seconds=40)),
        SourceEvent("cam-door", SourceEventKind.ONLINE, T0),
    ]


def test_events_are_stored_once(synced: Database) -> None:
    assert CameraEventRepository(synced).write_events(_events()) == 3
    assert CameraEventRepository(synced).write_events(_events()) == 0
    assert CameraEventRepository(synced).write_events([*_events(), _events()[0]]) == 0
    assert synced.count_rows()["camera_events"] == 3
    assert CameraEventRepository(synced).events() == sorted(_events(), key=lambda e: (e.camera_id, e.ts))


def test_new_events_next_to_old_ones_are_added(synced: Database) -> None:
    CameraEventRepository(synced).write_events(_events()[:1])
    later = SourceEvent("cam-hall", SourceEventKind.OFFLINE, T0 + timedelta(minutes=5), "stream ended")
    assert CameraEventRepository(synced).write_events([*_events(), later]) == 3
    assert [e.ts for e in CameraEventRepository(synced).events("cam-hall")] == [
        T0,
        T0 + timedelta(seconds=40),
        later.ts,
    ]


def test_event_times_round_trip_as_aware_utc(synced: Database) -> None:
    wita = timezone(timedelta(hours=8))
    CameraEventRepository(synced).write_events(
        [SourceEvent("cam-door", SourceEventKind.OFFLINE, T0.astimezone(wita), "eof")]
    )
    [event] = CameraEventRepository(synced).events("cam-door")
    assert event.ts == T0
    assert event.ts.utcoffset() == timedelta(0)
    assert event.ts.microsecond == 345678
    assert event.kind is SourceEventKind.OFFLINE
    assert (
        CameraEventRepository(synced).write_events([SourceEvent("cam-door", SourceEventKind.OFFLINE, T0, "eof")]) == 0
    )


def test_event_of_an_unknown_camera_writes_nothing(synced: Database) -> None:
    with pytest.raises(StorageError, match="cannot write camera events"):
        CameraEventRepository(synced).write_events(
            [*_events(), SourceEvent("no-such-camera", SourceEventKind.ONLINE, T0)]
        )
    assert synced.count_rows()["camera_events"] == 0


def test_naive_event_time_is_refused(synced: Database) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CameraEventRepository(synced).write_events(
            [SourceEvent("cam-hall", SourceEventKind.ONLINE, datetime(2024, 3, 4))]
        )


def test_resume_point_is_where_a_lost_workers_data_ends(synced: Database) -> None:
    """A worker that was lost (no offline event after its online one) left data up to its last
    stored frame; a camera that dropped, or a worker that stopped, left an offline event: no gap."""
    cam = "cam-hall"
    assert CameraEventRepository(synced).resume_point(cam) is None  # never ran
    online = MINUTE + timedelta(seconds=5)
    CameraEventRepository(synced).write_events([SourceEvent(cam, SourceEventKind.ONLINE, online)])
    assert CameraEventRepository(synced).resume_point(cam) == online + timedelta(
        milliseconds=1
    )  # nothing stored after it
    MinuteRepository(synced).write_minutes(
        [], [make_camera_minute(cam, MINUTE, t_first_s=5.0, t_last_s=59.8)], source="test"
    )
    MinuteRepository(synced).write_minutes(
        [], [make_camera_minute(cam, MINUTE + timedelta(minutes=1), t_first_s=0.0, t_last_s=20.4)], source="test"
    )
    assert CameraEventRepository(synced).resume_point(cam) == MINUTE + timedelta(minutes=1, seconds=20.4)
    CameraEventRepository(synced).write_events(
        [SourceEvent(cam, SourceEventKind.OFFLINE, MINUTE + timedelta(minutes=1, seconds=21), "x")]
    )
    assert CameraEventRepository(synced).resume_point(cam) is None

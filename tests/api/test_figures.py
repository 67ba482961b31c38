"""Cameras with live status, current zone figures and time series per minute, hour and local day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cvmon.histogram import DurationHistogram
from cvmon.storage.minutes import MinuteRepository
from cvmon.storage.models import HourlyStatRecord
from tests.api.conftest import T0, Api, sqlite_only
from tests.storage.conftest import make_camera_minute


def test_cameras_with_live_status(api: Api) -> None:
    admin, _ = api.login("admin")
    cameras = {c["id"]: c for c in admin.get("/api/cameras").json()}
    assert cameras["cam-a"] == {
        "id": "cam-a",
        "unit_id": "ulp-ampenan",
        "name": "Ruang tunggu Ampenan",
        "source_kind": "rtsp",
        "analysis_fps": 5.0,
        "status": "online",
        "status_since": "2026-11-23T01:00:00Z",
        "last_frame_at": "2026-11-23T01:02:59.800000Z",
        "last_minute": "2026-11-23T01:02:00Z",
        "frames_last_minute": 298,
        "analysed_fps": 4.97,
        "inference_ms": round(7200 / 298, 2),
        "detector_share": 1.0,
    }
    assert (cameras["cam-b"]["status"], cameras["cam-b"]["status_since"]) == ("offline", "2026-11-23T01:05:00Z")
    assert cameras["cam-c"]["status"] == "unknown"
    assert cameras["cam-c"]["last_frame_at"] is None
    assert "source" not in cameras["cam-a"]
    assert cameras["cam-c"]["inference_ms"] is None  # no minute with frames


def test_cameras_show_the_mean_inference_time_of_the_latest_minute(api: Api) -> None:
    latest = T0 + timedelta(minutes=2)
    MinuteRepository(api.seeded.db).write_minutes(
        [],
        [
            make_camera_minute("cam-a", latest, frames_analysed=298, inference_ms_sum=3725.0, inference_ms_max=30.0),
            make_camera_minute("cam-b", latest, inference_ms_sum=0.0, inference_ms_max=0.0),  # not measured
        ],
        source="test",
    )
    admin, _ = api.login("admin")
    cameras = {c["id"]: c for c in admin.get("/api/cameras").json()}
    assert {cam: cameras[cam]["inference_ms"] for cam in cameras} == {"cam-a": 12.5, "cam-b": None, "cam-c": None}
    assert cameras["cam-b"]["frames_last_minute"] == 300


def test_cameras_show_the_share_of_frames_the_detector_ran_on(api: Api) -> None:
    """With motion gating the detector skips still frames: its mean time is over the frames it ran on."""
    latest = T0 + timedelta(minutes=2)
    gated = make_camera_minute("cam-a", latest, frames_analysed=300, frames_detected=120, inference_ms_sum=1200.0)
    MinuteRepository(api.seeded.db).write_minutes([], [gated], source="test")
    admin, _ = api.login("admin")
    cam = next(c for c in admin.get("/api/cameras").json() if c["id"] == "cam-a")
    assert (cam["inference_ms"], cam["detector_share"], cam["frames_last_minute"]) == (10.0, 0.4, 300)


def test_current_zone_figures(api: Api) -> None:
    client, _ = api.login("pic-a")
    body = client.get("/api/cameras/cam-a/zones/current").json()
    assert (body["camera_id"], body["unit_id"]) == ("cam-a", "ulp-ampenan")
    zones = {z["zone_id"]: z for z in body["zones"]}
    queue = zones["queue-a"]
    assert queue["minute"] == "2026-11-23T01:02:00Z"
    assert (queue["count_mean"], queue["count_max"], queue["occupancy"], queue["visits"]) == (4.0, 5, 0.5, 2)
    assert (queue["wait_p50_s"], queue["wait_p90_s"], queue["staffed_ratio"]) == (47.5, 53.2, None)
    staff = zones["staff-a"]
    assert (staff["kind"], staff["staffed_ratio"], staff["wait_p50_s"]) == ("counter_staff", 0.75, None)
    assert staff["points"] == [[0.6, 0.0], [0.9, 0.0], [0.9, 0.4]]
    assert client.get("/api/cameras/cam-b/zones/current").status_code == 404
    manager, _ = api.login("manager")
    (zone_b,) = manager.get("/api/cameras/cam-b/zones/current").json()["zones"]
    assert zone_b["minute"] == "2026-11-23T01:02:00Z"


def _hourly(zone_id: str, hour_offset: int, **values: Any) -> HourlyStatRecord:
    figures: dict[str, Any] = {
        "zone_kind": "queue",
        "minutes": 60,
        "samples": 18000,
        "count_sum": 18000,
        "count_max": 2,
        "seconds_observed": 3600.0,
        "seconds_staffed": 0.0,
        "seconds_offline": 0.0,
        "seconds_over_capacity": 0.0,
        "visits": 10,
        "visit_seconds_sum": 100.0,
        "visit_hist": DurationHistogram.of([12.0] * 10).to_json(),
        "final": True,
    }
    figures.update(values)
    return HourlyStatRecord(camera_id="cam-a", zone_id=zone_id, hour=T0 + timedelta(hours=hour_offset), **figures)


def test_series_per_minute_hour_and_day_from_minute_rows_and_hourly_rollups(api: Api) -> None:
    with api.seeded.db.transaction("test", write=True) as session:
        session.add(_hourly("queue-a", -1))  # minute rows deleted: the roll-up counts
        session.add(_hourly("queue-a", 0, count_sum=10**6, count_max=99))  # minute rows present: ignored
    client, _ = api.login("pic-a")
    period = "from=2026-11-22T23:00:00Z&to=2026-11-23T03:00:00Z"

    minutes = client.get(f"/api/series?camera=cam-a&zone=queue-a&{period}&resolution=minute").json()
    assert (minutes["from"], minutes["to"], minutes["timezone"]) == (
        "2026-11-22T23:00:00Z",
        "2026-11-23T03:00:00Z",
        "Asia/Makassar",
    )
    (queue,) = minutes["zones"]
    assert [(p["t"], p["count_mean"], p["count_max"]) for p in queue["points"]] == [
        ("2026-11-23T01:00:00Z", 2.0, 3),
        ("2026-11-23T01:01:00Z", 3.0, 4),
        ("2026-11-23T01:02:00Z", 4.0, 5),
    ]

    hours = client.get(f"/api/series?camera=cam-a&zone=queue-a&{period}&resolution=hour").json()
    old, recent = hours["zones"][0]["points"]
    assert (old["t"], old["minutes"], old["count_mean"], old["count_max"], old["visits"]) == (
        "2026-11-23T00:00:00Z",
        60,
        1.0,
        2,
        10,
    )
    assert (old["wait_p50_s"], old["occupancy"]) == (pytest.approx(12.0, rel=0.02), 0.125)
    assert (recent["t"], recent["minutes"], recent["count_mean"], recent["count_max"], recent["visits"]) == (
        "2026-11-23T01:00:00Z",
        3,
        3.0,
        5,
        6,
    )
    assert (recent["wait_p50_s"], recent["wait_p90_s"]) == (47.5, pytest.approx(55.0, rel=0.02))  # 40, 40, 55, 55

    days = client.get(f"/api/series?camera=cam-a&{period}&resolution=day").json()
    by_zone = {z["zone_id"]: z["points"] for z in days["zones"]}
    (day,) = by_zone["queue-a"]
    assert (day["t"], day["minutes"], day["count_max"], day["visits"]) == ("2026-11-23T00:00:00+08:00", 63, 5, 16)
    assert day["count_mean"] == round((18000 + 300 * (2 + 3 + 4)) / (18000 + 900), 3)
    (staff_day,) = by_zone["staff-a"]
    assert (staff_day["staffed_ratio"], staff_day["wait_p50_s"]) == (0.75, None)


@sqlite_only
def test_series_checks_its_arguments(api: Api) -> None:
    client, _ = api.login("manager")
    assert client.get("/api/series?camera=cam-c").status_code == 404
    assert client.get("/api/series?camera=cam-a&zone=nowhere").status_code == 404
    assert client.get("/api/series").status_code == 422
    assert client.get("/api/series?camera=cam-a&resolution=week").status_code == 422
    naive = client.get("/api/series?camera=cam-a&from=2026-11-23T00:00:00")
    assert naive.status_code == 422
    assert "UTC offset" in naive.json()["detail"]
    backwards = client.get("/api/series?camera=cam-a&from=2026-11-23T02:00:00Z&to=2026-11-23T01:00:00Z")
    assert backwards.status_code == 422
    too_long = client.get(
        "/api/series?camera=cam-a&resolution=minute&from=2026-11-01T00:00:00Z&to=2026-11-23T00:00:00Z"
    )
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == "at most 3 days at minute resolution"
    default = client.get("/api/series?camera=cam-a").json()
    assert (default["resolution"], default["from"], default["to"]) == (
        "hour",
        "2026-11-22T03:00:00Z",
        "2026-11-23T03:00:00Z",
    )
    assert [len(z["points"]) for z in default["zones"]] == [1, 1]


def test_series_and_zones_refuse_times_out_of_range_and_nul_characters(api: Api) -> None:
    """Found while fuzzing: 'to' in year 1 overflowed the default 'from' (500), times that overflow in
    the UTC conversion were 503, and a NUL in a camera or zone id could not be compared on PostgreSQL (503)."""
    client, _ = api.login("admin")
    out_of_range = "must lie from 1970-01-01 to before 9999-01-01 (UTC)"
    for query, detail in (
        ("camera=cam-a&to=0001-01-01T01:00:00Z", f"'to' {out_of_range}"),
        ("camera=cam-a&from=0001-01-01T00:00:00%2B10:00&to=0001-01-01T10:00:00%2B10:00", f"'to' {out_of_range}"),
        ("camera=cam-a&from=9999-12-31T00:00:00-10:00&to=9999-12-31T23:59:59-10:00", f"'to' {out_of_range}"),
        ("camera=cam-a&from=1969-12-31T00:00:00Z&to=1970-01-01T01:00:00Z", f"'from' {out_of_range}"),
        ("camera=cam%00a", "the URL may not contain NUL characters"),
        ("camera=cam-a&zone=queue%00a", "the URL may not contain NUL characters"),
    ):
        response = client.get(f"/api/series?{query}")
        assert (response.status_code, response.json()) == (422, {"detail": detail}), query
    assert client.get("/api/series?camera=cam-a&from=1970-01-01T00:00:00Z&to=1970-01-01T01:00:00Z").status_code == 200
    zones = client.get("/api/cameras/cam%00a/zones/current")
    assert (zones.status_code, zones.json()) == (422, {"detail": "the URL may not contain NUL characters"})

"""/metrics: Prometheus text for the operations token only."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from cvmon.server import create_app
from cvmon.storage.minutes import MinuteRepository
from tests.api.conftest import FAST_PASSWORDS, METRICS_TOKEN, T0, Api, make_settings, sqlite_only
from tests.storage.conftest import make_camera_minute


@sqlite_only
def test_metrics_need_the_bearer_token(api: Api) -> None:
    client = api.client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {METRICS_TOKEN}"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    admin, _ = api.login("admin")
    assert admin.get("/metrics").status_code == 401  # a session is not the operations token
    unconfigured = create_app(
        make_settings(metrics_token=None),
        database=api.seeded.db,
        evidence_dir=api.seeded.evidence_root,
        passwords=FAST_PASSWORDS,
    )
    client = TestClient(unconfigured, base_url="https://testserver")
    for headers in ({"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
        assert client.get("/metrics", headers=headers).status_code == 401


def test_metrics_text(api: Api) -> None:
    api.clock.now = T0 + timedelta(minutes=4)  # the latest minute with frames is 01:02
    response = api.client().get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    lines = response.text.splitlines()
    assert "# TYPE cvmon_cameras gauge" in lines
    samples = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in lines if not line.startswith("#")}
    assert samples == {
        'cvmon_cameras{status="online"}': 1,
        'cvmon_cameras{status="offline"}': 1,
        'cvmon_cameras{status="unknown"}': 1,
        'cvmon_camera_online{camera="cam-a",unit="ulp-ampenan"}': 1,
        'cvmon_camera_online{camera="cam-c",unit="ulp-bima"}': 0,
        'cvmon_camera_online{camera="cam-b",unit="ulp-cakra"}': 0,
        'cvmon_camera_analysed_fps{camera="cam-a",unit="ulp-ampenan"}': round(298 / 60, 3),
        'cvmon_camera_analysed_fps{camera="cam-c",unit="ulp-bima"}': 0,
        'cvmon_camera_analysed_fps{camera="cam-b",unit="ulp-cakra"}': 0,
        'cvmon_camera_inference_ms{camera="cam-a",unit="ulp-ampenan"}': round(7200 / 298, 3),
        'cvmon_camera_last_frame_timestamp_seconds{camera="cam-a",unit="ulp-ampenan"}': (
            T0 + timedelta(minutes=2, seconds=59.8)
        ).timestamp(),
        'cvmon_open_alerts{unit="uiw-ntb"}': 0,
        'cvmon_open_alerts{unit="ulp-ampenan"}': 1,
        'cvmon_open_alerts{unit="ulp-bima"}': 1,
        'cvmon_open_alerts{unit="ulp-cakra"}': 1,
        'cvmon_open_alerts{unit="up3-bima"}': 0,
        'cvmon_open_alerts{unit="up3-mataram"}': 0,
    }
    api.clock.advance(minutes=2)  # now 01:06: nothing analysed for over 3 minutes
    stale = api.client().get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert 'cvmon_camera_analysed_fps{camera="cam-a",unit="ulp-ampenan"} 0\n' in stale
    assert "# TYPE cvmon_camera_inference_ms gauge\n" in stale
    assert "cvmon_camera_inference_ms{" not in stale  # no latency for a camera that analyses nothing now


def test_metrics_inference_time(api: Api) -> None:
    """The mean over the latest minute's frames; a minute stored before it was measured (0) shows none."""
    latest = T0 + timedelta(minutes=2)
    MinuteRepository(api.seeded.db).write_minutes(
        [],
        [
            make_camera_minute("cam-a", latest, frames_analysed=298, inference_ms_sum=3725.0, inference_ms_max=30.0),
            make_camera_minute("cam-b", latest, inference_ms_sum=0.0, inference_ms_max=0.0),
        ],
        source="test",
    )
    api.clock.now = T0 + timedelta(minutes=4)
    text = api.client().get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert (
        "# HELP cvmon_camera_inference_ms Mean detector inference milliseconds per analysed frame in the "
        "camera's latest minute; absent when that is over 3 minutes old.\n"
    ) in text
    inference = [line for line in text.splitlines() if line.startswith("cvmon_camera_inference_ms{")]
    assert inference == ['cvmon_camera_inference_ms{camera="cam-a",unit="ulp-ampenan"} 12.5']

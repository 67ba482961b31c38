"""Operations figures in the Prometheus text format, open only to the configured bearer token."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from cvmon.api.deps import ContextDep, MetricsAuth, SessionDep
from cvmon.read import queries

router = APIRouter(tags=["metrics"], dependencies=[MetricsAuth])

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
STATUSES = ("online", "offline", "unknown")
# A camera whose latest minute with frames is older than this analyses nothing now: its rate is 0.
FRESH = timedelta(minutes=3)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    """Exactly, as Prometheus reads it: integers without a fraction, other values in full precision."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _family(name: str, help_text: str, samples: list[tuple[dict[str, str], float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        text = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
        lines.append(f"{name}{{{text}}} {_number(value)}" if text else f"{name} {_number(value)}")
    return lines


@router.get("/metrics", response_class=PlainTextResponse, responses={200: {"content": {"text/plain": {}}}})
def metrics(context: ContextDep, session: SessionDep) -> PlainTextResponse:
    """Cameras online, analysed frames per second, detector inference time, last analysed frame and
    open alerts per unit, for every unit (``Authorization: Bearer <CVMON_METRICS_TOKEN>``)."""
    now = context.clock()
    units = queries.all_unit_ids(session)
    cameras = queries.camera_statuses(session, units)
    open_alerts = queries.open_alerts_per_unit(session, units)
    lines = _family(
        "cvmon_cameras",
        "Cameras by live status (their latest online/offline event; unknown: none yet).",
        [({"status": s}, sum(1 for c in cameras if c.status == s)) for s in STATUSES],
    )
    lines += _family(
        "cvmon_camera_online",
        "1 when the camera's latest event says online.",
        [({"camera": c.id, "unit": c.unit_id}, 1.0 if c.status == "online" else 0.0) for c in cameras],
    )
    fps, inference, last_frame = [], [], []
    for c in cameras:
        labels = {"camera": c.id, "unit": c.unit_id}
        fresh = c.last_minute is not None and c.last_minute >= now - FRESH
        seconds = c.seconds_online_last_minute
        rate = c.frames_last_minute / seconds if fresh and c.frames_last_minute is not None and seconds else 0.0
        fps.append((labels, round(rate, 3)))
        if fresh and c.inference_ms_last_minute is not None:
            inference.append((labels, round(c.inference_ms_last_minute, 3)))
        if c.last_frame_at is not None:
            last_frame.append((labels, round(c.last_frame_at.timestamp(), 3)))
    lines += _family(
        "cvmon_camera_analysed_fps",
        "Frames analysed per online second in the camera's latest minute, 0 when that is over 3 minutes old.",
        fps,
    )
    lines += _family(
        "cvmon_camera_inference_ms",
        "Mean detector inference milliseconds per analysed frame in the camera's latest minute; "
        "absent when that is over 3 minutes old.",
        inference,
    )
    lines += _family(
        "cvmon_camera_last_frame_timestamp_seconds", "Unix time of the camera's last analysed frame stored.", last_frame
    )
    lines += _family(
        "cvmon_open_alerts",
        "Alerts not resolved yet, per unit.",
        [({"unit": unit}, float(n)) for unit, n in open_alerts.items()],
    )
    return PlainTextResponse("\n".join(lines) + "\n", media_type=CONTENT_TYPE)

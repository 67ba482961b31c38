"""`cvmon run` end to end with a webhook: the camera worker opens an alert, the housekeeping thread
delivers it to a real receiver, signed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from cvmon.notify import verify_signature
from tests.cli.test_alerts_cli import cvmon, processed  # noqa: F401
from tests.notify.http_receiver import Receiver


def test_run_delivers_alert_notifications(processed: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    receiver = Receiver()
    receiver.start()
    try:
        db = tmp_path / "run.db"
        env = {
            **processed,
            "CVMON_DATABASE_URL": f"sqlite:///{db}",
            "CVMON_WEBHOOK_URL": receiver.url,
            "CVMON_WEBHOOK_SECRET": "hush",
        }
        env.pop("CVMON_MQTT_URL", None)
        result = cvmon(["run", str(tmp_path / "cameras.yaml")], env)
        assert result.returncode == 0, result.stderr
        requests = receiver.wait_for(2, timeout_s=20)
    finally:
        receiver.close()
    events = []
    for request in requests:
        assert verify_signature(request.body, request.headers["X-Cvmon-Signature"], "hush")
        body = json.loads(request.body)
        events.append((body["topic"], body["payload"]["event"], body["payload"]["rule"]))
    assert sorted(events) == [
        ("cvmon/ulp-ampenan/hall/alerts", "alert.cleared", "queue_long"),
        ("cvmon/ulp-ampenan/hall/alerts", "alert.opened", "queue_long"),
    ]
    with sqlite3.connect(db) as conn:
        statuses = conn.execute("select status, count(*) from outbox group by status").fetchall()
    assert statuses == [("delivered", 2)]
    assert "Traceback" not in result.stderr

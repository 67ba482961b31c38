"""Alert notifications: openings and clearings reach a real webhook receiver, signed; alerts nobody
acknowledges are escalated to the parent unit once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cvmon.alerts.notifications import AlertNotifier
from cvmon.notify import Dispatcher, NotifySettings, Outbox, make_senders, verify_signature
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.config_history import sync_config
from cvmon.storage.database import Database
from tests.alerts.test_alerts_pipeline import run, scene  # noqa: F401
from tests.conftest import T0
from tests.notify.http_receiver import Receiver

SECRET = "s3cret-for-tests"
LATER = datetime.now(UTC) + timedelta(hours=1)  # messages are enqueued at the real time


@pytest.fixture
def receiver() -> Any:
    r = Receiver()
    r.start()
    yield r
    r.close()


@pytest.fixture
def webhook_env(monkeypatch: pytest.MonkeyPatch, receiver: Receiver) -> NotifySettings:
    monkeypatch.setenv("CVMON_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("CVMON_WEBHOOK_SECRET", SECRET)
    monkeypatch.delenv("CVMON_MQTT_URL", raising=False)
    return NotifySettings()


def test_openings_and_clearings_are_delivered_signed(
    scene: Any,  # noqa: F811
    database: Database,
    tmp_path: Path,
    receiver: Receiver,
    webhook_env: NotifySettings,
) -> None:
    run(scene, database, tmp_path / "evidence")
    outbox = Outbox(database)
    assert outbox.pending_count("webhook") == 6  # three alerts, each opened and cleared
    run(scene, database, tmp_path / "evidence")
    assert outbox.pending_count("webhook") == 6  # re-processing the recording notifies nobody twice
    dispatcher = Dispatcher(outbox, make_senders(webhook_env), webhook_env, clock=lambda: LATER)
    assert dispatcher.run_once().total_delivered == 6
    requests = receiver.wait_for(6)
    events = []
    for request in requests:
        assert verify_signature(request.body, request.headers["X-Cvmon-Signature"], SECRET)
        body = json.loads(request.body)
        assert body["topic"] == "cvmon/ulp-a/cam/alerts"
        events.append((body["payload"]["rule"], body["payload"]["event"]))
    assert sorted(events) == sorted(
        (rule, event)
        for rule in ("queue_long", "long_wait", "counter_unstaffed")
        for event in ("alert.opened", "alert.cleared")
    )
    assert outbox.pending_count() == 0


def test_unacknowledged_alerts_escalate_once_to_the_parent_unit(
    scene: Any,  # noqa: F811
    database: Database,
    tmp_path: Path,
    webhook_env: NotifySettings,
) -> None:
    config = scene.model_copy(
        update={
            "units": [
                scene.units[0].model_copy(update={"id": "up3-m", "name": "UP3", "level": "up3"}),
                scene.units[0].model_copy(update={"parent": "up3-m"}),
            ]
        }
    )
    sync_config(database, config)
    run(config, database, tmp_path / "evidence")
    repo = AlertRepository(database)
    acked = repo.find()[0]
    repo.acknowledge(acked.id, "pic", T0 + timedelta(minutes=2))
    notifier = AlertNotifier(database, webhook_env, config)
    before = Outbox(database).pending_count()
    too_early = notifier.escalate(T0 + timedelta(minutes=5))  # 900 s not yet passed
    assert too_early == []
    escalated = notifier.escalate(T0 + timedelta(minutes=20))
    assert sorted(a.id for a in escalated) == sorted(a.id for a in repo.find() if a.id != acked.id)
    assert all(a.escalated_at == T0 + timedelta(minutes=20) for a in escalated)
    assert notifier.escalate(T0 + timedelta(minutes=40)) == []  # once only
    due = Outbox(database).due("webhook", LATER, limit=100)
    escalations = [m for m in due if m.payload["event"] == "alert.escalated"]
    assert len(escalations) == len(escalated) == Outbox(database).pending_count() - before
    assert {m.topic for m in escalations} == {"cvmon/up3-m/cam/alerts"}

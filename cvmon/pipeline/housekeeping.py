"""Jobs that `cvmon run` keeps going beside the camera workers: delivering notifications,
escalating unacknowledged alerts and applying the retention policy."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cvmon.alerts.notifications import AlertNotifier
from cvmon.config.models import Config
from cvmon.errors import CvmonError
from cvmon.notify import Dispatcher, NotifySettings, Outbox, make_senders
from cvmon.storage.database import Database

log = logging.getLogger(__name__)
RetentionJob = Callable[[datetime], object]


class Housekeeper:
    """Runs each job at its own interval in one background thread until stopped."""

    def __init__(
        self,
        db: Database,
        config: Config,
        notify: NotifySettings,
        evidence_dir: Path,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        escalate_every_s: float = 30.0,
    ) -> None:
        self.clock = clock
        self.db = db
        self.evidence_dir = evidence_dir
        self.escalate_every_s = escalate_every_s
        self.notifier = AlertNotifier(db, notify, config, clock)
        senders = make_senders(notify)
        self.dispatcher = Dispatcher(Outbox(db), senders, notify, clock) if senders else None
        self.set_config(config)

    def set_config(self, config: Config) -> None:
        """Use ``config`` (alert rules, retention) from each job's next round on; `cvmon run` calls it on a reload."""
        self.notifier.config = config
        self.retention = _retention_job(self.db, config, self.evidence_dir)
        jobs: list[tuple[str, float, Callable[[], object]]] = [
            ("escalation", self.escalate_every_s, lambda: self.notifier.escalate(self.clock())),
            ("retention", config.retention.run_every_min * 60.0, lambda: self.retention(self.clock())),
        ]
        if self.dispatcher is not None:
            jobs.insert(0, ("notifications", 1.0, self.dispatcher.run_once))
        self.jobs = jobs  # one assignment: the running thread sees the old list or the new one

    def run(self, stop: threading.Event) -> None:
        last: dict[str, float] = {}
        while not stop.is_set():
            now = time.monotonic()
            for name, every_s, job in self.jobs:
                if now - last.get(name, -1e18) >= every_s:
                    last[name] = now
                    try:
                        job()
                    except CvmonError as err:
                        log.warning("%s failed: %s", name, err)
            stop.wait(0.5)

    def start(self, stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), name="cvmon-housekeeping", daemon=True)
        thread.start()
        return thread


def _retention_job(db: Database, config: Config, evidence_dir: Path) -> RetentionJob:
    from cvmon.storage.evidence_files import EvidenceStore
    from cvmon.storage.retention import run_retention

    store = EvidenceStore(evidence_dir)
    return lambda now: run_retention(db, store, config.retention, now)

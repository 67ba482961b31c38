"""The database work of `cvmon run` itself: storing the configuration and running the housekeeper.

The cameras never wait for it. When the database is unreachable as `cvmon run` starts, or when an
edited configuration cannot be stored, the cameras run on (their rows wait in their spools) and
this keeps trying every ``retry_s`` seconds in a thread of its own: the database is opened (and
migrated), the configuration in force stored, and the housekeeper started.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from cvmon.config import Config
from cvmon.errors import StorageError
from cvmon.logs import ON_STDOUT
from cvmon.notify import NotifySettings
from cvmon.pipeline.housekeeping import Housekeeper
from cvmon.storage.config_history import sync_config
from cvmon.storage.database import Database, open_database

log = logging.getLogger(__name__)


class RunBookkeeping:
    """The run's database, configuration storage and housekeeper, (re)tried until they work."""

    def __init__(
        self, database_url: str, config: Config, notify: NotifySettings, evidence_dir: Path, retry_s: float = 5.0
    ) -> None:
        self.database_url = database_url
        self.notify = notify
        self.evidence_dir = evidence_dir
        self.retry_s = retry_s
        self.db: Database | None = None
        self.housekeeper: Housekeeper | None = None
        self._config = config
        self._stored: Config | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._housekeeping: threading.Thread | None = None
        self._said_down = False
        self._thread = threading.Thread(target=self._retry, name="cvmon-bookkeeping", daemon=True)

    def start(self) -> RunBookkeeping:
        """Try once now; go on trying in the background if the database did not answer."""
        if not self.attempt():
            self._thread.start()
        return self

    @property
    def ready(self) -> bool:
        """The database is open and holds the configuration in force."""
        return self.db is not None and self._stored is self._config

    def set_config(self, config: Config) -> None:
        """Use ``config`` from now on: stored at once if possible, else as soon as the database answers."""
        with self._lock:
            self._config = config
            if self.housekeeper is not None:
                self.housekeeper.set_config(config)
        if not self.attempt() and not self._thread.is_alive() and not self._stop.is_set():
            self._thread = threading.Thread(target=self._retry, name="cvmon-bookkeeping", daemon=True)
            self._thread.start()

    def attempt(self) -> bool:
        """Open the database, store the configuration and start the housekeeper, as far as still needed."""
        with self._lock:
            try:
                if self.db is None:
                    self.db = open_database(self.database_url)
                if self._stored is not self._config:
                    sync_config(self.db, self._config)
                    self._stored = self._config
            except StorageError as err:
                if not self._said_down:
                    log.warning(
                        "cvmon: database unreachable (%s); the cameras run on and spool, retrying every %g s",
                        err,
                        self.retry_s,
                        extra=ON_STDOUT,
                    )
                    self._said_down = True
                return False
            if self.housekeeper is None:
                self.housekeeper = Housekeeper(self.db, self._config, self.notify, self.evidence_dir)
                self._housekeeping = self.housekeeper.start(self._stop)
            if self._said_down:
                log.info("cvmon: database reachable again; configuration stored")
                self._said_down = False
            return True

    def _retry(self) -> None:
        while not self._stop.wait(self.retry_s):
            if self.attempt():
                return

    def close(self) -> None:
        """Stop retrying and housekeeping; one last delivery round for what the workers just enqueued."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if self._housekeeping is not None:
            self._housekeeping.join(timeout=10)
        if self.housekeeper is not None and self.housekeeper.dispatcher is not None:
            try:
                self.housekeeper.dispatcher.run_once()
            except StorageError as err:
                log.warning("last delivery round failed: %s", err)
        if self.db is not None:
            self.db.close()

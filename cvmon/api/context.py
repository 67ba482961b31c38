"""What every request of one app shares: settings, database, repositories, clock and token keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cvmon.api.security import Clock, Tokens
from cvmon.api.settings import ApiSettings
from cvmon.api.throttle import LoginThrottle
from cvmon.config.models import Config
from cvmon.storage.alerts import AlertRepository
from cvmon.storage.audit import AuditRepository, ChainReport
from cvmon.storage.database import Database
from cvmon.storage.evidence import EvidenceRepository
from cvmon.storage.users import UserRepository


@dataclass(slots=True)
class ApiContext:
    """Shared by every request; ``config`` is replaced when an admin saves cameras.yaml from the viewer."""

    settings: ApiSettings
    db: Database
    clock: Clock
    tokens: Tokens
    cookie_name: str
    users: UserRepository
    audit: AuditRepository
    alerts: AlertRepository
    evidence: EvidenceRepository
    throttle: LoginThrottle
    config: Config | None = None
    chain_checked: tuple[datetime, ChainReport] | None = None  # the latest check of the audit chain

    def audit_chain(self, max_age: timedelta = timedelta(minutes=1)) -> tuple[datetime, ChainReport]:
        """The audit chain checked now, or the result of a check less than ``max_age`` ago."""
        now = self.clock()
        if self.chain_checked is None or not now - max_age <= self.chain_checked[0] <= now:
            self.chain_checked = (now, self.audit.verify())
        return self.chain_checked

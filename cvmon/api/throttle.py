"""Login throttling: too many failed logins of one username or from one address lock it out for a while.

Failures are read back from the audit log, so the count survives restarts and is shared by every
server process. Attempts refused during a lock-out are audited as ``login.locked``, not as
failures, so hammering a locked account does not extend its lock-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cvmon.storage.audit import AuditRepository


@dataclass(frozen=True, slots=True)
class Lockout:
    until: datetime
    by: str  # "username" or "address"


def lock_end(failures: Sequence[datetime], max_failures: int, window: timedelta, lockout: timedelta) -> datetime | None:
    """When the latest lock-out that ``failures`` (oldest first) cause ends: each run of ``max_failures``
    failures within ``window`` locks for ``lockout`` from its last failure. None when nothing locks."""
    end = None
    for i in range(max_failures - 1, len(failures)):
        if failures[i] - failures[i - max_failures + 1] <= window:
            end = failures[i] + lockout
    return end


class LoginThrottle:
    """Decides whether a login attempt is locked out, per username and per client address."""

    def __init__(
        self,
        audit: AuditRepository,
        *,
        max_per_user: int,
        max_per_address: int,
        window: timedelta,
        lockout: timedelta,
    ) -> None:
        self.audit = audit
        self.max_per_user = max_per_user
        self.max_per_address = max_per_address
        self.window = window
        self.lockout = lockout

    def locked(self, target: str, client_addr: str | None, now: datetime) -> Lockout | None:
        """The lock-out in force for this username (``user:<name>``) or address, the longer one if both."""
        since = now - self.window - self.lockout
        found: list[Lockout] = []
        end = lock_end(self.audit.login_failures(since, target=target), self.max_per_user, self.window, self.lockout)
        if end is not None and end > now:
            found.append(Lockout(end, "username"))
        if client_addr is not None:
            failures = self.audit.login_failures(since, client_addr=client_addr)
            end = lock_end(failures, self.max_per_address, self.window, self.lockout)
            if end is not None and end > now:
                found.append(Lockout(end, "address"))
        return max(found, key=lambda lock: lock.until, default=None)

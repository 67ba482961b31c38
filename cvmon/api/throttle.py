"""Login throttling: too many failed logins lock a username out for a while, per client address.

Three counts, each over a sliding window, each locking for the lock-out period from its last failure:

- one username from one client address (``login_max_failures``, 5): that address may not try that
  username for a while; the user still signs in from anywhere else, so nobody can lock a known user
  out by typing wrong passwords from their own machine;
- one client address, any usernames (``login_max_failures_per_address``, 20): password spraying;
- one username from any addresses (``login_max_failures_per_username``, 50): guessing spread over
  many addresses (at most ``login_max_failures`` from each before that pair is locked).

Failures are read back from the audit log, so the counts survive restarts and are shared by every
server process. A successful login of the username, or an admin lifting its lock-out
(``login.unlock``), starts its counts again. Attempts refused during a lock-out are audited as
``login.locked``, not as failures, so hammering a locked account does not extend its lock-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cvmon.storage.audit import AuditRepository


@dataclass(frozen=True, slots=True)
class Lockout:
    until: datetime
    by: str  # "username_address" (this username from this address), "username" (from anywhere) or "address"
    client_addr: str | None = None  # the address locked out (username_address, address)


def lock_end(failures: Sequence[datetime], max_failures: int, window: timedelta, lockout: timedelta) -> datetime | None:
    """When the latest lock-out that ``failures`` (oldest first) cause ends: each run of ``max_failures``
    failures within ``window`` locks for ``lockout`` from its last failure. None when nothing locks."""
    end = None
    for i in range(max_failures - 1, len(failures)):
        if failures[i] - failures[i - max_failures + 1] <= window:
            end = failures[i] + lockout
    return end


class LoginThrottle:
    """Decides whether a login attempt is locked out, and which lock-outs a username has now."""

    def __init__(
        self,
        audit: AuditRepository,
        *,
        max_per_user: int,
        max_per_address: int,
        max_per_username: int,
        window: timedelta,
        lockout: timedelta,
    ) -> None:
        self.audit = audit
        self.max_per_user = max_per_user
        self.max_per_address = max_per_address
        self.max_per_username = max_per_username
        self.window = window
        self.lockout = lockout

    def _since(self, now: datetime) -> datetime:
        return now - self.window - self.lockout

    def user_lockouts(self, failures: Sequence[tuple[datetime, str | None]], now: datetime) -> list[Lockout]:
        """The lock-outs in force now of one username, from its failures (time, address; oldest first)."""
        found: list[Lockout] = []
        by_address: dict[str | None, list[datetime]] = {}
        for ts, addr in failures:
            by_address.setdefault(addr, []).append(ts)
        for addr, times in sorted(by_address.items(), key=lambda item: item[0] or ""):
            end = lock_end(times, self.max_per_user, self.window, self.lockout)
            if end is not None and end > now:
                found.append(Lockout(end, "username_address", addr))
        end = lock_end([ts for ts, _ in failures], self.max_per_username, self.window, self.lockout)
        if end is not None and end > now:
            found.append(Lockout(end, "username"))
        return found

    def lockouts_of(self, usernames: Sequence[str], now: datetime) -> dict[str, list[Lockout]]:
        """The lock-outs in force now per username (only those that have any)."""
        targets = {f"user:{name}": name for name in usernames}
        failures = self.audit.failed_logins(self._since(now), list(targets))
        found = {targets[t]: self.user_lockouts(f, now) for t, f in failures.items() if t in targets}
        return {name: locks for name, locks in found.items() if locks}

    def locked(self, target: str, client_addr: str | None, now: datetime) -> Lockout | None:
        """The lock-out in force for this username (``user:<name>``) from this address, the longest if several."""
        failures = self.audit.failed_logins(self._since(now), [target]).get(target, [])
        found = [
            lock
            for lock in self.user_lockouts(failures, now)
            if lock.by == "username" or lock.client_addr == client_addr
        ]
        if client_addr is not None:
            times = self.audit.login_failures(self._since(now), client_addr=client_addr)
            end = lock_end(times, self.max_per_address, self.window, self.lockout)
            if end is not None and end > now:
                found.append(Lockout(end, "address", client_addr))
        return max(found, key=lambda lock: lock.until, default=None)

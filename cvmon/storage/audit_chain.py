"""The hash chain of the audit log: each row's sha256 covers its content and the previous row's hash.

A row's content is serialised canonically (JSON with sorted keys, UTC time with microseconds), so
the hash computed when the row is written is the one computed from the row as read back, on
SQLite and PostgreSQL alike. The first row follows ``GENESIS``. Only the standard library is used
here: the migration that chains the rows stored before the chain existed imports this module.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
"""The previous hash of the first row."""
HASH_LENGTH = 64
FORMAT_VERSION = 1


def canonical_content(
    ts: datetime,
    actor: str | None,
    action: str,
    target: str | None,
    client_addr: str | None,
    details: dict[str, Any],
) -> bytes:
    """The row's content as the bytes that are hashed (the id is left out: the chain orders the rows)."""
    doc = {
        "v": FORMAT_VERSION,
        "ts": ts.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "target": target,
        "client_addr": client_addr,
        "details": details,
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(prev_hash: str, content: bytes) -> str:
    """sha256 (hex) of the previous row's hash and this row's canonical content."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


def row_hash(
    prev_hash: str,
    ts: datetime,
    actor: str | None,
    action: str,
    target: str | None,
    client_addr: str | None,
    details: dict[str, Any],
) -> str:
    """The hash a row with this content must carry when it follows a row whose hash is ``prev_hash``."""
    return chain_hash(prev_hash, canonical_content(ts, actor, action, target, client_addr, details))

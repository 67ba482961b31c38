"""The spool: a durable, ordered local queue in an SQLite file (order, acknowledgement, durability)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cvmon.errors import SpoolError
from cvmon.storage.spool import Spool


def test_entries_come_back_in_order_until_acknowledged(tmp_path: Path) -> None:
    with Spool(tmp_path / "spool" / "cam.db") as spool:
        seqs = [spool.append("minutes", {"n": i, "x": 0.1 * i}) for i in range(5)]
        assert seqs == sorted(seqs) and len(set(seqs)) == 5
        assert len(spool) == 5
        first = spool.peek_batch(2)
        assert [e.payload["n"] for e in first] == [0, 1]
        assert [e.payload["n"] for e in spool.peek_batch(2)] == [0, 1]  # peeking removes nothing
        assert spool.ack(first[-1].seq) == 2
        assert [e.payload["n"] for e in spool.peek_batch(10)] == [2, 3, 4]
        assert [e.payload["x"] for e in spool.peek_batch(10)] == [0.1 * 2, 0.1 * 3, 0.1 * 4]  # floats exactly
        spool.ack(seqs[-1])
        assert len(spool) == 0 and spool.peek_batch(1) == []


def test_entries_survive_a_reopen_and_numbers_are_never_reused(tmp_path: Path) -> None:
    path = tmp_path / "cam.db"
    with Spool(path) as spool:
        a = spool.append("events", {"k": "a"})
        b = spool.append("alerts", {"k": "b"}, attempts=1)
        spool.ack(a)
    with Spool(path) as spool:
        [entry] = spool.peek_batch(5)
        assert (entry.seq, entry.kind, entry.payload, entry.attempts) == (b, "alerts", {"k": "b"}, 1)
        spool.ack(b)
        c = spool.append("events", {"k": "c"})
    assert c > b
    with Spool(path) as spool:
        assert [e.payload for e in spool.peek_batch(5)] == [{"k": "c"}]


def test_an_entry_appended_by_a_process_that_dies_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "cam.db"
    script = textwrap.dedent(
        f"""
        import os
        from cvmon.storage.spool import Spool
        spool = Spool({str(path)!r})
        spool.append("minutes", {{"rows": [1, 2, 3]}})
        os._exit(9)  # no close, no cleanup
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    assert done.returncode == 9
    with Spool(path) as spool:
        assert [(e.kind, e.payload) for e in spool.peek_batch(5)] == [("minutes", {"rows": [1, 2, 3]})]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_attempts_are_counted_and_a_payload_can_be_completed(tmp_path: Path) -> None:
    with Spool(tmp_path / "cam.db") as spool:
        seq = spool.append("minutes", {"rows": [], "before": None})
        spool.record_attempt(seq, {"rows": [], "before": {"rows": []}})
        spool.record_attempt(seq)
        [entry] = spool.peek_batch(1)
        assert entry.attempts == 2
        assert entry.payload == {"rows": [], "before": {"rows": []}}


def test_an_entry_set_aside_leaves_the_queue_but_is_kept(tmp_path: Path) -> None:
    with Spool(tmp_path / "cam.db") as spool:
        bad = spool.append("alerts", {"k": "bad"})
        good = spool.append("alerts", {"k": "good"})
        spool.set_aside(bad, "refused 3 times")
        assert [e.seq for e in spool.peek_batch(5)] == [good]
        [(entry, reason)] = spool.set_aside_entries()
        assert (entry.seq, entry.payload, reason) == (bad, {"k": "bad"}, "refused 3 times")


def test_refuses_what_it_cannot_store(tmp_path: Path) -> None:
    with Spool(tmp_path / "cam.db") as spool:
        with pytest.raises(ValueError, match="must be a dict"):
            spool.append("minutes", [1, 2])  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="at least 1"):
            spool.peek_batch(0)
    (tmp_path / "not-a-folder").write_text("")
    with pytest.raises(SpoolError, match="cannot open the spool"):
        Spool(tmp_path / "not-a-folder" / "cam.db")

"""A batch of minute rows sent again (a spooled write whose first delivery may have committed) changes
nothing; one whose first delivery did not commit is written. On SQLite here; on a real PostgreSQL in
tests/pipeline/test_spool_postgres.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cvmon.storage import Database, open_database
from cvmon.storage.merge import minute_rows_after
from tests.storage.conftest import MINUTE, make_camera_minute, make_config, make_minute_row

FIRST = make_minute_row(samples=150, count_sum=300, visit_durations=(40.0,), t_first_s=0.0, t_last_s=29.8)
SECOND = make_minute_row(samples=140, count_sum=200, visit_durations=(12.0,), t_first_s=32.0, t_last_s=59.8)
FIRST_COVERAGE = make_camera_minute(frames_analysed=150, t_last_s=29.8, inference_ms_sum=3000.0)
SECOND_COVERAGE = make_camera_minute(frames_analysed=140, t_first_s=32.0, inference_ms_sum=2912.25)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'cvmon.db'}")
    database.sync_config(make_config())
    yield database
    database.close()


def test_the_same_batch_twice_is_stored_once(db: Database) -> None:
    db.write_minutes([FIRST], [FIRST_COVERAGE])
    db.write_minutes([FIRST], [FIRST_COVERAGE])
    assert db.minute_rows() == [FIRST]
    assert db.camera_minutes() == [FIRST_COVERAGE]


def test_a_resumed_minute_resent_without_its_before_state_would_lose_the_first_part(db: Database) -> None:
    """Why a re-sent batch carries what its keys held: the plain rule cannot tell a re-send from a re-run."""
    db.write_minutes([FIRST])
    db.write_minutes([SECOND])  # merged: 290 samples
    db.write_minutes([SECOND])  # sent again: overlaps the merged seconds, so it replaces them
    assert db.minute_rows()[0].samples == 140


def test_a_resumed_minute_resent_after_its_commit_changes_nothing(db: Database) -> None:
    db.write_minutes([FIRST], [FIRST_COVERAGE])
    before = db.stored_minutes([SECOND], [SECOND_COVERAGE])
    assert db.write_minutes([SECOND], [SECOND_COVERAGE]) is True  # committed, but the answer was lost
    merged_rows, merged_coverage = db.minute_rows(), db.camera_minutes()
    assert merged_rows[0].samples == 290 and merged_coverage[0].frames_analysed == 290

    assert db.write_minutes([SECOND], [SECOND_COVERAGE], unless_stored_after=before) is False
    assert db.minute_rows() == merged_rows
    assert db.camera_minutes() == merged_coverage


def test_a_resumed_minute_resent_after_a_failed_commit_is_merged(db: Database) -> None:
    db.write_minutes([FIRST], [FIRST_COVERAGE])
    before = db.stored_minutes([SECOND], [SECOND_COVERAGE])
    # the first delivery of SECOND never committed
    assert db.write_minutes([SECOND], [SECOND_COVERAGE], unless_stored_after=before) is True
    [row] = db.minute_rows()
    assert (row.samples, row.count_sum, row.visits) == (290, 500, 2)
    assert db.camera_minutes()[0].frames_analysed == 290


def test_an_offline_part_resent_after_its_commit_is_not_counted_twice(db: Database) -> None:
    offline = make_minute_row(
        samples=0,
        count_sum=0,
        count_max=0,
        seconds_observed=0.0,
        seconds_offline=25.0,
        seconds_over_capacity=0.0,
        visit_durations=(),
        t_first_s=60.0,
        t_last_s=0.0,
    )
    db.write_minutes([FIRST])
    before = db.stored_minutes([offline])
    db.write_minutes([offline])
    db.write_minutes([offline], unless_stored_after=before)
    [row] = db.minute_rows()
    assert (row.samples, row.seconds_offline) == (150, 25.0)


def test_stored_minutes_reads_only_the_batch_keys(db: Database) -> None:
    other_zone = make_minute_row(zone_id="loket-1", zone_kind="counter_customer", visit_durations=())
    db.write_minutes([FIRST, other_zone])
    stored = db.stored_minutes([SECOND])
    assert stored.rows == (FIRST,) and stored.cameras == ()
    assert db.stored_minutes([make_minute_row(minute=MINUTE.replace(minute=31))]).rows == ()


def test_rows_after_applies_the_rule_row_by_row() -> None:
    key = (FIRST.camera_id, FIRST.zone_id, FIRST.minute)
    assert minute_rows_after({}, [FIRST, SECOND])[key].samples == 290
    assert minute_rows_after({key: FIRST}, [SECOND])[key].samples == 290
    assert minute_rows_after({key: FIRST}, [FIRST])[key] == FIRST

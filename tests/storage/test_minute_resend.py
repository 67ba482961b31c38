"""A batch of minute rows sent again under its source (a spooled write whose first delivery may have
committed) changes nothing; one whose first delivery did not commit is written. On SQLite here; on a
real PostgreSQL in tests/pipeline/test_spool_postgres.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cvmon.storage import Database, open_database
from cvmon.storage.config_history import sync_config
from cvmon.storage.minutes import MinuteRepository
from tests.storage.conftest import make_camera_minute, make_config, make_minute_row

FIRST = make_minute_row(samples=150, count_sum=300, visit_durations=(40.0,), t_first_s=0.0, t_last_s=29.8)
SECOND = make_minute_row(samples=140, count_sum=200, visit_durations=(12.0,), t_first_s=32.0, t_last_s=59.8)
FIRST_COVERAGE = make_camera_minute(frames_analysed=150, t_last_s=29.8, inference_ms_sum=3000.0)
SECOND_COVERAGE = make_camera_minute(frames_analysed=140, t_first_s=32.0, inference_ms_sum=2912.25)
FIRST_WORKER, NEXT_WORKER = "live:cam-hall:run-1:41", "live:cam-hall:run-2:0"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'cvmon.db'}")
    sync_config(database, make_config())
    yield database
    database.close()


def test_the_same_batch_twice_is_stored_once(db: Database) -> None:
    MinuteRepository(db).write_minutes([FIRST], [FIRST_COVERAGE], source=FIRST_WORKER)
    MinuteRepository(db).write_minutes([FIRST], [FIRST_COVERAGE], source=FIRST_WORKER)
    assert MinuteRepository(db).minute_rows() == [FIRST]
    assert MinuteRepository(db).camera_minutes() == [FIRST_COVERAGE]


def test_the_second_part_of_a_minute_resent_after_its_commit_changes_nothing(db: Database) -> None:
    """What the overlap rule could not tell: the re-sent second part overlaps the merged seconds, yet it
    must neither replace the first part nor be added twice."""
    MinuteRepository(db).write_minutes([FIRST], [FIRST_COVERAGE], source=FIRST_WORKER)
    MinuteRepository(db).write_minutes(
        [SECOND], [SECOND_COVERAGE], source=NEXT_WORKER
    )  # committed, but the answer was lost
    merged_rows, merged_coverage = MinuteRepository(db).minute_rows(), MinuteRepository(db).camera_minutes()
    assert merged_rows[0].samples == 290 and merged_coverage[0].frames_analysed == 290

    MinuteRepository(db).write_minutes([SECOND], [SECOND_COVERAGE], source=NEXT_WORKER)
    assert MinuteRepository(db).minute_rows() == merged_rows
    assert MinuteRepository(db).camera_minutes() == merged_coverage


def test_the_second_part_resent_after_a_failed_commit_is_added(db: Database) -> None:
    MinuteRepository(db).write_minutes([FIRST], [FIRST_COVERAGE], source=FIRST_WORKER)
    # the first delivery of SECOND never committed
    MinuteRepository(db).write_minutes([SECOND], [SECOND_COVERAGE], source=NEXT_WORKER)
    [row] = MinuteRepository(db).minute_rows()
    assert (row.samples, row.count_sum, row.visits) == (290, 500, 2)
    assert (row.t_first_s, row.t_last_s) == (0.0, 59.8)
    assert MinuteRepository(db).camera_minutes()[0].frames_analysed == 290


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
    MinuteRepository(db).write_minutes([FIRST], source=FIRST_WORKER)
    MinuteRepository(db).write_minutes([offline], source=NEXT_WORKER)
    MinuteRepository(db).write_minutes([offline], source=NEXT_WORKER)
    [row] = MinuteRepository(db).minute_rows()
    assert (row.samples, row.seconds_offline) == (150, 25.0)

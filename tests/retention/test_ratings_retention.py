"""Imported ratings and mystery-shopper scores are kept ``ratings_days`` (default 400) and then deleted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cvmon.config.models import RetentionConfig
from cvmon.storage import Database
from cvmon.storage.audit import AuditActor
from cvmon.storage.evidence_files import EvidenceStore
from cvmon.storage.ratings import rating_days, replace_ratings, replace_shopper_scores, shopper_scores
from cvmon.storage.retention import run_retention
from cvmon.types.ratings import RatingDay, ShopperScore
from tests.retention.conftest import NOW, POLICY

UNIT = "ulp-ampenan"


def test_the_default_keeps_ratings_for_400_days() -> None:
    assert RetentionConfig().ratings_days == 400


def test_ratings_and_scores_older_than_ratings_days_are_deleted(synced: Database, tmp_path: Path) -> None:
    policy = POLICY.model_copy(update={"ratings_days": 10})  # NOW is 2024-05-10: days before 2024-04-30 go
    days = [date(2024, 4, 29), date(2024, 4, 30), date(2024, 5, 9)]
    actor = AuditActor("cli:test")
    ratings = [RatingDay(UNIT, d, "app", "", 3, 4.0) for d in days]
    scores = [ShopperScore(UNIT, d, None, "satpam", "Salam", 1.0, 80.0) for d in days]
    replace_ratings(synced, ratings, [UNIT], actor, NOW, "test")
    replace_shopper_scores(synced, scores, [UNIT], actor, NOW, "test")
    report = run_retention(synced, EvidenceStore(tmp_path / "evidence"), policy, NOW)
    assert (report.rating_rows_deleted, report.shopper_rows_deleted) == (1, 1)
    with synced.transaction("read", write=False) as session:
        assert [r.day for r in rating_days(session, [UNIT], date(2024, 1, 1), date(2024, 12, 31))] == days[1:]
        assert [s.visit_date for s in shopper_scores(session, [UNIT], date(2024, 1, 1), date(2024, 12, 31))] == days[1:]
    again = run_retention(synced, EvidenceStore(tmp_path / "evidence"), policy, NOW)
    assert (again.rating_rows_deleted, again.shopper_rows_deleted) == (0, 0)

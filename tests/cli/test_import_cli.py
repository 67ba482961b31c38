"""`cvmon import ratings|mystery-shopper FILE`: a summary line, the same file twice changes nothing, a bad file
lists its lines and exits 2 with nothing stored, a file that is missing is one line."""

from __future__ import annotations

from pathlib import Path

from cvmon.config import load_config
from cvmon.storage.audit import AuditRepository
from cvmon.storage.config_history import sync_config
from cvmon.storage.database import open_database
from tests.cli.cli_run import REPO_ROOT, cli_env, cvmon
from tests.imports.conftest import RATING_HEADER, SHOPPER_HEADER, csv_text


def _env(tmp_path: Path) -> dict[str, str]:
    env = cli_env(tmp_path)
    with open_database(env["CVMON_DATABASE_URL"]) as db:
        sync_config(db, load_config(REPO_ROOT / "cameras.yaml"))
    return env


def test_import_twice_then_a_bad_file(tmp_path: Path) -> None:
    env = _env(tmp_path)
    unit = load_config(REPO_ROOT / "cameras.yaml").units[-1].id
    good = tmp_path / "ratings.csv"
    good.write_text(csv_text(RATING_HEADER, [[unit, "2026-11-23", "app", "", 10, 4.2, 6, 2, 2, "", ""]]))
    first = cvmon(["import", "ratings", str(good)], env)
    assert (first.returncode, first.stdout) == (
        0,
        "ratings.csv: 1 rows for 1 unit(s): 1 added, 0 changed, 0 unchanged\n",
    )
    second = cvmon(["import", "ratings", str(good)], env)
    assert second.stdout == "ratings.csv: 1 rows for 1 unit(s): 0 added, 0 changed, 1 unchanged\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(RATING_HEADER, [[unit, "2026-11-24", "", "", 3, "", "", "", "", "", ""],
                                            ["nowhere", "2026-11-24", "", "", 3, 4, "", "", "", "", ""]]))  # fmt: skip
    refused = cvmon(["import", "ratings", str(bad)], env)
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "  line 2: csat_mean: empty, but csat_count is 3",
        "  line 3: unit: no unit 'nowhere' (start cvmon once with the configuration)",
        "cvmon: error: bad.csv: 2 bad row(s); nothing was stored",
    ]
    with open_database(env["CVMON_DATABASE_URL"]) as db:
        assert db.count_rows()["rating_days"] == 1
        assert [a.actor.startswith("cli:") for a in AuditRepository(db).find(action="ratings.import")] == [True, True]
    shopper = tmp_path / "shopper.csv"
    shopper.write_text(csv_text(SHOPPER_HEADER, [[unit, "2026-11-23", "09:10", "loket", "Salam 4S", 2, 3, 5]]))
    scored = cvmon(["import", "mystery-shopper", str(shopper)], env)
    assert scored.stdout == "shopper.csv: 1 rows for 1 unit(s): 1 added, 0 changed, 0 unchanged\n"
    missing = cvmon(["import", "ratings", str(tmp_path / "nope.csv")], env)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"cvmon: error: {tmp_path / 'nope.csv'}: cannot read: No such file or directory"
    ]

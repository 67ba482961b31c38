"""The packages point one way: import-linter checks the contracts in pyproject.toml ([tool.importlinter]).

The first test runs them on cvmon as it is; the others show that they fail on a copy of cvmon given
an import that points the wrong way, so the check cannot pass whatever the code does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cvmon

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on the cvmon package under ``root`` with the repository's contracts."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_are_kept() -> None:
    result = _lint(Path(cvmon.__file__).parents[1])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "contract"),
    [
        ("storage/minutes.py", "import cvmon.read.queries", "Packages point one way"),
        ("api/routers/health.py", "import cvmon.web.render", "Packages point one way"),
        ("pipeline/camera.py", "import cvmon.reports.figures", "Packages point one way"),
        ("read/queries.py", "import jinja2", "API, reads and storage need no page libraries"),
        ("storage/database.py", "import fastapi", "No HTTP code below the API"),
    ],
)
def test_an_import_the_wrong_way_breaks_a_contract(
    tmp_path: Path, module: str, wrong_import: str, contract: str
) -> None:
    copy = tmp_path / "cvmon"
    shutil.copytree(Path(cvmon.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    target = copy / module
    target.write_text(target.read_text() + f"\n{wrong_import}  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract} BROKEN" in result.stdout, result.stdout
    assert f"cvmon.{module[:-3].replace('/', '.')}" in result.stdout

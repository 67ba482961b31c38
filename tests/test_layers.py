"""The packages point one way: storage below the reads, the reads below the API, the reports and the
pages, and the API, the reports and the translations free of the pages (``cvmon.server`` joins them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cvmon

ROOT = Path(cvmon.__file__).parent
# A package and the modules (prefixes) none of its modules may import.
FORBIDDEN = {
    "storage": ("cvmon.read", "cvmon.api", "cvmon.web", "cvmon.reports"),
    "read": ("cvmon.api", "cvmon.web", "cvmon.reports", "fastapi", "starlette"),
    "i18n": ("cvmon.read", "cvmon.api", "cvmon.web", "cvmon.reports"),
    "reports": ("cvmon.api", "cvmon.web"),
    "api": ("cvmon.web", "jinja2", "pygal"),
}


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_nothing_above_it(package: str) -> None:
    banned = FORBIDDEN[package]
    wrong = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / package).rglob("*.py")
        for module in imported_modules(path)
        if any(module == b or module.startswith(b + ".") for b in banned)
    }
    assert wrong == set()

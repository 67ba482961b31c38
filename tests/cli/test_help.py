"""`cvmon --help` and every command's --help read like a command line's help; `cvmon --version`."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import cvmon
from cvmon.cli import app
from tests.cli import cli_run

runner = CliRunner()
# What typer's rich panels print: <str>, <int>, <bool>, <path>, <float range>, <list[str]>, [x>=1] beside it.
PYTHON_TYPE = re.compile(
    r"<(str|int|float|bool|path|file|dir|datetime|list\[[^>]*\]|[a-z]+ range)>|list\[|\bNoneType\b"
)


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command under a group (typer's own click command objects), with its path of names."""
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = list(_commands(typer.main.get_command(app)))


def _help(*path: str) -> str:
    result = runner.invoke(app, [*path, "--help"], prog_name="cvmon", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


def test_there_are_commands_to_check() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"process", "stats", "demo", "serve", "report", "users add", "alerts resolve"} <= names


GROUPS = sorted({p[:1] for p, _ in COMMANDS if len(p) > 1})


@pytest.mark.parametrize("path", [(), *GROUPS, *(p for p, _ in COMMANDS)], ids=lambda p: " ".join(p) or "cvmon")
def test_help_names_no_python_types(path: tuple[str, ...]) -> None:
    text = _help(*path)
    assert text.startswith(f"Usage: cvmon {' '.join(path)}".rstrip() + " ")
    assert not PYTHON_TYPE.search(text), text
    assert "--help  " in text or "--help\n" in text  # a flag, without a type beside it
    assert all(len(line) <= 80 for line in text.splitlines()), text


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p))
def test_every_value_has_a_name_in_capitals_or_its_choices(path: tuple[str, ...]) -> None:
    """FILE, ID, URL, TIME ... or table|json: what to type, not how Python stores it."""
    command = dict(COMMANDS)[path]
    usage = _help(*path).splitlines()[0]
    for param in command.params:
        if getattr(param, "is_flag", False):
            continue
        metavar = param.metavar
        assert metavar, f"{' '.join(path)}: {param.name} has no metavar"
        assert metavar.isupper() or "|" in metavar, metavar
        if param.param_type_name == "argument":
            assert metavar in usage and metavar in (command.help or ""), (usage, command.help)


def test_environment_variable_names_are_printed_whole() -> None:
    text = _help("run")
    assert "CVMON_CAMERAS_PER_PROCESS" in text and "CVMON_CLUSTER" in text
    assert "…" not in text


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = cli_run.cvmon(["--version"], cli_run.cli_env(tmp_path))
    assert (result.returncode, result.stdout, result.stderr) == (0, f"cvmon {cvmon.__version__}\n", "")
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", cvmon.__version__)
    # The package's metadata takes its version from the same attribute.
    project = tomllib.loads((cli_run.REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "cvmon.__version__"}

"""cameras.yaml validation: every error named by its path, example config valid."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from cvmon.config import load_config, parse_config
from cvmon.config.models import ServiceHours, parse_interval
from cvmon.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]

BASE: dict[str, Any] = {
    "units": [
        {"id": "uiw-ntb", "name": "UIW NTB", "level": "uiw"},
        {"id": "up3-mataram", "name": "UP3 Mataram", "level": "up3", "parent": "uiw-ntb"},
        {"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp", "parent": "up3-mataram"},
    ],
    "cameras": [
        {
            "id": "hall",
            "unit": "ulp-ampenan",
            "source": "hall.mp4",
            "zones": [{"id": "q", "kind": "queue", "points": [[0, 0], [0.5, 0], [0.5, 0.5]]}],
        },
        {
            "id": "loket",
            "unit": "ulp-ampenan",
            "source": "rtsp://cam/stream",
            "zones": [
                {"id": "cust", "kind": "counter_customer", "points": [[0, 0], [1, 0], [1, 1]]},
                {"id": "staff", "kind": "counter_staff", "counter": "cust", "points": [[0, 0], [1, 0], [0, 1]]},
            ],
        },
    ],
}


def with_change(path: str, value: Any) -> dict[str, Any]:
    """A copy of BASE with the value at a dotted path (list indexes as numbers) set; None deletes."""
    data = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    key: Any = int(last) if last.isdigit() else last
    if value is None:
        del node[key]
    else:
        node[key] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("cameras.1.zones.0.points", [[0, 0], [1, 1]], "cameras[1].zones[0].points: a polygon needs at least 3 points"),
        (
            "cameras.0.zones.0.points",
            [[0, 0], [1.5, 0], [0, 1]],
            "cameras[0].zones[0].points: point (1.5, 0.0) lies outside",
        ),
        (
            "cameras.0.zones.0.points",
            [[0, 0], [1, 1], [1, 0], [0, 1]],
            "cameras[0].zones[0].points: the polygon crosses itself",
        ),
        (
            "cameras.0.zones.0.points",
            [[0, 0], [0.5, 0.5], [1, 1]],
            "cameras[0].zones[0].points: the polygon has no area",
        ),
        ("cameras.0.zones.0.kind", "lobby", "cameras[0].zones[0].kind: Input should be"),
        ("cameras.0.zones.0.capacity", 0, "cameras[0].zones[0].capacity: Input should be greater than or equal to 1"),
        ("cameras.0.colour", "red", "cameras[0].colour: unknown key"),
        ("cameras.0.source", None, "cameras[0].source: required key missing"),
        ("cameras.0.unit", "ulp-nowhere", "cameras[0].unit: unknown unit 'ulp-nowhere'"),
        ("cameras.1.id", "hall", "cameras[1].id: duplicate camera id 'hall'"),
        ("cameras.0.analysis_fps", 0, "cameras[0].analysis_fps: Input should be greater than 0"),
        ("cameras.0.id", "Hall Camera", "cameras[0].id: String should match pattern"),
        ("cameras.1.zones.1.counter", "nope", "cameras[1].zones[1].counter: unknown zone 'nope' in camera 'loket'"),
        ("cameras.1.zones.0.queue", "staff", "cameras[1].zones[0].queue: zone 'staff' is a counter_staff zone"),
        ("cameras.0.zones.0.queue", "q", "cameras[0].zones[0].queue: only counter zones link to a queue"),
        ("cameras.0.detector", {"type": "magic"}, "cameras[0].detector.type: Input should be"),
        ("cameras.0.detector", {"confidence": 1.5}, "cameras[0].detector.confidence: Input should be less than 1"),
        ("units.2.parent", "up3-nowhere", "units[2].parent: unknown unit 'up3-nowhere'"),
        ("units.0.parent", "ulp-ampenan", "units[0].parent: the unit tree has a cycle"),
        ("units.2.timezone", "Mars/Olympus", "units[2].timezone: unknown time zone 'Mars/Olympus'"),
        ("units.0.service_hours", {"mon": ["15:00-08:00"]}, "units[0].service_hours.mon: '15:00-08:00': the end must"),
        ("units.0.service_hours", {"funday": ["08:00-09:00"]}, "units[0].service_hours.funday: unknown key"),
        ("units.0.level", "kantor", "units[0].level: Input should be"),
        ("units", [], "units: List should have at least 1 item"),
        ("cameras.0", "not a mapping", "cameras[0]: Input should be a valid dictionary"),
        (
            "cameras.0.room",
            {"regions": [{"id": "meja", "points": [[0, 0], [1, 1]]}]},
            "cameras[0].room.regions[0].points: a polygon needs at least 3 points",
        ),
        (
            "cameras.0.room",
            {
                "regions": [
                    {"id": "meja", "points": [[0, 0], [1, 0], [1, 1]]},
                    {"id": "meja", "points": [[0, 0], [1, 0], [0, 1]]},
                ]
            },
            "cameras[0].room: regions[1].id: region 'meja' appears twice",
        ),
        ("cameras.0.room", {"every_s": 1}, "cameras[0].room.every_s: Input should be greater than or equal to 5"),
        ("cameras.0.room", {"lights": True}, "cameras[0].room.lights: unknown key"),
        ("reports", {"targets": {"queue": 120}}, "reports.targets.queue: Input should be less than or equal to 100"),
        ("reports", {"targets": {"speed": 90}}, "reports.targets.speed: unknown key"),
        (None, None, None),
    ],
)
def test_validation_table(path: str | None, value: Any, expected: str | None) -> None:
    data = copy.deepcopy(BASE) if path is None else with_change(path, value)
    if expected is None:
        config = parse_config(data)
        assert [c.id for c in config.cameras] == ["hall", "loket"]
        return
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    assert any(p.startswith(expected) for p in err.value.problems), err.value.problems


def test_every_problem_is_reported_at_once() -> None:
    data = with_change("cameras.1.zones.0.points", [[0, 0], [1, 1]])
    data["cameras"][0]["colour"] = "red"
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    assert len(err.value.problems) == 2
    assert all(": " in p for p in err.value.problems)


def test_cross_reference_problems_all_listed() -> None:
    data = with_change("cameras.0.unit", "x")
    data["cameras"][1]["unit"] = "y"
    with pytest.raises(ConfigError) as err:
        parse_config(data)
    assert err.value.problems == [
        "cameras[0].unit: unknown unit 'x' (known: uiw-ntb, ulp-ampenan, up3-mataram)",
        "cameras[1].unit: unknown unit 'y' (known: uiw-ntb, ulp-ampenan, up3-mataram)",
    ]


def test_example_config_is_valid_and_models_an_office(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CVMON_FOOTAGE_DIR", str(tmp_path))
    config = load_config(REPO_ROOT / "cameras.yaml")
    kinds = {z.kind.value for c in config.cameras for z in c.zones}
    assert {"queue", "waiting", "entrance", "post", "counter_staff", "counter_customer"} <= kinds
    assert config.unit_timezone("ulp-ampenan").key == "Asia/Makassar"
    assert config.cameras[0].source == str(tmp_path / "intel_classroom.mp4")


def test_inheritance_of_timezone_and_service_hours() -> None:
    data = copy.deepcopy(BASE)
    data["units"][0]["timezone"] = "Asia/Jakarta"
    data["units"][1]["service_hours"] = {"sat": ["08:00-12:00"]}
    config = parse_config(data)
    assert config.unit_timezone("ulp-ampenan").key == "Asia/Jakarta"
    hours = config.unit_service_hours("ulp-ampenan")
    assert hours.intervals(5) == [parse_interval("08:00-12:00")]
    assert parse_config(BASE).unit_timezone("ulp-ampenan").key == "Asia/Makassar"
    assert parse_config(BASE).unit_service_hours("ulp-ampenan") == ServiceHours()


def test_relative_source_is_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    path = tmp_path / "sub" / "cameras.yaml"
    path.write_text(yaml.safe_dump(BASE))
    config = load_config(path)
    assert config.cameras[0].source == str(tmp_path / "sub" / "hall.mp4")
    assert config.cameras[1].source == "rtsp://cam/stream"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("units: [\n  - id: x\n    name: [", "invalid YAML at line"),
        ("- just\n- a list\n", "the top level must be a mapping"),
    ],
)
def test_unreadable_yaml(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "cameras.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=expected):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "nope.yaml")


def test_schema_shows_each_aspect_target_with_its_default() -> None:
    from cvmon.config.models import Config

    targets = Config.model_json_schema()["$defs"]["IndexTargets"]["properties"]
    assert {name: prop["default"] for name, prop in targets.items()} == {
        "waiting": 90,
        "queue": 90,
        "staffing": 95,
        "comfort": 95,
        "follow_up": 90,
        "room": 90,
        "behaviour": 90,
    }
    assert all(prop["description"].startswith("Target %") for prop in targets.values())


def test_schema_describes_every_field() -> None:
    from cvmon.config.models import Config

    schema = Config.model_json_schema()

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                assert "description" in prop, f"{where}.{name} has no description"
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(schema, "schema")
    assert schema["additionalProperties"] is False

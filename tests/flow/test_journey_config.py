"""A camera's journey in cameras.yaml: every error named by its path, one line each."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cvmon.config import parse_config
from cvmon.errors import ConfigError
from tests.flow.scripts import JOURNEY, KINDS

TRIANGLE = [[0, 0], [1, 0], [0, 1]]
BASE: dict[str, Any] = {
    "units": [{"id": "ulp-ampenan", "name": "ULP Ampenan", "level": "ulp"}],
    "cameras": [
        {
            "id": "hall",
            "unit": "ulp-ampenan",
            "source": "hall.mp4",
            "zones": [
                *({"id": zone_id, "kind": kind.value, "points": TRIANGLE} for zone_id, kind in KINDS.items()),
                {"id": "pintu-samping", "kind": "entrance", "points": TRIANGLE},
            ],
            "journey": copy.deepcopy(JOURNEY),
        }
    ],
}


def with_journey(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["cameras"][0]["journey"].update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del data["cameras"][0]["journey"][key]
    return data


def steps(*zones: list[str]) -> list[dict[str, Any]]:
    return [{"zones": z} for z in zones]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"steps": steps(["gerbang"], ["loket-1"]), "guide_desk": None},
            ["cameras[0].journey.steps[0].zones[0]: unknown zone 'gerbang' in camera 'hall'"],
        ),
        (
            {"steps": steps(["pintu"], ["antrian", "pintu"], ["loket-1"]), "guide_desk": None},
            ["cameras[0].journey: steps[1].zones[1]: zone 'pintu' is already in steps[0]; a zone belongs to one step"],
        ),
        (
            {"steps": steps(["pintu"], ["pintu-samping"], ["loket-1"]), "guide_desk": None},
            ["cameras[0].journey.steps[1].zones[0]: an entrance zone can only be in the first step"],
        ),
        (
            {"steps": steps(["pintu"], ["meja-pandu"], ["antrian"], ["loket-1-staff"])},
            [
                "cameras[0].journey.steps[3].zones[0]: zone 'loket-1-staff' is the staff side of a counter; "
                "name its counter_customer zone"
            ],
        ),
        (
            {"steps": steps(["pintu"], ["meja-pandu"], ["loket-1", "ruang-tunggu"])},
            [
                "cameras[0].journey.steps[2].zones[1]: the last step is the counter (it has counter_customer "
                "zones); zone 'ruang-tunggu' is a waiting zone"
            ],
        ),
        ({"door_post": "antrian"}, ["cameras[0].journey.door_post: zone 'antrian' is a queue zone, not a post"]),
        ({"door_post": "gardu"}, ["cameras[0].journey.door_post: unknown zone 'gardu' in camera 'hall'"]),
        ({"guide_desk": "pandu"}, ["cameras[0].journey: guide_desk: zone 'pandu' is in no step of the journey"]),
        ({"guide_desk": "antrian"}, ["cameras[0].journey.guide_desk: zone 'antrian' is a queue zone, not a desk"]),
        (
            {"steps": steps(["pintu"], ["antrian"], ["meja-pandu"], ["loket-1"])},
            [
                "cameras[0].journey.guide_desk: the guide desk must be in a step before the first queue or "
                "waiting step and before the counter"
            ],
        ),
        ({"steps": steps(["pintu"])}, ["cameras[0].journey.steps: List should have at least 2 items"]),
        ({"steps": [{"zones": []}, {"zones": ["loket-1"]}]}, ["cameras[0].journey.steps[0].zones: List should have"]),
        ({"abandon_min_s": -1}, ["cameras[0].journey.abandon_min_s: Input should be greater than or equal to 0"]),
        ({"timeout_s": 0}, ["cameras[0].journey.timeout_s: Input should be greater than 0"]),
        ({"colour": "red"}, ["cameras[0].journey.colour: unknown key"]),
        ({"steps": [{"zone": "pintu"}, {"zones": ["loket-1"]}]}, ["cameras[0].journey.steps[0].zone: unknown key"]),
    ],
)
def test_validation_table(changes: dict[str, Any], expected: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(with_journey(**changes))
    problems = err.value.problems
    assert all(any(p.startswith(e) for p in problems) for e in expected), problems
    assert all("\n" not in p for p in problems)


def test_several_problems_of_a_journey_are_listed_at_once() -> None:
    bad = steps(["gerbang"], ["meja-pandu"], ["pintu-samping"], ["loket-1-staff"])
    with pytest.raises(ConfigError) as err:
        parse_config(with_journey(steps=bad, door_post="kursi"))
    assert err.value.problems == [
        "cameras[0].journey.steps[0].zones[0]: unknown zone 'gerbang' in camera 'hall'",
        "cameras[0].journey.steps[2].zones[0]: an entrance zone can only be in the first step",
        "cameras[0].journey.steps[3].zones[0]: zone 'loket-1-staff' is the staff side of a counter; "
        "name its counter_customer zone",
        "cameras[0].journey.door_post: unknown zone 'kursi' in camera 'hall'",
    ]


def test_a_valid_journey_is_read_with_its_defaults() -> None:
    config = parse_config(with_journey(abandon_min_s=None, timeout_s=None))
    journey = config.cameras[0].journey
    assert journey is not None
    assert [s.zones for s in journey.steps] == [
        ["pintu"],
        ["satpam"],
        ["meja-pandu"],
        ["antrian", "ruang-tunggu"],
        ["loket-1", "loket-2"],
    ]
    assert [s.required for s in journey.steps] == [True, False, True, True, True]
    assert (journey.door_post, journey.guide_desk, journey.abandon_min_s, journey.timeout_s) == (
        "satpam",
        "meja-pandu",
        60.0,
        300.0,
    )
    assert journey.step_of("ruang-tunggu") == 3 and journey.step_of("pandu") is None


def test_a_camera_that_sees_only_the_door_may_end_its_journey_before_the_counter() -> None:
    config = parse_config(with_journey(steps=steps(["pintu"], ["satpam"], ["ruang-tunggu"]), guide_desk=None))
    assert config.cameras[0].journey is not None


def test_a_camera_without_a_journey_has_none() -> None:
    data = copy.deepcopy(BASE)
    del data["cameras"][0]["journey"]
    assert parse_config(data).cameras[0].journey is None

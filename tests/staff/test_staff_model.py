"""The camera's staff model on scripted looks: learning, scoring, forgetting, bounded memory, JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from cvmon import appearance
from cvmon.config.staff import StaffConfig
from cvmon.staff import StaffModel
from tests.staff.looks import LIGHT_BLUE, NAVY, RED, WHITE, hist, jittered

CONFIG = StaffConfig(min_examples=20)
AT_CENTRE = 1.0 / (1.0 + math.exp(-4.5))  # a uniform's exact look, no customer contrast: K(0) / (K(0) + K(3))


def learned(*uniforms: np.ndarray, n: int = 60, config: StaffConfig = CONFIG) -> StaffModel:
    model = StaffModel(config)
    for k in range(n):
        model.add_staff(jittered(uniforms[k % len(uniforms)], k), 0.0)
    return model


def test_unsure_until_enough_examples() -> None:
    model = StaffModel(CONFIG)
    for _ in range(19):
        model.add_staff(NAVY, 0.0)
        assert model.score(NAVY) is None
        assert not model.ready
    model.add_staff(NAVY, 0.0)
    assert model.ready
    assert model.score(NAVY) == pytest.approx(AT_CENTRE)


def test_score_falls_with_distance_in_the_clusters_own_spread() -> None:
    """Identical examples: the spread is min_spread (0.08); a look d away scores K(d/0.08) / (K + K(3))."""
    model = StaffModel(CONFIG)
    for _ in range(20):
        model.add_staff(NAVY, 0.0)
    d = appearance.distance(NAVY, LIGHT_BLUE)
    near = math.exp(-0.5 * (d / 0.08) ** 2)
    assert model.score(LIGHT_BLUE) == pytest.approx(near / (near + math.exp(-4.5)))
    assert model.score(RED) == pytest.approx(0.0, abs=1e-12)


def test_two_uniforms_are_two_staff_looks_and_a_red_shirt_is_not_staff() -> None:
    model = learned(NAVY, WHITE)
    assert len(model.staff) == 2
    assert [c.weight for c in model.staff] == [30.0, 30.0]
    for look in (jittered(NAVY, 99), jittered(WHITE, 98)):
        score = model.score(look)
        assert score is not None and score >= CONFIG.staff_vote
    red = model.score(RED)
    assert red is not None and red <= CONFIG.customer_vote


def test_customers_dressed_like_staff_are_told_apart_once_seen_in_customer_zones() -> None:
    """Without contrast a look 0.16 off the uniform (2 spreads) votes staff; once customer zones showed
    people dressed like that, it votes customer, and the uniform itself still votes staff."""
    model = learned(NAVY)
    before = model.score(LIGHT_BLUE)
    assert before is not None and before >= CONFIG.staff_vote
    for k in range(30):
        model.add_customer(jittered(LIGHT_BLUE, k), 100.0 + k)
    after, uniform = model.score(LIGHT_BLUE), model.score(jittered(NAVY, 99))
    assert after is not None and after <= CONFIG.customer_vote
    assert uniform is not None and uniform >= CONFIG.staff_vote


def test_staff_walking_through_customer_zones_do_not_cancel_the_uniform() -> None:
    """One look in ten from the customer zones is a uniformed staff member's: the uniform still votes staff."""
    model = learned(NAVY)
    for k in range(90):
        model.add_customer(jittered(NAVY if k % 10 == 0 else RED, k), 100.0 + k)
    score = model.score(jittered(NAVY, 99))
    assert score is not None and score >= CONFIG.staff_vote


def test_an_odd_example_in_a_staff_zone_does_not_count() -> None:
    """A red shirt seen once among 60 uniforms holds less than min_cluster_share: it scores as a customer."""
    model = learned(NAVY)
    model.add_staff(RED, 60.0)
    assert len(model.staff) == 2 and len(model.established()) == 1
    red = model.score(RED)
    assert red is not None and red <= CONFIG.customer_vote


def test_an_admin_confirmed_example_weighs_admin_weight() -> None:
    model = StaffModel(StaffConfig(min_examples=10, admin_weight=10))
    model.add_staff(NAVY, 0.0, confirmed=True)
    assert model.staff_examples == 10.0 and model.ready
    model.add_customer(RED, 0.0, confirmed=True)
    assert [c.weight for c in model.customers] == [10.0]


def test_examples_fade_with_half_life_and_the_model_unlearns() -> None:
    model = StaffModel(StaffConfig(min_examples=20, half_life_h=1.0))
    for k in range(40):
        model.add_staff(NAVY, float(k))
    assert model.staff_examples == pytest.approx(40.0, rel=0.01)
    model.add_staff(NAVY, 39.0 + 3600.0)
    assert model.staff_examples == pytest.approx(20.0 + 1.0, rel=0.01)
    model.add_staff(NAVY, 39.0 + 4 * 3600.0)
    assert not model.ready  # 21 / 8 + 1 examples: unsure again until staff are seen anew
    assert model.score(NAVY) is None


def test_memory_is_bounded_however_many_looks() -> None:
    rng = np.random.default_rng(3)
    model = StaffModel(CONFIG)
    for k in range(2000):
        look = rng.dirichlet(np.full(appearance.BINS, 0.3))
        model.add_staff(look, float(k))
        model.add_customer(look, float(k))
    assert len(model.staff) == CONFIG.max_staff_clusters
    assert len(model.customers) == CONFIG.max_customer_clusters
    assert model.staff_examples == pytest.approx(2000.0, rel=0.01)


def test_json_round_trip_keeps_the_staff_looks_and_stores_no_customer_look() -> None:
    model = learned(NAVY, WHITE)
    for k in range(30):
        model.add_customer(jittered(LIGHT_BLUE, k), 100.0 + k)
    text = model.to_json()
    data = json.loads(text)
    assert set(data) == {"format", "version", "bins", "updated_t", "staff"}
    assert len(data["staff"]) == 2 and data["updated_t"] == 129.0
    again = StaffModel.from_json(text, CONFIG)
    assert again.to_json() == text
    assert again.customers == ()
    for look in (NAVY, WHITE, RED, LIGHT_BLUE):
        staff_only = learned(NAVY, WHITE).score(look)
        assert again.score(look) == pytest.approx(staff_only, abs=1e-12)


def test_an_empty_model_round_trips_and_stays_unsure() -> None:
    text = StaffModel(CONFIG).to_json()
    again = StaffModel.from_json(text, CONFIG)
    assert again.to_json() == text and again.updated_t is None and again.score(NAVY) is None


def test_a_stored_model_with_more_looks_than_allowed_is_merged_down() -> None:
    text = learned(NAVY, WHITE, RED).to_json()
    again = StaffModel.from_json(text, StaffConfig(min_examples=20, max_staff_clusters=2))
    assert len(again.staff) == 2 and again.staff_examples == pytest.approx(60.0)


def _stored(**changes: object) -> str:
    data = json.loads(learned(NAVY).to_json())
    cluster = data["staff"][0]
    for key, value in changes.items():
        if key in cluster:
            cluster[key] = value
        else:
            data[key] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "staff model: not JSON"),
        ("[1, 2]", "staff model: expected a JSON object"),
        (_stored(format="other"), "staff model: format must be 'cvmon-staff-model' version 1"),
        (_stored(version=2), "staff model: format must be 'cvmon-staff-model' version 1"),
        (_stored(bins=12), "staff model: bins must be 28, got 12"),
        (_stored(extra=1), "staff model: unknown keys ['extra']"),
        (_stored(updated_t="noon"), "staff model: updated_t must be a finite number or null"),
        (_stored(staff={}), "staff model: staff must be a list of clusters"),
        (_stored(centre=[1.0]), "staff model: staff[0].centre: expected 28 finite numbers >= 0"),
        (_stored(centre=[-1.0] + [2.0 / 27] * 27), "staff model: staff[0].centre: expected 28 finite numbers >= 0"),
        (_stored(centre=[0.5] * 28), "staff model: staff[0].centre: must sum to 1, sums to 14"),
        (_stored(weight=0), "staff model: staff[0].weight: expected a finite number > 0"),
        (_stored(weight=True), "staff model: staff[0].weight: expected a finite number > 0"),
        (_stored(spread=2.0), "staff model: staff[0].spread: expected a number in 0..1"),
        (_stored(updated_t=float("nan")), "staff model: updated_t must be a finite number or null"),
        (_stored(weight=float("inf")), "staff model: staff[0].weight: expected a finite number > 0"),
    ],
)
def test_bad_stored_model_is_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("[", r"\[").replace("(", r"\(")) as info:
        StaffModel.from_json(text, CONFIG)
    assert "\n" not in str(info.value)


def test_a_cluster_without_its_fields_is_refused() -> None:
    data = json.loads(learned(NAVY).to_json())
    del data["staff"][0]["spread"]
    with pytest.raises(ValueError) as info:
        StaffModel.from_json(json.dumps(data), CONFIG)
    assert str(info.value) == "staff model: staff[0]: expected an object with centre, weight and spread"


@pytest.mark.parametrize(
    ("look", "message"),
    [
        (np.ones(12), "a look is a histogram of 28 values, not of shape (12,)"),
        (np.zeros(28), "a look must hold finite values >= 0 with a positive sum"),
        (np.full(28, np.nan), "a look must hold finite values >= 0 with a positive sum"),
    ],
)
def test_a_malformed_look_is_refused(look: np.ndarray, message: str) -> None:
    model = learned(NAVY)
    with pytest.raises(ValueError) as info:
        model.add_staff(look, 100.0)
    assert str(info.value) == message
    with pytest.raises(ValueError):
        model.score(look)


def test_a_look_that_is_not_normalised_is_scored_as_its_normalised_self() -> None:
    model = learned(NAVY)
    assert model.score(3.0 * hist({15: 0.7, 24: 0.3})) == pytest.approx(model.score(NAVY))

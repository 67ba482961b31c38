"""Per-track votes on scripted looks: exact roles and confidences, learning from zones, bounded memory."""

from __future__ import annotations

import numpy as np
import pytest

from cvmon.config.staff import StaffConfig
from cvmon.staff import RoleVerdict, StaffModel, TrackRoles
from cvmon.types.people import PersonRole
from tests.staff.looks import LIGHT_BLUE, NAVY, RED, WHITE, jittered

CONFIG = StaffConfig(min_examples=20, standing_s=10, example_every_s=5, vote_every_s=0.5)


def ready_model(*uniforms: np.ndarray, config: StaffConfig = CONFIG) -> StaffModel:
    model = StaffModel(config)
    for k in range(60):
        model.add_staff(jittered(uniforms[k % len(uniforms)], k), 0.0)
    return model


def sightings(roles: TrackRoles, track_id: int, looks: list[np.ndarray | None], start: float = 0.0, **where: bool):
    """One sighting per 0.5 s (each one votes); returns the last verdict."""
    verdict = roles.role(track_id)
    for k, look in enumerate(looks):
        verdict = roles.observe(track_id, start + 0.5 * k, look, **where)
    return verdict


@pytest.mark.parametrize(
    ("looks", "expected"),
    [
        ([NAVY] * 5, RoleVerdict(PersonRole.STAFF, 6 / 7, 5)),
        ([WHITE] * 5, RoleVerdict(PersonRole.STAFF, 6 / 7, 5)),
        ([RED] * 4, RoleVerdict(PersonRole.CUSTOMER, 5 / 6, 4)),
        ([NAVY, NAVY, NAVY, RED], RoleVerdict(PersonRole.UNSURE, 4 / 6, 4)),  # conflicting votes
        ([NAVY, RED, NAVY, RED], RoleVerdict(PersonRole.UNSURE, 3 / 6, 4)),  # a tie
        ([NAVY], RoleVerdict(PersonRole.UNSURE, 2 / 3, 1)),  # seen once
        ([NAVY, NAVY], RoleVerdict(PersonRole.UNSURE, 3 / 4, 2)),  # fewer than min_votes
        ([NAVY, None, None, NAVY, NAVY], RoleVerdict(PersonRole.STAFF, 4 / 5, 3)),  # hidden sightings do not vote
        ([NAVY] * 10 + [RED] * 2, RoleVerdict(PersonRole.STAFF, 11 / 14, 12)),
    ],
)
def test_votes_over_a_tracks_life(looks: list[np.ndarray | None], expected: RoleVerdict) -> None:
    roles = TrackRoles(CONFIG, ready_model(NAVY, WHITE))
    verdict = sightings(roles, 7, looks)
    assert verdict.role is expected.role
    assert (verdict.confidence, verdict.votes) == pytest.approx((expected.confidence, expected.votes))
    assert roles.role(7) == verdict


def test_unsure_while_the_model_has_not_learned_enough() -> None:
    model = StaffModel(CONFIG)
    for _ in range(19):
        model.add_staff(NAVY, 0.0)
    roles = TrackRoles(CONFIG, model)
    assert sightings(roles, 1, [NAVY] * 6) == RoleVerdict(PersonRole.UNSURE, 1 / 8, 6)


def test_a_customer_dressed_like_staff_is_a_customer_once_customer_zones_showed_that_look() -> None:
    """Seated customers in light blue teach the contrast; then a light-blue passer-by votes customer while a
    frontliner crossing the hall still votes staff."""
    roles = TrackRoles(CONFIG, ready_model(NAVY))
    assert sightings(roles, 1, [LIGHT_BLUE] * 4).role is PersonRole.STAFF  # without contrast: indistinguishable
    for seated in range(10, 16):  # six customers waiting, an example from each every 5 s for a minute
        for k in range(13):
            roles.observe(seated, 100.0 + 5.0 * k, jittered(LIGHT_BLUE, k), in_customer_zone=True)
    assert [round(c.weight) for c in roles.model.customers] == [66]  # from 10 s on: 11 examples each
    assert sightings(roles, 2, [LIGHT_BLUE] * 4, start=200.0) == RoleVerdict(PersonRole.CUSTOMER, 5 / 6, 4)
    assert sightings(roles, 3, [jittered(NAVY, k) for k in range(4)], start=200.0) == RoleVerdict(
        PersonRole.STAFF, 5 / 6, 4
    )


def test_one_vote_per_vote_every_s_at_any_frame_rate() -> None:
    roles = TrackRoles(CONFIG, ready_model(NAVY))
    for k in range(25):  # 25 fps for one second
        roles.observe(1, k / 25, NAVY)
    assert roles.role(1) == RoleVerdict(PersonRole.UNSURE, 3 / 4, 2)  # votes at 0.0 and 0.52 s


def test_standing_in_a_staff_zone_makes_a_track_staff_and_teaches_the_model() -> None:
    model = StaffModel(CONFIG)
    roles = TrackRoles(CONFIG, model)
    for k in range(20):  # 9.5 s in the zone: not yet standing_s
        assert roles.observe(1, 0.5 * k, NAVY, in_staff_zone=True).role is PersonRole.UNSURE
    assert model.staff_examples == 0
    verdict = roles.observe(1, 10.0, NAVY, in_staff_zone=True)
    assert verdict == RoleVerdict(PersonRole.STAFF, 1.0, 0.0)
    for k in range(21, 140):  # until 69.5 s: an example at 10, 15, ..., 65 s
        roles.observe(1, 0.5 * k, NAVY, in_staff_zone=True)
    assert model.staff_examples == pytest.approx(12, rel=1e-3)
    roles.observe(1, 70.0, RED)  # walks off, in any clothes: still the staff member who stood there
    assert roles.role(1) == RoleVerdict(PersonRole.STAFF, 1.0, 0.0)
    assert model.staff_examples == pytest.approx(12, rel=1e-3)  # and teaches nothing outside the zone


def test_leaving_the_staff_zone_restarts_the_standing_clock() -> None:
    roles = TrackRoles(CONFIG, StaffModel(CONFIG))
    for k in range(12):
        roles.observe(1, float(k), NAVY, in_staff_zone=k != 6)  # a step out at 6 s
    assert roles.role(1).role is PersonRole.UNSURE
    roles.observe(1, 17.0, NAVY, in_staff_zone=True)
    assert roles.role(1).role is PersonRole.STAFF


def test_customer_zones_teach_the_contrast_from_those_who_linger() -> None:
    """A customer waiting 24.5 s gives examples at 10, 15 and 20 s; a guide crossing the waiting room in 4.5 s
    none; a guide who stood at their post and then waits with customers none either."""
    model = ready_model(NAVY)
    roles = TrackRoles(CONFIG, model)
    sightings(roles, 1, [NAVY] * 10, in_customer_zone=True)
    sightings(roles, 2, [RED] * 50, in_customer_zone=True)
    sightings(roles, 3, [NAVY] * 21, in_staff_zone=True)
    sightings(roles, 3, [NAVY] * 50, start=10.5, in_customer_zone=True)
    assert [roles.role(tid).role for tid in (1, 2, 3)] == [PersonRole.STAFF, PersonRole.CUSTOMER, PersonRole.STAFF]
    assert [round(c.weight) for c in model.customers] == [3]
    assert model.staff_examples == pytest.approx(61, rel=1e-3)  # the guide's one example at their post


def test_a_guide_lingering_among_customers_lowers_the_uniforms_score_without_cancelling_it() -> None:
    model = ready_model(NAVY)
    roles = TrackRoles(CONFIG, model)
    for tid in range(9):  # nine customers wait a minute each, and a guide stands among them for a minute
        sightings(roles, tid, [jittered(RED, k) for k in range(120)], start=100.0 * tid, in_customer_zone=True)
    sightings(roles, 99, [NAVY] * 120, start=1000.0, in_customer_zone=True)
    assert sorted(round(c.weight) for c in model.customers) == [10, 90]
    assert roles.role(99) == RoleVerdict(PersonRole.STAFF, 121 / 122, 120)
    score, alone = model.score(NAVY), ready_model(NAVY).score(NAVY)
    assert score is not None and alone is not None
    assert CONFIG.staff_vote < score < alone - 0.05  # one look in ten from the waiting room is the guide's


def test_nothing_is_learned_outside_service_hours() -> None:
    model = StaffModel(CONFIG)
    roles = TrackRoles(CONFIG, model)
    for k in range(60):
        roles.observe(1, float(k), NAVY, in_staff_zone=True, learn=False)
        roles.observe(2, float(k), RED, in_customer_zone=True, learn=False)
    assert roles.role(1).role is PersonRole.STAFF
    assert model.staff_examples == 0 and model.customers == ()


def test_forget_keeps_only_live_tracks_and_an_unknown_track_is_unsure() -> None:
    roles = TrackRoles(CONFIG, ready_model(NAVY))
    for tid in range(5):
        sightings(roles, tid, [NAVY] * 3)
    roles.forget({1, 3})
    assert len(roles) == 2
    assert roles.role(0) == RoleVerdict(PersonRole.UNSURE, 0.5, 0.0)
    assert roles.role(1).role is PersonRole.STAFF


def test_memory_stays_bounded_after_many_tracks() -> None:
    config = StaffConfig(min_examples=20, max_tracks=256, forget_after_s=60)
    roles = TrackRoles(config, ready_model(NAVY, config=config))
    for tid in range(10_000):
        roles.observe(tid, 0.1 * tid, RED)
        roles.observe(tid, 0.1 * tid + 0.5, RED)
    assert len(roles) == 256
    assert roles.role(9_999).votes == 2 and roles.role(9_744).votes == 2
    assert roles.role(9_743) == RoleVerdict(PersonRole.UNSURE, 0.5, 0.0)  # the longest unseen went first


def test_tracks_unseen_longest_make_room_first() -> None:
    config = StaffConfig(min_examples=20, max_tracks=3, forget_after_s=60)
    roles = TrackRoles(config, ready_model(NAVY, config=config))
    roles.observe(1, 0.0, RED)
    roles.observe(2, 0.0, RED)
    roles.observe(3, 0.0, RED)
    roles.observe(1, 100.0, RED)
    roles.observe(4, 100.0, RED)  # 2 and 3 unseen for 100 s: both forgotten
    assert len(roles) == 2 and roles.role(2).votes == 0 and roles.role(1).votes == 2


def test_old_votes_give_way_to_recent_ones_past_max_votes() -> None:
    config = StaffConfig(min_examples=20, max_votes=10)
    roles = TrackRoles(config, ready_model(NAVY, config=config))
    sightings(roles, 1, [NAVY] * 10)
    assert roles.role(1) == RoleVerdict(PersonRole.STAFF, 11 / 12, 10)
    sightings(roles, 1, [RED] * 30, start=5.0)
    verdict = roles.role(1)
    staff = 10 * (10 / 11) ** 30
    assert verdict.role is PersonRole.CUSTOMER
    assert (verdict.confidence, verdict.votes) == pytest.approx(((10 - staff + 1) / 12, 10))

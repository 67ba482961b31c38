"""Journeys followed from scripted visit changes, with the exact figures of every minute."""

from __future__ import annotations

import math
from datetime import timedelta

from cvmon.figures import ZoneFigures
from cvmon.flow.counter import JourneyCounter
from cvmon.histogram import DurationHistogram
from cvmon.types import ZoneKind
from cvmon.types.people import PersonRole
from cvmon.zones.visit_changes import VisitChange
from tests.conftest import T0
from tests.flow.scripts import KINDS, STEPS, counter, feed, handover, journey, minutes, path, visit


def timed(seconds: float) -> ZoneFigures:
    """A counter reached by an arrival, after ``seconds`` from the door."""
    return ZoneFigures(reached_counter=1, journey_seconds_sum=seconds, journey_hist=DurationHistogram.of([seconds]))


ARRIVED_MET = ZoneFigures(arrivals=1, met_at_door=1)
QUEUED_GUIDED = ZoneFigures(queued=1, guided_before_queue=1)


def test_a_customer_following_the_whole_journey() -> None:
    c = counter()
    script = path(1, ("pintu", 10, 14), ("meja-pandu", 20, 50), ("antrian", 60, 300), ("loket-1", 310, 500))
    script += visit(1, "pintu", 510, 514)  # walking out through the door: not a new arrival
    feed(c, script, 900)
    assert minutes(c) == {0: ARRIVED_MET, 1: QUEUED_GUIDED, 5: timed(300.0)}
    assert c.retained == {"journeys": 0, "track_ids": 0, "open_minutes": 0}


def test_the_journey_time_runs_from_stepping_in_at_the_door_to_stepping_up_to_the_counter() -> None:
    c = counter()
    feed(c, path(1, ("pintu", 12.5, 14), ("meja-pandu", 20, 30), ("ruang-tunggu", 40, 90), ("loket-2", 97.25, 99)), 120)
    figures = sum(minutes(c).values(), ZoneFigures())
    assert figures.journey_seconds_sum == 84.75
    assert figures.mean_journey_s == 84.75
    assert figures.journey_hist == DurationHistogram.of([84.75])


def test_a_customer_skipping_the_required_guide_desk() -> None:
    c = counter()
    feed(c, path(1, ("pintu", 10, 14), ("antrian", 30, 200), ("loket-2", 210, 400)), 800)
    assert minutes(c) == {
        0: ARRIVED_MET + ZoneFigures(queued=1, skipped_required=1),  # skipped where the queue was reached
        3: timed(200.0),
    }


def test_skipping_an_optional_step_is_no_skip() -> None:
    steps = [dict(s) for s in STEPS]
    steps[2]["required"] = False
    c = counter(steps=steps)
    feed(c, path(1, ("pintu", 10, 14), ("antrian", 30, 200), ("loket-2", 210, 400)), 800)
    assert minutes(c) == {0: ARRIVED_MET + ZoneFigures(queued=1), 3: timed(200.0)}
    # the guard's area is optional in the default journey: nobody above visited it, nobody skipped it


def test_a_guide_desk_visited_after_the_queue_is_not_guided_and_the_queue_skipped_it() -> None:
    c = counter()
    feed(c, path(1, ("pintu", 10, 14), ("antrian", 30, 50), ("meja-pandu", 55, 70), ("loket-1", 80, 90)), 500)
    assert minutes(c) == {0: ARRIVED_MET + ZoneFigures(queued=1, skipped_required=1), 1: timed(70.0)}


def test_a_customer_leaving_the_queue_after_the_minimum_abandons_dated_at_the_queue_exit() -> None:
    c = counter()
    feed(c, path(1, ("pintu", 10, 14), ("meja-pandu", 20, 40), ("antrian", 50, 150), ("pintu", 160, 164)), 463)
    # until the journey times out (300 s after its last visit ended at 164 s) its minutes are not final
    assert c.settled_before(T0 + timedelta(seconds=463)) == T0 + timedelta(seconds=10)
    assert c.pop_complete(c.settled_before(T0 + timedelta(seconds=463))) == []
    feed(c, [], 464, start=464)
    assert c.settled_before(T0 + timedelta(seconds=464)) == T0 + timedelta(seconds=462)
    assert minutes(c) == {0: ARRIVED_MET + QUEUED_GUIDED, 2: ZoneFigures(abandoned=1)}
    assert c.retained == {"journeys": 0, "track_ids": 0, "open_minutes": 0}


def test_a_customer_leaving_the_queue_before_the_minimum_has_not_abandoned() -> None:
    c = counter()
    feed(c, path(1, ("pintu", 10, 14), ("meja-pandu", 20, 40), ("antrian", 50, 109.5)), 800)
    assert minutes(c) == {0: ARRIVED_MET + QUEUED_GUIDED}


def test_waiting_in_overlapping_queue_and_waiting_zones_counts_once() -> None:
    # 30 s in the queue and 30 s in the waiting room, 10 of them in both: 50 s waited, under the minimum of 60
    c = counter()
    script = path(1, ("pintu", 10, 14), ("meja-pandu", 20, 40)) + visit(1, "antrian", 50, 80)
    script += visit(1, "ruang-tunggu", 70, 100)
    feed(c, script, 800)
    assert minutes(c) == {0: ARRIVED_MET + QUEUED_GUIDED}
    c = counter()
    feed(c, script[:-2] + visit(1, "ruang-tunggu", 70, 110), 800)  # 60 s waited
    assert minutes(c) == {0: ARRIVED_MET + QUEUED_GUIDED, 1: ZoneFigures(abandoned=1)}


def test_a_track_the_tracker_let_go_closes_its_journey_at_once() -> None:
    c = counter()
    script = path(1, ("pintu", 10, 14), ("meja-pandu", 20, 40), ("antrian", 50, 150))
    feed(c, script, 170, tracked=lambda t: {1} if t < 165 else set())
    assert minutes(c) == {0: ARRIVED_MET + QUEUED_GUIDED, 2: ZoneFigures(abandoned=1)}
    assert c.retained["journeys"] == 0


def test_arrivals_met_at_the_door_and_while_the_post_was_empty() -> None:
    c = counter()
    script = visit(1, "pintu", 10, 14) + visit(2, "pintu", 70, 74)
    feed(c, script, 900, door=lambda t: t < 60)
    assert minutes(c) == {0: ARRIVED_MET, 1: ZoneFigures(arrivals=1)}


def test_without_a_door_post_nobody_is_met() -> None:
    c = counter(door_post=None)
    feed(c, visit(1, "pintu", 10, 14), 900)
    assert minutes(c) == {0: ZoneFigures(arrivals=1)}


def test_staff_walking_through_customer_zones_count_nothing_and_unsure_tracks_only_as_unsure() -> None:
    c = counter()
    staff = path(7, ("pintu", 10, 14), ("antrian", 30, 200), ("loket-1", 210, 400))
    unsure = path(8, ("pintu", 15, 20), ("antrian", 30, 200))
    customer = path(9, ("pintu", 65, 70))
    roles = {7: PersonRole.STAFF, 8: PersonRole.UNSURE, 9: PersonRole.CUSTOMER}
    feed(c, staff + unsure + customer, 900, roles=roles)
    assert minutes(c) == {0: ZoneFigures(journeys_unsure=1), 1: ARRIVED_MET}


def test_the_default_takes_everyone_for_a_customer() -> None:
    c = counter()
    feed(c, path(7, ("pintu", 10, 14), ("antrian", 30, 200), ("loket-1", 210, 400)), 900)
    assert minutes(c) == {0: ARRIVED_MET + ZoneFigures(queued=1, skipped_required=1), 3: timed(200.0)}


def test_a_track_id_change_mid_journey_is_one_journey() -> None:
    c = counter()
    script = path(1, ("pintu", 10, 14), ("meja-pandu", 20, 40)) + visit(1, "antrian", 50)
    script += handover("antrian", 1, 2, start=50, at=150, last=200) + visit(2, "loket-1", 210, 400)
    feed(c, script, 180)
    assert c.retained == {"journeys": 1, "track_ids": 2, "open_minutes": 0}  # one journey, under both ids
    assert c.pop_complete(c.settled_before(T0 + timedelta(seconds=180))) == []  # it runs on
    feed(c, script, 800, start=181)
    assert minutes(c) == {0: ARRIVED_MET + QUEUED_GUIDED, 3: timed(200.0)}
    assert c.retained == {"journeys": 0, "track_ids": 0, "open_minutes": 0}


def test_a_journey_keeps_its_firm_verdict_when_a_new_id_is_unsure() -> None:
    script = path(1, ("pintu", 10, 14), ("meja-pandu", 20, 40)) + visit(1, "antrian", 50)
    script += handover("antrian", 1, 2, start=50, at=150, last=200)
    c = counter()
    feed(c, script, 800, roles={1: PersonRole.STAFF, 2: PersonRole.UNSURE})
    assert minutes(c) == {}
    c = counter()
    feed(c, script, 800, roles=lambda tid: PersonRole.CUSTOMER if tid == 1 else PersonRole.STAFF)
    assert minutes(c) == {}  # the latest firm verdict (staff, of the new id) decides
    c = counter()
    feed(c, script, 800, roles={2: PersonRole.UNSURE})
    assert minutes(c) == {0: ZoneFigures(journeys_unsure=1)}


def test_a_track_first_seen_in_the_queue_joined_midway_and_is_judged_from_there() -> None:
    c = counter()
    feed(c, path(3, ("antrian", 30, 200), ("loket-1", 210, 400)), 800)
    assert minutes(c) == {0: ZoneFigures(joined_midway=1, queued=1), 3: ZoneFigures(reached_counter=1)}


def test_a_continued_visit_the_counter_did_not_see_begin_starts_a_journey() -> None:
    c = counter()
    feed(c, handover("antrian", 1, 2, start=50, at=150, last=200), 800)
    assert minutes(c) == {0: ZoneFigures(joined_midway=1, queued=1), 3: ZoneFigures(abandoned=1)}


def test_the_end_of_a_segment_cuts_journeys_off_without_judging_abandonment() -> None:
    c = counter()
    feed(c, path(1, ("pintu", 10, 14), ("meja-pandu", 20, 40)) + visit(1, "antrian", 50, 150), 160)
    c.end_segment()
    assert minutes(c) == {0: ARRIVED_MET + QUEUED_GUIDED}
    assert c.retained == {"journeys": 0, "track_ids": 0, "open_minutes": 0}
    assert c.settled_before(T0 + timedelta(hours=1)) == T0 + timedelta(hours=1)


def test_minutes_are_handed_out_once_they_are_over() -> None:
    c = counter()
    feed(c, path(1, ("pintu", 10, 14), ("loket-1", 70, 80)) + visit(2, "pintu", 75, 80), 800)
    assert [m.minute for m in c.pop_complete(T0 + timedelta(seconds=60))] == [T0]
    assert [m.minute for m in c.pop_complete(T0 + timedelta(seconds=119))] == []
    assert [(m.minute, m.figures) for m in c.pop_complete(T0 + timedelta(seconds=120))] == [
        (T0 + timedelta(minutes=1), ZoneFigures(arrivals=1, met_at_door=1, skipped_required=1) + timed(60.0))
    ]


def test_figures_of_two_cameras_add_up_without_following_anyone_between_them() -> None:
    door_kinds = {"pintu": ZoneKind.ENTRANCE, "satpam": ZoneKind.POST, "meja-pandu": ZoneKind.POST}
    door_journey = journey(steps=[{"zones": ["pintu"]}, {"zones": ["meja-pandu"]}], guide_desk=None)
    door = JourneyCounter(door_journey, door_kinds, confirm_s=2.0)
    hall_kinds = {"antrian": ZoneKind.QUEUE, "loket-1": ZoneKind.COUNTER_CUSTOMER}
    hall_journey = journey(steps=[{"zones": ["antrian"]}, {"zones": ["loket-1"]}], guide_desk=None, door_post=None)
    hall = JourneyCounter(hall_journey, hall_kinds, confirm_s=2.0)
    # two customers come in and see the Pandu on the door camera; one is served on the hall camera, the
    # other gives up waiting there (under other track ids: the cameras know nothing of each other)
    feed(door, path(1, ("pintu", 10, 14), ("meja-pandu", 20, 40)) + path(2, ("pintu", 15, 19)), 800)
    feed(hall, path(51, ("antrian", 60, 200), ("loket-1", 210, 300)) + path(52, ("antrian", 65, 145)), 800)
    by_door, by_hall = minutes(door), minutes(hall)
    assert by_door == {0: ZoneFigures(arrivals=2, met_at_door=2)}
    assert by_hall == {
        1: ZoneFigures(joined_midway=2, queued=2),
        2: ZoneFigures(abandoned=1),
        3: ZoneFigures(reached_counter=1),
    }
    office = {m: by_door.get(m, ZoneFigures()) + by_hall.get(m, ZoneFigures()) for m in by_door.keys() | by_hall}
    assert sum(office.values(), ZoneFigures()) == ZoneFigures(
        arrivals=2, met_at_door=2, joined_midway=2, queued=2, abandoned=1, reached_counter=1
    )


def test_a_camera_without_the_counter_judges_no_abandonment() -> None:
    kinds = {"pintu": ZoneKind.ENTRANCE, "ruang-tunggu": ZoneKind.WAITING}
    c = JourneyCounter(
        journey(steps=[{"zones": ["pintu"]}, {"zones": ["ruang-tunggu"]}], guide_desk=None, door_post=None),
        kinds,
        confirm_s=2.0,
    )
    feed(c, path(1, ("pintu", 10, 14), ("ruang-tunggu", 20, 300)), 800)
    assert minutes(c) == {0: ZoneFigures(arrivals=1, queued=1)}


def test_memory_stays_bounded_by_the_people_in_view() -> None:
    c = counter()
    script, ends = [], {}
    for n in range(1000):  # one customer every 10 s, 85 s in view; every other one gives up waiting
        s = 10.0 * n
        if n % 2:
            script += path(n, ("pintu", s, s + 3), ("meja-pandu", s + 5, s + 15), ("antrian", s + 16, s + 80))
        else:
            script += path(n, ("pintu", s, s + 3), ("meja-pandu", s + 5, s + 15), ("antrian", s + 16, s + 50))
            script += visit(n, "loket-2", s + 55, s + 75)
        ends[n] = s + 85
    most = {"journeys": 0, "track_ids": 0}
    total = ZoneFigures()

    def in_view(t: float) -> set[int]:
        recent = range(max(0, int(t // 10) - 9), min(1000, int(t // 10) + 1))
        return {n for n in recent if 10.0 * n <= t <= ends[n]}

    due: dict[int, list[VisitChange]] = {}
    for known, change in script:
        due.setdefault(math.ceil(known), []).append(change)
    for second in range(10_200):
        t = float(second)
        c.update(due.get(second, []), t, T0 + timedelta(seconds=t), True, None, in_view(t))
        most = {k: max(most[k], c.retained[k]) for k in most}
        if second % 100 == 0:
            total = sum((m.figures for m in c.pop_complete(c.settled_before(T0 + timedelta(seconds=t)))), total)
    total = sum((m.figures for m in c.pop_complete(None)), total)
    in_view_most = max(len(in_view(float(t))) for t in range(10_200))
    assert (in_view_most, most) == (9, {"journeys": 9, "track_ids": 9})
    assert c.retained == {"journeys": 0, "track_ids": 0, "open_minutes": 0}
    assert (total.arrivals, total.met_at_door, total.guided_before_queue, total.queued) == (1000, 1000, 1000, 1000)
    assert (total.abandoned, total.reached_counter, total.journey_hist.total) == (500, 500, 500)
    assert total.journey_seconds_sum == 500 * 55.0


def test_the_kinds_of_the_camera_decide_which_zones_wait() -> None:
    c = JourneyCounter(journey(), {**KINDS, "ruang-tunggu": ZoneKind.POST}, confirm_s=2.0)
    feed(c, path(1, ("pintu", 10, 14), ("meja-pandu", 20, 40), ("ruang-tunggu", 50, 300)), 800)
    assert minutes(c) == {0: ARRIVED_MET}  # a post zone is no wait: not queued, not abandoned

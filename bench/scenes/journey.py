"""Journey scenes (issue 17, item 6): one camera sees an office's way from the door to the loket, with
uniformed staff and customers who follow the journey, skip steps or give up.

The floor plan (pixels of the 768x432 room, feet positions, as in ``script.py``), in columns from left to
right: the loket (the frontliner behind it in ``staff``, the customer in front in ``counter``), the queue
along the front from the loket towards the door (``queue``), the guide desk (the Pandu in the ``pandu``
post zone, the customer in front of the desk in ``guide``, a counter_customer zone of its own, so that a
customer never stands in a staff zone), and the door at the back on the right (``door``, an entrance
zone) with the guard standing in front of it (``guard``, a post zone; a customer who stops to be greeted
stands beside the guard, in it).

Staff wear one uniform (``sprites.UNIFORM_TINT``, a hi-vis yellow shirt no customer wears). The
frontliner leaves for 10 s to 3 min now and then (the queue waits); the guard and the Pandu walk now
and then into the queue zone, stand there a few seconds (helping someone) and go back; the guard also
steps out of the door for a while and comes back in through it. A customer comes in at the door (one at
a time) and stops there a moment, may stop at the guard (if the guard is at the post), goes to the guide
desk (some skip it; everyone does when the desk is busy or the Pandu away), joins the tail of the queue,
is called to the loket when the head is free and the frontliner there, is served, and leaves by the door
along the back of the room; some lose patience in the queue and leave the same way.

``journey_plan_for_seed`` draws the benchmark's family; a plan's ``arrivals`` script every customer's
choices instead (tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bench.scenes.script import (
    FPS,
    QUEUE_Y,
    STAFF_DOOR,
    WIDTH,
    Script,
    _Walker,
)

DOOR_IN = (WIDTH + 70.0, 300.0)  # off the picture, beyond the door at the back on the right
DOOR_SPOT = (680.0, 300.0)  # where a customer stops just inside the door
GUARD_POST = (725.0, 352.0)  # the guard stands in front of the door, nearer the camera than who comes in
GUARD_SPOT = (668.0, 352.0)  # a customer stopping at the guard, beside them, straight down from the door
PANDU_POST = (600.0, 318.0)
GUIDE_SPOT = (540.0, 322.0)  # a customer at the guide desk, on the side away from the door
FRONT_POST = (110.0, 295.0)  # the frontliner, behind the loket
LOKET = (200.0, 345.0)  # the customer at the loket
RIGHT_WAY_X = 650.0  # between the door and the queue's row people walk down (and up) here, clear of the Pandu
ABOVE_QUEUE_Y = 360.0  # customers walk to their place in the queue from behind it, at this height
TOUR_Y = 412.0  # staff stand in the queue zone in front of the queue's row, in a gap
STAFF_WALK_Y = 350.0  # staff walk between their post and the queue zone at this height
QUEUE_HEAD_X = 280.0  # the queue runs along the front from the loket towards the door
MAX_JOURNEY_SLOTS = 4
SCRIPT_VERSION = 7  # change when the script draws something else for the same seed and plan

# Columns of the room, left to right: the loket, the queue along the front, the guide desk, the door
# with the guard. Nobody stands behind the queue's row or in front of or behind a staff member, and the
# ways from the door pass behind the Pandu or down the right-hand way, never in front of a staff member
# standing (a nearer person before someone takes their track). Between x 500 and 580 (the pillar's foot
# behind them) the detector misses people walking more often than elsewhere: everyone crosses it, as
# everyone in an office passes its pillars, and the only one who stops there is a customer at the
# guide desk.
JOURNEY_ZONES: dict[str, dict[str, object]] = {
    "door": {"kind": "entrance", "points": [[0.84, 0.64], [1.0, 0.64], [1.0, 0.735], [0.84, 0.735]]},
    "guard": {"kind": "post", "points": [[0.85, 0.765], [0.985, 0.765], [0.985, 0.845], [0.85, 0.845]]},
    "pandu": {"kind": "post", "points": [[0.755, 0.69], [0.83, 0.69], [0.83, 0.775], [0.755, 0.775]]},
    "guide": {"kind": "counter_customer", "points": [[0.655, 0.70], [0.745, 0.70], [0.745, 0.79], [0.655, 0.79]]},
    "queue": {"kind": "queue", "points": [[0.31, 0.85], [0.66, 0.85], [0.66, 0.975], [0.31, 0.975]]},
    "counter": {
        "kind": "counter_customer",
        "queue": "queue",
        "points": [[0.20, 0.745], [0.32, 0.745], [0.32, 0.845], [0.20, 0.845]],
    },
    "staff": {
        "kind": "counter_staff",
        "counter": "counter",
        "points": [[0.06, 0.62], [0.22, 0.62], [0.22, 0.74], [0.06, 0.74]],
    },
}

JOURNEY: dict[str, object] = {
    "steps": [
        {"zones": ["door"], "name": "Pintu masuk"},
        {"zones": ["guard"], "required": False, "name": "Satpam"},
        {"zones": ["guide"], "name": "Meja Pandu"},
        {"zones": ["queue"], "required": False, "name": "Antrean"},
        {"zones": ["counter"], "name": "Loket"},
    ],
    "door_post": "guard",
    "guide_desk": "guide",
}
"""The scenes' journey, as cameras.yaml gives it (cvmon's defaults for abandon_min_s and timeout_s)."""


@dataclass(frozen=True, slots=True)
class Arrival:
    """One customer's choices, scripted (a test's plan): when they come in and what they do."""

    at_s: float
    guard: bool = False  # stop at the guard (if the guard is at the post)
    guide: bool = True  # go to the guide desk (if it is free and the Pandu there)
    patience_s: float | None = None  # give up after this long in the queue; None: stay until served
    service_s: float = 15.0
    speed: float = 110.0  # pixels per second
    door_pause_s: float = 3.0
    guard_talk_s: float = 4.0
    guide_s: float = 10.0


@dataclass(frozen=True, slots=True)
class JourneyScenePlan:
    """The knobs of a journey scene's script; ``journey_plan_for_seed`` draws them, tests set them."""

    duration_s: float
    max_queue: int = 4  # customers between the door and the loket at most (an arrival waits outside)
    arrival_every_s: float = 25.0  # mean time between arrivals (Poisson, gaps cut at 3 times the mean)
    service_s: tuple[float, float] = (12.0, 40.0)
    door_pause_s: tuple[float, float] = (2.0, 4.0)  # a customer stops inside the door this long
    guard_share: float = 0.5  # customers who stop at the guard's post (when the guard is there)...
    guard_talk_s: tuple[float, float] = (3.0, 7.0)  # ...this long
    guide_share: float = 0.7  # customers who go to the guide desk (when it is free and the Pandu there)...
    guide_s: tuple[float, float] = (6.0, 20.0)  # ...this long
    abandon_share: float = 0.25  # customers who give up in the queue...
    patience_s: tuple[float, float] = (50.0, 120.0)  # ...after this long in it (abandonment counts from 60 s)
    staff_walk_every_s: float = 70.0  # mean time between walks of the guard, and of the Pandu, into the queue zone
    walk_stand_s: tuple[float, float] = (3.0, 10.0)  # they stand there this long
    guard_out_every_s: float = 150.0  # mean time between the guard stepping out of the door (0: never)...
    guard_out_s: tuple[float, float] = (10.0, 60.0)  # ...for this long
    absences: tuple[tuple[float, float], ...] | None = None  # the frontliner's (leave at s, away s); None: drawn
    arrivals: tuple[Arrival, ...] | None = None  # every customer scripted; None: drawn
    staff_walks: bool = True  # the guard's and the Pandu's walks and the guard's outings (False: they stay put)
    first_arrival_s: float = 3.0
    last_arrival_s: float | None = None  # default: 60 s before the end


def journey_plan_for_seed(seed: int) -> JourneyScenePlan:
    """The benchmark's family of journey scenes: 4-6 minutes, varied load, queue caps 2-4."""
    rng = np.random.default_rng([seed, 17])
    service = float(rng.uniform(15, 40))
    load = float(rng.uniform(0.9, 1.4))
    return JourneyScenePlan(
        duration_s=float(rng.uniform(240, 360)),
        max_queue=int(rng.integers(2, MAX_JOURNEY_SLOTS + 1)),
        arrival_every_s=(service + 8) / load,
        service_s=(service * 0.5, service * 1.5),
        guard_share=float(rng.uniform(0.2, 0.8)),
        guide_share=float(rng.uniform(0.4, 0.9)),
        abandon_share=float(rng.uniform(0.35, 0.7)),
        staff_walk_every_s=float(rng.uniform(40, 100)),
    )


class _Customer(_Walker):
    def __init__(self, n: int, look: int, frame: int, choice: Arrival) -> None:
        super().__init__(n, "customer", look, choice.speed, DOOR_IN, frame)
        self.choice = choice
        self.until = 0  # frame a pause ends
        self.state = "entering"
        self.service_left = choice.service_s
        self.patience = math.inf if choice.patience_s is None else choice.patience_s
        self.go(DOOR_SPOT)


class _Staff(_Walker):
    def __init__(self, n: int, look: int, post_name: str, post: tuple[float, float]) -> None:
        super().__init__(n, "staff", look, 110.0, post, 0)
        self.person.post = post_name
        self.post = post
        self.state = "at_post"
        self.until = 0
        self.next_walk = 0
        self.next_out = 0
        self.back_at = 0


_PAST_THE_QUEUE = ("to_counter", "served", "leaving", "abandoning", "gone")


def _in_the_door(w: _Walker) -> bool:
    """Someone standing in the doorway, at the guard (straight above it) or walking through it: the next
    arrival waits for them."""
    if w.state in ("entering", "door", "to_guard", "at_guard"):
        return True
    return w.state in ("abandoning", "leaving", "out", "back") and w.pos[0] > DOOR_SPOT[0] - 80 and w.pos[1] < 335


def place_in_queue(i: int) -> tuple[float, float]:
    """Where the i-th of the queue stands (0: the head)."""
    return (QUEUE_HEAD_X + 60.0 * i, QUEUE_Y)


def _frames(s: float) -> int:
    return round(s * FPS)


def _drawn_arrival(rng: np.random.Generator, plan: JourneyScenePlan, at_s: float) -> Arrival:
    patience = float(rng.uniform(*plan.patience_s)) if rng.random() < plan.abandon_share else None
    return Arrival(
        at_s=at_s,
        guard=bool(rng.random() < plan.guard_share),
        guide=bool(rng.random() < plan.guide_share),
        patience_s=patience,
        service_s=float(rng.uniform(*plan.service_s)),
        speed=float(rng.uniform(90, 140)),
        door_pause_s=float(rng.uniform(*plan.door_pause_s)),
        guard_talk_s=float(rng.uniform(*plan.guard_talk_s)),
        guide_s=float(rng.uniform(*plan.guide_s)),
    )


def _frontliner_absences(rng: np.random.Generator, plan: JourneyScenePlan) -> list[tuple[int, int]]:
    """(leave, back) frames of the frontliner: 10 s to 3 min (log-uniform), as in the plain scenes."""
    if plan.absences is not None:
        spans = list(plan.absences)
    else:
        spans, t = [], float(rng.uniform(20, 60))
        while True:
            away = float(math.exp(rng.uniform(math.log(10), math.log(180))))
            if t + away + 40 > plan.duration_s:
                break
            spans.append((t, away))
            t += away + float(rng.exponential(60)) + 15
    return [(_frames(a), _frames(a + w)) for a, w in spans]


def _queue_path(pos: tuple[float, float], target: tuple[float, float]) -> list[tuple[float, float]]:
    """To a place in the queue (never through the people in it): from the door's side down the right-hand
    way to the queue's row and along it to the tail (behind nobody who stands); from elsewhere from behind
    the row; along the row once in it."""
    if pos[1] == QUEUE_Y:
        return [target]
    if pos[0] > PANDU_POST[0]:
        return [(RIGHT_WAY_X, pos[1]), (RIGHT_WAY_X, QUEUE_Y), target]
    return [(target[0], ABOVE_QUEUE_Y), target]


def _to_the_guide_desk(pos: tuple[float, float]) -> list[tuple[float, float]]:
    """To the guide desk from the door's side: from the doorway, passing behind the Pandu (nearer, they
    keep their track), never in front."""
    if pos[1] > DOOR_SPOT[1]:
        return [DOOR_SPOT, GUIDE_SPOT]
    return [GUIDE_SPOT]


def _out_by_the_door(pos: tuple[float, float]) -> list[tuple[float, float]]:
    """From the loket or the queue out of the door: behind the queue's row, up the right-hand way."""
    return [(pos[0] + 30, ABOVE_QUEUE_Y), (RIGHT_WAY_X, ABOVE_QUEUE_Y), (RIGHT_WAY_X, DOOR_SPOT[1]), DOOR_IN]


def _tour_spot(rng: np.random.Generator, line: list[_Customer], taken: list[float]) -> tuple[float, float] | None:
    """A place in the queue zone, in front of its row, with nobody of the queue (or another staff) near."""
    ahead = [w.pos[0] for w in line] + [place_in_queue(i)[0] for i in range(len(line))] + taken
    free = [x for x in range(280, 501, 10) if all(abs(x - a) > 65 for a in ahead)]
    return (float(rng.choice(free)), TOUR_Y) if free else None


def make_journey_script(seed: int, plan: JourneyScenePlan, customer_looks: list[int], staff_looks: list[int]) -> Script:
    """Simulate a journey scene frame by frame; deterministic for a seed, a plan and the looks."""
    rng = np.random.default_rng([seed, 18])
    n = _frames(plan.duration_s)
    dt = 1.0 / FPS
    script = Script(seed, plan, n, zones=JOURNEY_ZONES)
    order = [staff_looks[i % len(staff_looks)] for i in rng.permutation(3)]
    front = _Staff(n, order[0], "frontliner", FRONT_POST)
    guard = _Staff(n, order[1], "guard", GUARD_POST)
    pandu = _Staff(n, order[2], "pandu", PANDU_POST)
    staff = [front, guard, pandu]
    walks = plan.staff_walks and plan.staff_walk_every_s > 0
    for s in (guard, pandu):
        s.next_walk = _frames(rng.exponential(plan.staff_walk_every_s)) + 30 if walks else n
    guard.next_out = (
        _frames(rng.exponential(plan.guard_out_every_s)) + 60 if plan.staff_walks and plan.guard_out_every_s > 0 else n
    )
    leaves = _frontliner_absences(rng, plan)
    customers: list[_Customer] = []
    line: list[_Customer] = []
    at_counter: _Customer | None = None
    guard_spot: _Customer | None = None  # the customer at (or heading for) the guard
    guide_desk: _Customer | None = None  # the customer at (or heading for) the guide desk
    last_arrival = plan.last_arrival_s if plan.last_arrival_s is not None else plan.duration_s - 60
    scripted = list(plan.arrivals) if plan.arrivals is not None else None
    next_arrival = _frames(plan.first_arrival_s)

    def to_guide_or_queue(w: _Customer, f: int) -> None:
        nonlocal guide_desk
        if w.choice.guide and guide_desk is None and pandu.state == "at_post":
            guide_desk = w
            w.state = "to_guide"
            w.person.guided = True
            w.go(*_to_the_guide_desk(w.pos))
        else:
            w.state = "queue"
            w.joined_at = f
            line.append(w)

    for f in range(n):
        # the frontliner leaves and comes back
        for leave, back in leaves:
            if f == leave and front.state == "at_post":
                front.state = "going_out"
                front.go(STAFF_DOOR)
            if f == back and front.state in ("going_out", "away"):
                front.state = "returning"
                front.go(FRONT_POST)
        # arrivals, one at a time through the door: the next waits outside while someone stands in it
        waiting_outside = sum(w.state not in _PAST_THE_QUEUE for w in customers)
        door_busy = any(_in_the_door(w) for w in [*customers, guard])
        if scripted is not None:
            if scripted and f >= _frames(scripted[0].at_s) and not door_busy:
                choice = scripted.pop(0)
                customers.append(_Customer(n, int(rng.choice(customer_looks)), f, choice))
        elif f >= next_arrival and not door_busy:
            if f <= last_arrival * FPS and waiting_outside < plan.max_queue:
                look = int(rng.choice(customer_looks))
                customers.append(_Customer(n, look, f, _drawn_arrival(rng, plan, f / FPS)))
            gap = min(float(rng.exponential(plan.arrival_every_s)), 3 * plan.arrival_every_s)
            next_arrival = f + max(1, _frames(gap))
        # customers on their way: door, guard, guide desk, queue
        for w in customers:
            if w.state == "entering" and not w.route:
                w.state, w.until = "door", f + _frames(w.choice.door_pause_s)
            elif w.state == "door" and f >= w.until:
                if w.choice.guard and guard_spot is None and guard.state == "at_post":
                    guard_spot = w
                    w.state = "to_guard"
                    w.person.stopped_at_guard = True
                    w.go(GUARD_SPOT)
                else:
                    to_guide_or_queue(w, f)
            elif w.state == "to_guard" and not w.route:
                w.state, w.until = "at_guard", f + _frames(w.choice.guard_talk_s)
            elif w.state == "at_guard" and f >= w.until:
                guard_spot = None
                to_guide_or_queue(w, f)
            elif w.state == "to_guide" and not w.route:
                w.state, w.until = "at_guide", f + _frames(w.choice.guide_s)
            elif w.state == "at_guide" and f >= w.until:
                guide_desk = None
                w.state = "queue"
                w.joined_at = f
                line.append(w)
        # the queue: everyone heads for their place; the head is called when the loket is free
        front_in = front.state == "at_post"
        if at_counter is None and line and front_in and line[0].pos == place_in_queue(0) and not line[0].route:
            head = line.pop(0)
            head.state = "to_counter"
            head.go(LOKET)
            at_counter = head
        for i, w in enumerate(line):
            target = place_in_queue(i)
            if (w.route[-1] if w.route else w.pos) != target:
                w.go(*_queue_path(w.pos, target))
            if w.pos[1] == QUEUE_Y and (f - w.joined_at) * dt > w.patience and not w.route:
                w.state = "abandoning"
                w.person.abandoned = True
                w.go(*_out_by_the_door(w.pos))
        line = [w for w in line if w.state == "queue"]
        # service
        if at_counter is not None and at_counter.state == "to_counter" and not at_counter.route:
            at_counter.state = "served"
        if at_counter is not None and at_counter.state == "served" and front_in:
            at_counter.service_left -= dt
            if at_counter.service_left <= 0:
                at_counter.state = "leaving"
                at_counter.person.served = True
                at_counter.go(*_out_by_the_door(at_counter.pos))
                at_counter = None
        # the guard and the Pandu: walks into the queue zone, the guard's outings
        taken = [s.route[-1][0] for s in (guard, pandu) if s.state == "tour" and s.route]
        taken += [s.pos[0] for s in (guard, pandu) if s.state == "tour_stand"]
        for s, busy in ((guard, guard_spot), (pandu, guide_desk)):
            if f >= s.next_walk:
                s.next_walk = f + max(1, _frames(rng.exponential(plan.staff_walk_every_s)))
                spot = _tour_spot(rng, line, taken) if s.state == "at_post" and busy is None else None
                if spot is not None:
                    s.state = "tour"
                    s.go((s.post[0], STAFF_WALK_Y), spot)
                    taken.append(spot[0])
        if f >= guard.next_out:
            guard.next_out = f + max(1, _frames(rng.exponential(plan.guard_out_every_s)))
            if guard.state == "at_post" and guard_spot is None:
                guard.state = "out"
                guard.until = _frames(float(rng.uniform(*plan.guard_out_s)))
                guard.go(DOOR_SPOT, DOOR_IN)
        for s in (guard, pandu):
            if s.state == "tour" and not s.route:
                s.state, s.until = "tour_stand", f + _frames(float(rng.uniform(*plan.walk_stand_s)))
            elif s.state == "tour_stand" and f >= s.until:
                s.state = "back"
                s.go((s.pos[0], STAFF_WALK_Y), (s.post[0], STAFF_WALK_Y), s.post)
            elif s.state == "back" and not s.route:
                s.state = "at_post"
            elif s.state == "out" and not s.route:
                s.state, s.back_at = "away", f + s.until
            elif s.state == "away" and f >= s.back_at:
                s.state = "back"
                s.pos = DOOR_IN
                s.go(DOOR_SPOT, s.post)
        # move everyone
        for w in [*staff, *customers]:
            if w.state == "gone":
                continue
            done = w.step(f, dt)
            if done and w.state in ("leaving", "abandoning"):
                w.state = "gone"
            if w.state in ("gone", "away"):
                w.person.x[f] = w.person.y[f] = np.nan
        if front.state == "going_out" and not front.route:
            front.state = "away"
            front.person.x[f] = front.person.y[f] = np.nan
        if front.state == "returning" and not front.route:
            front.state = "at_post"
    script.people.extend(w.person for w in [*staff, *customers])
    return script

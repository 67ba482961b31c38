"""The random script of a scene: who is where on every frame, from a seed.

Everything is in pixels of the 768x432 room, feet positions (the bottom centre of a person).
A customer walks in from the right to the tail of the queue, steps forward as the queue advances,
walks to the counter when the head is called (only while the staff member is at the post), is
served for a random time (the service pauses while the staff is away), then leaves to the left;
some lose patience and leave the queue down-right without being served. A staff member stands at
the post and now and then walks out to the left for 10 s to 3 min. Passers-by cross the room
along the back wall (through the staff zone), in front of the camera (hiding the queue behind
them) or straight through the queue. Now and then a board is held in front of a person standing
still, hiding them completely for 0.5-2 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

WIDTH, HEIGHT, FPS = 768, 432, 10

# The floor plan (pixels). Zones are drawn around where people stand, with room to spare.
STAFF_POST = (150.0, 292.0)
STAFF_DOOR = (-70.0, 300.0)
COUNTER = (330.0, 342.0)
QUEUE_Y = 398.0
QUEUE_HEAD_X = 420.0
SLOT_SPACING = 60.0
ENTRY = (WIDTH + 80.0, QUEUE_Y)
SERVED_EXIT = ((200.0, 362.0), (-80.0, 372.0))
BACK_Y = 268.0
FRONT_Y = 452.0
MAX_SLOTS = 6

ZONES: dict[str, dict[str, object]] = {
    "queue": {"kind": "queue", "points": [[0.50, 0.85], [0.95, 0.85], [0.95, 0.975], [0.50, 0.975]]},
    "counter": {
        "kind": "counter_customer",
        "queue": "queue",
        "points": [[0.34, 0.72], [0.49, 0.72], [0.49, 0.83], [0.34, 0.83]],
    },
    "staff": {
        "kind": "counter_staff",
        "counter": "counter",
        "points": [[0.08, 0.60], [0.30, 0.60], [0.30, 0.74], [0.08, 0.74]],
    },
}


def person_height(y: float) -> float:
    """Height in pixels of a person whose feet are at ``y`` (perspective: farther is smaller)."""
    return 0.62 * (y - 95.0)


def slot(i: int) -> tuple[float, float]:
    return (QUEUE_HEAD_X + SLOT_SPACING * i, QUEUE_Y)


@dataclass(frozen=True, slots=True)
class ScenePlan:
    """The knobs of a scene's script; ``plan_for_seed`` draws them, tests set them."""

    duration_s: float
    max_queue: int = 6
    arrival_every_s: float = 15.0  # mean time between arrivals (Poisson)
    service_s: tuple[float, float] = (12.0, 40.0)  # uniform range of a service's length
    abandon_share: float = 0.15  # customers who leave the queue unserved...
    patience_s: tuple[float, float] = (8.0, 50.0)  # ...after this long in it
    passer_every_s: float = 30.0  # mean time between passers-by (0: none)
    occlusion_every_s: float = 35.0  # mean time between boards held in front of someone (0: none)
    absences: tuple[tuple[float, float], ...] | None = None  # (leave at s, away s); None: drawn
    staff_look: int | None = None
    first_arrival_s: float = 1.0
    last_arrival_s: float | None = None  # default: 20 s before the end


def plan_for_seed(seed: int) -> ScenePlan:
    """The benchmark's family of scenes: 2-4 minutes, varied load, queue caps 1-6."""
    rng = np.random.default_rng([seed, 1])
    service = float(rng.uniform(12, 35))
    load = float(rng.uniform(0.8, 1.4))
    return ScenePlan(
        duration_s=float(rng.uniform(120, 240)),
        max_queue=int(rng.integers(1, MAX_SLOTS + 1)),
        arrival_every_s=(service + 5) / load,
        service_s=(service * 0.5, service * 1.5),
        abandon_share=float(rng.uniform(0.0, 0.3)),
        passer_every_s=float(rng.uniform(15, 45)),
        occlusion_every_s=float(rng.uniform(20, 50)),
    )


@dataclass(slots=True)
class Person:
    """One person's track over the scene: feet position per frame (NaN while off-screen)."""

    role: str  # "customer", "staff" or "passer"
    look: int  # which person of the sprite bank
    x: np.ndarray
    y: np.ndarray
    moving: np.ndarray  # bool: walking on this frame
    flip: np.ndarray  # bool: facing left on this frame
    served: bool = False
    abandoned: bool = False
    # journey scenes (bench/scenes/journey.py) only: what the script had this person do
    post: str = ""  # a staff member's post: "frontliner", "guard" or "pandu"
    stopped_at_guard: bool = False  # a customer who stopped at the guard's post
    guided: bool = False  # a customer who went to the guide desk

    def on_screen(self) -> np.ndarray:
        return ~np.isnan(self.x)


@dataclass(frozen=True, slots=True)
class Board:
    """A board held in front of someone: a filled rectangle drawn over frames first..last."""

    first: int
    last: int
    box: tuple[int, int, int, int]
    colour: tuple[int, int, int]
    person: int


@dataclass(slots=True)
class Script:
    seed: int
    plan: Any  # ScenePlan, or journey.JourneyScenePlan
    n_frames: int
    people: list[Person] = field(default_factory=list)
    boards: list[Board] = field(default_factory=list)
    zones: dict[str, dict[str, object]] = field(default_factory=lambda: ZONES)  # the scene's zones

    @property
    def fps(self) -> int:
        return FPS


class _Walker:
    """A person being simulated: where they are, where they go, what they do."""

    def __init__(self, n: int, role: str, look: int, speed: float, start: tuple[float, float], frame: int) -> None:
        self.person = Person(
            role,
            look,
            np.full(n, np.nan),
            np.full(n, np.nan),
            np.zeros(n, bool),
            np.zeros(n, bool),
        )
        self.speed = speed
        self.pos = start
        self.route: list[tuple[float, float]] = []
        self.state = "new"
        self.since = frame
        self.facing_left = False
        self.service_left = 0.0
        self.patience = math.inf
        self.joined_at = frame

    def go(self, *points: tuple[float, float]) -> None:
        self.route = list(points)

    def step(self, frame: int, dt: float) -> bool:
        """Move along the route for one frame and record it; True when the route is done."""
        budget = self.speed * dt
        moved = False
        while self.route and budget > 0:
            tx, ty = self.route[0]
            dx, dy = tx - self.pos[0], ty - self.pos[1]
            dist = math.hypot(dx, dy)
            if dist <= budget:
                self.pos = (tx, ty)
                self.route.pop(0)
                budget -= dist
            else:
                self.pos = (self.pos[0] + dx / dist * budget, self.pos[1] + dy / dist * budget)
                budget = 0
            if abs(dx) > 0.5:
                self.facing_left = dx < 0
            moved = moved or dist > 0
        p = self.person
        p.x[frame], p.y[frame] = self.pos
        p.moving[frame] = moved
        p.flip[frame] = self.facing_left
        return not self.route


def _absences(rng: np.random.Generator, plan: ScenePlan) -> list[tuple[float, float]]:
    if plan.absences is not None:
        return list(plan.absences)
    out = []
    t = float(rng.uniform(8, 40))
    while True:
        away = float(math.exp(rng.uniform(math.log(10), math.log(180))))
        if t + away + 25 > plan.duration_s:
            break
        out.append((t, away))
        t += away + float(rng.exponential(45)) + 8
    return out


def make_script(seed: int, plan: ScenePlan, looks: list[int]) -> Script:
    """Simulate the scene frame by frame; deterministic for a seed, a plan and a sprite bank."""
    rng = np.random.default_rng([seed, 2])
    n = round(plan.duration_s * FPS)
    dt = 1.0 / FPS
    script = Script(seed, plan, n)
    staff_look = plan.staff_look if plan.staff_look is not None else int(rng.choice(looks))
    customer_looks = [lk for lk in looks if lk != staff_look] or looks

    staff = _Walker(n, "staff", staff_look, 110.0, STAFF_POST, 0)
    staff.state = "at_post"
    leaves = [(round(a * FPS), round((a + w) * FPS)) for a, w in _absences(rng, plan)]
    walkers: list[_Walker] = [staff]
    line: list[_Walker] = []  # the queue, head first
    at_counter: _Walker | None = None
    last_arrival = plan.last_arrival_s if plan.last_arrival_s is not None else plan.duration_s - 20
    next_arrival = round(plan.first_arrival_s * FPS)
    next_passer = round(rng.exponential(plan.passer_every_s) * FPS) if plan.passer_every_s > 0 else n
    next_board = round(rng.exponential(plan.occlusion_every_s) * FPS) + 30 if plan.occlusion_every_s > 0 else n

    for f in range(n):
        # staff leaves and comes back
        for leave, back in leaves:
            if f == leave and staff.state == "at_post":
                staff.state = "leaving"
                staff.go(STAFF_DOOR)
            if f == back:
                staff.state = "returning"
                staff.go(STAFF_POST)
        # arrivals
        if f >= next_arrival:
            if f <= last_arrival * FPS and len(line) < plan.max_queue:
                w = _Walker(n, "customer", int(rng.choice(customer_looks)), float(rng.uniform(90, 140)), ENTRY, f)
                w.state = "queue"
                w.service_left = float(rng.uniform(*plan.service_s))
                if rng.random() < plan.abandon_share:
                    w.patience = float(rng.uniform(*plan.patience_s))
                w.joined_at = f
                line.append(w)
                walkers.append(w)
            next_arrival = f + max(1, round(rng.exponential(plan.arrival_every_s) * FPS))
        # passers-by
        if f >= next_passer:
            walkers.append(_passer(rng, n, f, looks, line))
            next_passer = f + max(1, round(rng.exponential(plan.passer_every_s) * FPS))
        # the queue: everyone heads for their slot; the head is called when the counter is free
        staff_in = staff.state == "at_post"
        if at_counter is None and line and staff_in and line[0].pos == slot(0) and not line[0].route:
            head = line.pop(0)
            head.state = "to_counter"
            head.go(COUNTER)
            at_counter = head
        for i, w in enumerate(line):
            target = slot(i)
            if (w.route[-1] if w.route else w.pos) != target:
                w.go(*_path_to(w.pos, target))
            if w.pos[1] == QUEUE_Y and (f - w.joined_at) * dt > w.patience and not w.route:
                w.state = "abandoning"
                w.person.abandoned = True
                w.go((w.pos[0] + 60, 440.0), (w.pos[0] + 160, 560.0))
        line = [w for w in line if w.state == "queue"]
        # service
        if at_counter is not None and at_counter.state == "to_counter" and not at_counter.route:
            at_counter.state = "served"
        if at_counter is not None and at_counter.state == "served" and staff_in:
            at_counter.service_left -= dt
            if at_counter.service_left <= 0:
                at_counter.state = "leaving"
                at_counter.person.served = True
                at_counter.go(*SERVED_EXIT)
                at_counter = None
        # boards held in front of someone standing still
        if f >= next_board:
            board = _board(rng, f, n, walkers)
            if board is not None:
                script.boards.append(board)
            next_board = f + max(1, round(rng.exponential(plan.occlusion_every_s) * FPS))
        # move everyone
        for w in walkers:
            if w.state == "gone":
                continue
            done = w.step(f, dt)
            if done and w.state in ("leaving", "abandoning", "passing"):
                w.state = "gone"
                w.person.x[f] = w.person.y[f] = np.nan
        if staff.state == "leaving" and not staff.route:
            staff.state = "away"
        if staff.state == "away":
            staff.person.x[f] = staff.person.y[f] = np.nan
        if staff.state == "returning" and not staff.route:
            staff.state = "at_post"
        # a walker who left the room is off-screen
        for w in walkers:
            if w.state == "gone":
                w.person.x[f] = w.person.y[f] = np.nan
    for w in walkers:
        script.people.append(w.person)
    # boards refer to people by index
    script.boards = [b for b in script.boards if b.person < len(script.people)]
    return script


def _path_to(pos: tuple[float, float], target: tuple[float, float]) -> list[tuple[float, float]]:
    """Walk in along the queue's row, then step forward."""
    if pos[1] != QUEUE_Y:
        return [(pos[0], QUEUE_Y), target] if pos[0] > -1 else [target]
    return [target]


def _passer(rng: np.random.Generator, n: int, f: int, looks: list[int], line: list[_Walker]) -> _Walker:
    kind = rng.choice(["back", "front", "through"], p=[0.4, 0.35, 0.25])
    left_to_right = bool(rng.random() < 0.5)
    look = int(rng.choice(looks))
    if kind == "back":
        y = BACK_Y + float(rng.uniform(-8, 8))
        a, b = (-60.0, y), (WIDTH + 60.0, y)
        speed = float(rng.uniform(100, 150))
        route = [b]
    elif kind == "front":
        a, b = (-120.0, FRONT_Y), (WIDTH + 120.0, FRONT_Y)
        speed = float(rng.uniform(170, 240))
        route = [b]
    else:  # straight through the queue zone, from the bottom edge to the back wall and out
        # through a gap: nobody of the queue within 70 px
        free = [x for x in range(60, 700, 10) if all(abs(x - w.pos[0]) > 70 for w in line)]
        x = float(rng.choice(free)) if free else 60.0
        a = (x, 520.0)
        b = (x + 60, BACK_Y + 10)
        route = [b, (WIDTH + 60.0, BACK_Y + 10) if left_to_right else (-60.0, BACK_Y + 10)]
        speed = float(rng.uniform(110, 150))
        left_to_right = True
    if not left_to_right:
        a, b = b, a
        route = [b]
    w = _Walker(n, "passer", look, speed, a, f)
    w.state = "passing"
    w.go(*route)
    return w


def _board(rng: np.random.Generator, f: int, n: int, walkers: list[_Walker]) -> Board | None:
    """A board over someone who stands still now, for 0.5-2 s."""
    still = [i for i, w in enumerate(walkers) if w.state in ("queue", "served", "at_post") and not w.route]
    if not still:
        return None
    i = int(rng.choice(still))
    x, y = walkers[i].pos
    h = person_height(y)
    half = 0.3 * h + 8
    frames = round(float(rng.uniform(0.5, 2.0)) * FPS)
    box = (int(x - half), int(y - h - 10), int(x + half), int(y + 12))
    colour = tuple(int(c) for c in rng.integers(40, 200, 3))
    return Board(f, min(n - 1, f + frames - 1), box, (colour[0], colour[1], colour[2]), i)

"""Staff or customer, per track: votes of its sightings over its life, in memory only.

Each sighting with a look votes staff (score >= ``staff_vote``), customer (<= ``customer_vote``) or
unsure (in between, or while the camera's model is not ready); at most one vote per ``vote_every_s``,
so the frame rate does not matter. A track's role is the side with more votes once it has
``min_votes`` and a confidence ((votes for it + 1) / (all votes + 2)) of ``min_confidence``; otherwise
it is unsure, and says so. A track that stood ``standing_s`` in a staff zone is staff whatever it
looks like, and while it stays there teaches the model (one example per ``example_every_s``). A
track that stood ``standing_s`` in a customer zone (waiting, queueing, at a counter's customer side)
teaches the customer contrast, unless it stood in a staff zone: customers linger there, staff
mostly pass through, and the contrast weighs each look by its share, so a few staff lingering among
customers lower the uniform's score a little rather than cancel it. Only vote counts are kept per track, and only
while the track lives (``forget``); nothing of it is ever stored.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from cvmon.config.staff import StaffConfig
from cvmon.staff.model import StaffModel
from cvmon.types.people import PersonRole


class Role(enum.StrEnum):
    STAFF = "staff"
    CUSTOMER = "customer"
    UNSURE = "unsure"


@dataclass(frozen=True, slots=True)
class RoleVerdict:
    """A track's role and how sure it is: the estimated probability of the leading side, 0.5 with no votes
    (for a track that stood in a staff zone, 1). ``votes``: the sightings that voted (scaled past ``max_votes``)."""

    role: PersonRole
    confidence: float
    votes: float


UNKNOWN = RoleVerdict(PersonRole.UNSURE, 0.5, 0.0)
STOOD_IN_STAFF_ZONE = RoleVerdict(PersonRole.STAFF, 1.0, 0.0)


@dataclass(slots=True)
class _Track:
    last_seen_t: float
    staff: float = 0.0
    customer: float = 0.0
    unsure: float = 0.0
    last_vote_t: float | None = None
    last_example_t: float | None = None
    in_staff_zone_since: float | None = None
    stood_in_staff_zone: bool = False
    in_customer_zone_since: float | None = None


def _since(since: float | None, t: float, inside: bool) -> float | None:
    """When an unbroken stay in a zone began (None: not in it now)."""
    if not inside:
        return None
    return t if since is None else since


class TrackRoles:
    """The role of each live track of one camera, voted by the camera's ``model``."""

    def __init__(self, config: StaffConfig, model: StaffModel) -> None:
        self.config = config
        self.model = model
        self._tracks: dict[int, _Track] = {}

    def __len__(self) -> int:
        return len(self._tracks)

    def observe(
        self,
        track_id: int,
        t: float,
        look: np.ndarray | None,
        *,
        in_staff_zone: bool = False,
        in_customer_zone: bool = False,
        learn: bool = True,
    ) -> RoleVerdict:
        """Note a sighting of ``track_id`` at ``t`` (seconds) with its torso ``look`` (None: not seen clearly)
        and where its feet are; ``learn`` (e.g. during service hours) lets it teach the model. Returns its role."""
        track = self._tracks.get(track_id)
        if track is None:
            self._make_room(t)
            track = self._tracks[track_id] = _Track(last_seen_t=t)
        track.last_seen_t = max(track.last_seen_t, t)
        self._note_zones(track, t, in_staff_zone, in_customer_zone and not in_staff_zone)
        if look is not None:
            if track.last_vote_t is None or t - track.last_vote_t >= self.config.vote_every_s:
                self._vote(track, self.model.score(look))
                track.last_vote_t = t
            if learn:
                self._teach(track, look, t)
        return self._verdict(track)

    def role(self, track_id: int) -> RoleVerdict:
        """The role of ``track_id`` (unsure for a track never observed or forgotten)."""
        track = self._tracks.get(track_id)
        return UNKNOWN if track is None else self._verdict(track)

    def forget(self, live_ids: Collection[int]) -> None:
        """Forget every track not in ``live_ids`` (the tracker's live ids)."""
        self._tracks = {tid: tr for tid, tr in self._tracks.items() if tid in live_ids}

    def _note_zones(self, track: _Track, t: float, in_staff_zone: bool, in_customer_zone: bool) -> None:
        track.in_staff_zone_since = _since(track.in_staff_zone_since, t, in_staff_zone)
        track.in_customer_zone_since = _since(track.in_customer_zone_since, t, in_customer_zone)
        if self._standing(track.in_staff_zone_since, t):
            track.stood_in_staff_zone = True

    def _standing(self, since: float | None, t: float) -> bool:
        return since is not None and t - since >= self.config.standing_s

    def _vote(self, track: _Track, score: float | None) -> None:
        if score is None or self.config.customer_vote < score < self.config.staff_vote:
            track.unsure += 1
        elif score >= self.config.staff_vote:
            track.staff += 1
        else:
            track.customer += 1
        total = track.staff + track.customer + track.unsure
        if total > self.config.max_votes:
            scale = self.config.max_votes / total
            track.staff, track.customer, track.unsure = (v * scale for v in (track.staff, track.customer, track.unsure))

    def _teach(self, track: _Track, look: np.ndarray, t: float) -> None:
        if track.last_example_t is not None and t - track.last_example_t < self.config.example_every_s:
            return
        if self._standing(track.in_staff_zone_since, t):
            self.model.add_staff(look, t)
        elif self._standing(track.in_customer_zone_since, t) and not track.stood_in_staff_zone:
            self.model.add_customer(look, t)
        else:
            return
        track.last_example_t = t

    def _verdict(self, track: _Track) -> RoleVerdict:
        if track.stood_in_staff_zone:
            return STOOD_IN_STAFF_ZONE
        total = track.staff + track.customer + track.unsure
        lead, role = (
            (track.staff, PersonRole.STAFF) if track.staff >= track.customer else (track.customer, PersonRole.CUSTOMER)
        )
        confidence = (lead + 1.0) / (total + 2.0)
        tied = track.staff == track.customer
        if tied or total < self.config.min_votes or confidence < self.config.min_confidence:
            role = PersonRole.UNSURE
        return RoleVerdict(role, confidence, total)

    def _make_room(self, t: float) -> None:
        """Keep at most ``max_tracks``: first drop those unseen ``forget_after_s``, then the longest unseen."""
        if len(self._tracks) < self.config.max_tracks:
            return
        cutoff = t - self.config.forget_after_s
        self._tracks = {tid: tr for tid, tr in self._tracks.items() if tr.last_seen_t > cutoff}
        while len(self._tracks) >= self.config.max_tracks:
            oldest = min(self._tracks, key=lambda tid: self._tracks[tid].last_seen_t)
            del self._tracks[oldest]

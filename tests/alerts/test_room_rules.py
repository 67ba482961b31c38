"""room_not_ready at opening and room_changed during the day (cvmon.alerts.room_rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cvmon.alerts.room_rules import RoomPhase, evaluate_room_rules
from cvmon.alerts.rules import RulesState
from cvmon.config.rules import BUILT_IN, RoomRule
from cvmon.types import CAMERA_ZONE, ChangeKind, Rule
from cvmon.types.room import RegionFinding, RegionStatus, RoomCondition, RoomFindings

T0 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
A, C, H = RegionStatus.AS_REFERENCE, RegionStatus.CHANGED, RegionStatus.NOT_VISIBLE


def found(condition: RoomCondition = RoomCondition.OK, **regions: RegionStatus) -> RoomFindings:
    return RoomFindings(
        condition, 0.9, 0.0, tuple(RegionFinding(k, v, 0.25 if v is C else 0.0) for k, v in regions.items())
    )


def run(
    checks: list[tuple[float, RoomPhase, RoomFindings]], rules=BUILT_IN
) -> list[tuple[float, Rule, str, ChangeKind, float]]:  # type: ignore[no-untyped-def]
    state, out = RulesState(), []
    for t, phase, f in checks:
        state, changes = evaluate_room_rules(state, f, phase, rules, t, T0 + timedelta(seconds=t))
        out += [(t, c.rule, c.zone_id, c.kind, c.value) for c in changes]
    return out


def test_not_ready_at_opening_opens_and_clears_once_ready() -> None:
    got = run(
        [
            (0, RoomPhase.OPENING, found(meja=C, kursi=A)),
            (60, RoomPhase.DAY, found(meja=C, kursi=A)),
            (120, RoomPhase.DAY, found(meja=A, kursi=A)),
        ]
    )
    assert got == [
        (0, Rule.ROOM_NOT_READY, CAMERA_ZONE, ChangeKind.OPENED, 1),
        (120, Rule.ROOM_NOT_READY, CAMERA_ZONE, ChangeKind.CLEARED, 0),
    ]


def test_ready_at_opening_opens_nothing_and_a_later_change_is_room_changed() -> None:
    got = run(
        [
            (0, RoomPhase.OPENING, found(meja=A)),
            (60, RoomPhase.DAY, found(meja=C)),
            (120, RoomPhase.DAY, found(meja=H)),  # people in front of it: the alert stays as it is
            (180, RoomPhase.DAY, found(meja=A)),
        ]
    )
    assert got == [
        (60, Rule.ROOM_CHANGED, "meja", ChangeKind.OPENED, 25.0),
        (180, Rule.ROOM_CHANGED, "meja", ChangeKind.CLEARED, 0.0),
    ]


def test_lights_off_during_the_day_is_a_camera_level_room_change() -> None:
    got = run([(0, RoomPhase.OPENING, found(meja=A)), (60, RoomPhase.DAY, found(RoomCondition.LIGHTS_OFF, meja=H))])
    assert got == [(60, Rule.ROOM_CHANGED, CAMERA_ZONE, ChangeKind.OPENED, 0.0)]


def test_lights_off_at_opening_is_not_ready() -> None:
    got = run([(0, RoomPhase.OPENING, found(RoomCondition.LIGHTS_OFF, meja=H))])
    assert got == [(0, Rule.ROOM_NOT_READY, CAMERA_ZONE, ChangeKind.OPENED, 0)]


def test_while_not_ready_is_open_a_change_is_not_reported_twice() -> None:
    got = run([(0, RoomPhase.OPENING, found(meja=C)), (60, RoomPhase.DAY, found(meja=C, kursi=C))])
    assert got == [
        (0, Rule.ROOM_NOT_READY, CAMERA_ZONE, ChangeKind.OPENED, 1),
        (60, Rule.ROOM_NOT_READY, CAMERA_ZONE, ChangeKind.PEAK, 2),  # now two regions are not as they should be
    ]


def test_disabled_rules_open_nothing() -> None:
    rules = BUILT_IN.model_copy(
        update={"room_not_ready": RoomRule(enabled=False), "room_changed": RoomRule(enabled=False)}
    )
    assert run([(0, RoomPhase.OPENING, found(meja=C)), (60, RoomPhase.DAY, found(meja=C))], rules) == []

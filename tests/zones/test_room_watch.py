"""A room change counts only once it has persisted (cvmon.zones.room_watch)."""

from __future__ import annotations

from cvmon.types.room import RegionFinding, RegionStatus, RoomCondition, RoomFindings
from cvmon.zones.room_watch import RoomWatch, watch

A, C, H = RegionStatus.AS_REFERENCE, RegionStatus.CHANGED, RegionStatus.NOT_VISIBLE


def found(condition: RoomCondition = RoomCondition.OK, **regions: RegionStatus) -> RoomFindings:
    return RoomFindings(
        condition, 0.9, 0.0, tuple(RegionFinding(k, v, 0.1 if v is C else 0.0) for k, v in regions.items())
    )


def run(checks: list[tuple[float, RoomFindings]], persist_s: float = 300) -> list[RoomFindings]:
    state, out = RoomWatch(), []
    for t, f in checks:
        state, confirmed = watch(state, f, t, persist_s)
        out.append(confirmed)
    return out


def test_a_change_counts_after_it_persisted() -> None:
    got = run([(0, found(meja=C)), (120, found(meja=C)), (300, found(meja=C))])
    assert [g.region("meja").status for g in got] == [A, A, C]


def test_a_passing_change_never_counts() -> None:
    got = run([(0, found(meja=C)), (120, found(meja=A)), (240, found(meja=C)), (480, found(meja=C))])
    assert [g.region("meja").status for g in got] == [A, A, A, A]


def test_a_hidden_region_keeps_its_timer() -> None:
    got = run([(0, found(meja=C)), (200, found(meja=H)), (320, found(meja=C))])
    assert [g.region("meja").status for g in got] == [A, H, C]


def test_lights_off_counts_after_it_persisted_and_hides_the_regions_until_then() -> None:
    dark = found(RoomCondition.LIGHTS_OFF, meja=H)
    got = run([(0, dark), (100, dark), (300, dark), (400, found(meja=A))])
    assert [g.condition for g in got] == [
        RoomCondition.OK,
        RoomCondition.OK,
        RoomCondition.LIGHTS_OFF,
        RoomCondition.OK,
    ]
    assert [g.region("meja").status for g in got] == [H, H, H, A]
    assert not got[2].ready and got[3].ready

"""The plain family of generated scenes (bench/scenes/script.py) draws the scenes the published accuracy
table was measured on: the journey family added beside it must not change a single position."""

from __future__ import annotations

import hashlib

from bench.scenes import GENERATOR_VERSION, _key, plan_for_seed, scene_script

# sha256 of seeds 1, 7 and 30's cache keys, every person's role, look, positions, gait and facing, and the
# boards, as generator 1.3 draws them (main at 52e2cfb, before the journey family).
PLAIN_1_3 = "0d7b2f3e35815404b185c2679027becd387863f7c3e18801390741cfc813c553"


def test_the_plain_family_draws_the_scenes_of_generator_1_3() -> None:
    assert GENERATOR_VERSION == "1.3"
    digest = hashlib.sha256()
    for seed in (1, 7, 30):
        script = scene_script(seed)
        digest.update(_key(seed, plan_for_seed(seed)).encode())
        for p in script.people:
            digest.update(p.role.encode())
            digest.update(str(p.look).encode())
            for values in (p.x, p.y, p.moving, p.flip):
                digest.update(values.tobytes())
        digest.update(repr(script.boards).encode())
    assert digest.hexdigest() == PLAIN_1_3

"""Render a script onto the empty room: sprites scaled for perspective, drawn far to near."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from bench.scenes.script import FPS, Script, person_height
from bench.scenes.sprites import Sprite, SpriteBank, paste

STAND_FRAMES_PER_POSE = 8  # a standing person changes pose (the next frame of the clip) every 0.8 s
WALK_FRAMES_PER_POSE = 2


class _Looks:
    """Each person of the bank: standing and walking sprites, and their usual standing height."""

    def __init__(self, bank: SpriteBank) -> None:
        self.standing = {p: sorted(bank.of(p, False), key=lambda s: s.frame) for p in bank.people}
        self.walking = {p: sorted(bank.of(p, True), key=lambda s: s.frame) for p in bank.people}
        self.height = {p: float(np.median([s.image.shape[0] for s in self.standing[p]])) for p in bank.people}

    def sprite(self, look: int, walking: bool, step: int) -> Sprite:
        poses = self.walking[look] if walking else self.standing[look]
        per = WALK_FRAMES_PER_POSE if walking else STAND_FRAMES_PER_POSE
        # back and forth through the clip's frames, so poses follow each other smoothly
        k = (step // per) % max(1, 2 * len(poses) - 2) if len(poses) > 1 else 0
        return poses[k if k < len(poses) else 2 * len(poses) - 2 - k]


def render(script: Script, bank: SpriteBank, path: Path) -> None:
    """Encode the scene as H.264 at the script's fps (written to a temporary name, then moved)."""
    looks = _Looks(bank)
    tmp = path.with_name(f".{path.name}.tmp.mp4")
    walked = [0] * len(script.people)
    with av.open(str(tmp), mode="w") as container:
        stream = container.add_stream("libx264", rate=Fraction(FPS, 1))
        stream.width, stream.height = bank.background.shape[1], bank.background.shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "20"}
        for f in range(script.n_frames):
            canvas = bank.background.copy()
            here = [i for i, p in enumerate(script.people) if not np.isnan(p.x[f])]
            for i in sorted(here, key=lambda i: (script.people[i].y[f], i)):
                p = script.people[i]
                walking = bool(p.moving[f])
                walked[i] = walked[i] + 1 if walking else walked[i]
                step = walked[i] if walking else f + 7 * i
                sprite = looks.sprite(p.look, walking, step)
                height = person_height(float(p.y[f])) * sprite.image.shape[0] / looks.height[p.look]
                paste(canvas, sprite, float(p.x[f]), float(p.y[f]), height, bool(p.flip[f]))
            for b in script.boards:
                if b.first <= f <= b.last:
                    cv2.rectangle(canvas, b.box[:2], b.box[2:], b.colour, thickness=-1)
            frame = av.VideoFrame.from_ndarray(canvas, format="bgr24")
            frame.pts = f
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    tmp.replace(path)

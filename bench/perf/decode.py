"""Decoding cost with PyAV (the part of a camera's CPU that is paid for every frame, analysed or not).

Decode rows decode a whole clip: FFmpeg's frame threads (thread_type AUTO, thread_count 0) or one
thread; the H.264 loop filter skipped (``skip_loop_filter=all``); a copy encoded with B-frames decoded
whole or with non-reference frames skipped (``skip_frame = "NONREF"``); the 640x360 sub-stream. Wall
and CPU (process_time: every thread of the process) milliseconds per video frame (frames in the
stream, whether or not the decoder put them out), medians over repeats.

Conversion rows time turning an analysed frame (sampled at the analysis fps) into a BGR array, as
cvmon's sources do (``to_ndarray(format="bgr24")``, whose swscale context picks its own threads), or
with ``threads=1``; in a pass of their own that decodes on one thread, so that the process's CPU
during a conversion is the conversion's (swscale's threads included).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from perf.common import clip_info, median, spread


def _open_stream(container: Any, threads: int, skip_loop_filter: bool, skip_nonref: bool) -> Any:
    stream = container.streams.video[0]
    if threads == 1:  # as cvmon.sources.file.FileSource(decode_threads=1)
        stream.codec_context.thread_count = 1
    else:
        stream.thread_type = "AUTO"
        stream.codec_context.thread_count = threads
    if skip_loop_filter:
        stream.codec_context.options = {"skip_loop_filter": "all"}
    if skip_nonref:
        stream.codec_context.skip_frame = "NONREF"
    return stream


def decode_pass(clip: Path, threads: int, skip_loop_filter: bool = False, skip_nonref: bool = False) -> dict[str, Any]:
    """Decode every frame of ``clip``: wall and CPU seconds, frames in the stream and put out."""
    import av

    packets = frames_out = 0
    with av.open(str(clip)) as c:
        stream = _open_stream(c, threads, skip_loop_filter, skip_nonref)
        t, cpu = time.perf_counter(), time.process_time()
        for packet in c.demux(stream):
            if packet.size:
                packets += 1
            for _ in packet.decode():
                frames_out += 1
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        thread_count = stream.codec_context.thread_count
    return {"frames": packets, "frames_out": frames_out, "s": wall, "cpu_s": cpu, "thread_count": thread_count}


def convert_pass(clip: Path, fps: float, threads: int | None) -> dict[str, Any]:
    """Convert the frames sampled at ``fps`` to BGR (decoding on one thread): wall and CPU seconds."""
    import av

    from cvmon.sources.base import FrameSampler

    sampler = FrameSampler(fps)
    kwargs = {} if threads is None else {"threads": threads}
    n = frames = 0
    wall = cpu = 0.0
    t0: float | None = None
    with av.open(str(clip)) as c:
        stream = _open_stream(c, 1, False, False)
        for frame in c.decode(stream):
            frames += 1
            ft = float(frame.time or 0.0)
            t0 = ft if t0 is None else t0
            if not sampler.take(ft - t0):
                continue
            t, p = time.perf_counter(), time.process_time()
            frame.to_ndarray(format="bgr24", **kwargs)
            wall += time.perf_counter() - t
            cpu += time.process_time() - p
            n += 1
    return {"frames": frames, "frames_out": n, "s": wall, "cpu_s": cpu, "thread_count": threads}


def run(params: dict[str, Any]) -> dict[str, Any]:
    clip = Path(params["clip"])
    info = clip_info(clip)
    fps = float(params["fps"])
    if params.get("what") == "convert":
        threads = params.get("threads")

        def one() -> dict[str, Any]:
            return convert_pass(clip, fps, threads)

        per_s = fps  # conversions per second of video: the analysed frames
    else:
        args = (clip, int(params["threads"]), bool(params.get("skip_loop_filter")), bool(params.get("skip_nonref")))

        def one() -> dict[str, Any]:
            return decode_pass(*args)

        per_s = float(info.get("fps") or 25)  # every frame of the stream is read
    one()  # warm the file cache and the code
    runs = [one() for _ in range(params["repeat"])]
    unit = "frames_out" if params.get("what") == "convert" else "frames"
    ms = [1000 * r["s"] / max(r[unit], 1) for r in runs]
    cpu_ms = [1000 * r["cpu_s"] / max(r[unit], 1) for r in runs]
    return {
        "key": params["key"],
        "what": params.get("what", "decode"),
        "clip": info,
        "threads_asked": params.get("threads"),
        "thread_count": runs[0]["thread_count"],  # decode: what the codec context reports once open
        "skip_loop_filter": bool(params.get("skip_loop_filter")),
        "skip_nonref": bool(params.get("skip_nonref")),
        "repeats": len(runs),
        "frames": runs[0]["frames"],
        "frames_out": runs[0]["frames_out"],
        "per_s": per_s,  # how many times a camera pays this per second
        "ms": median(ms),
        "ms_min_max": spread(ms),
        "cpu_ms": median(cpu_ms),
        "cpu_ms_min_max": spread(cpu_ms),
    }

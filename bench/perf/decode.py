"""Decoding cost with PyAV (the part of a camera's CPU that is paid for every frame, analysed or not).

Each variant decodes a whole clip: FFmpeg's frame threads (thread_type AUTO, thread_count 0) or one
thread; the H.264 loop filter skipped (``skip_loop_filter=all``); a copy encoded with B-frames decoded
whole or with non-reference frames skipped (``skip_frame = "NONREF"``); the 640x360 sub-stream. Wall
and CPU (process_time: every thread of the process) milliseconds per video frame (frames in the
stream, whether or not the decoder put them out), medians over repeats; and the cost of turning an
analysed frame (sampled at the analysis fps) into a BGR array, as cvmon's sources do (its CPU is the
converting thread's own; the process's CPU less that is the decoding's, FFmpeg's threads included).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from perf.common import clip_info, median, spread


def _one_pass(clip: Path, threads: int, skip_loop_filter: bool, skip_nonref: bool, fps: float) -> dict[str, Any]:
    import av

    from cvmon.sources.base import FrameSampler

    sampler = FrameSampler(fps)
    packets = frames_out = converted = 0
    convert_s = convert_cpu_s = 0.0
    with av.open(str(clip)) as c:
        stream = c.streams.video[0]
        if threads == 1:
            stream.codec_context.thread_count = 1
        else:
            stream.thread_type = "AUTO"
            stream.codec_context.thread_count = threads
        if skip_loop_filter:
            stream.codec_context.options = {"skip_loop_filter": "all"}
        if skip_nonref:
            stream.codec_context.skip_frame = "NONREF"
        t0: float | None = None
        t, cpu = time.perf_counter(), time.process_time()
        for packet in c.demux(stream):
            if packet.size:
                packets += 1
            for frame in packet.decode():
                frames_out += 1
                ft = float(frame.time or 0.0)
                t0 = ft if t0 is None else t0
                if sampler.take(ft - t0):
                    # the conversion runs on this thread: its CPU is this thread's (process_time
                    # would also count what FFmpeg's frame threads decode meanwhile)
                    ct, cc = time.perf_counter(), time.thread_time()
                    frame.to_ndarray(format="bgr24")
                    convert_s += time.perf_counter() - ct
                    convert_cpu_s += time.thread_time() - cc
                    converted += 1
        wall = time.perf_counter() - t - convert_s
        cpu = time.process_time() - cpu - convert_cpu_s
        thread_count = stream.codec_context.thread_count
    return {
        "packets": packets,
        "frames_out": frames_out,
        "converted": converted,
        "decode_s": wall,
        "decode_cpu_s": cpu,
        "convert_s": convert_s,
        "convert_cpu_s": convert_cpu_s,
        "thread_count": thread_count,
    }


def run(params: dict[str, Any]) -> dict[str, Any]:
    clip = Path(params["clip"])
    info = clip_info(clip)
    args = (clip, int(params["threads"]), bool(params.get("skip_loop_filter")), bool(params.get("skip_nonref")))
    _one_pass(*args, params["fps"])  # warm the file cache and the decoder's code
    runs = [_one_pass(*args, params["fps"]) for _ in range(params["repeat"])]
    per = [1000 * r["decode_s"] / max(r["packets"], 1) for r in runs]
    per_cpu = [1000 * r["decode_cpu_s"] / max(r["packets"], 1) for r in runs]
    conv = [1000 * r["convert_s"] / max(r["converted"], 1) for r in runs]
    conv_cpu = [1000 * r["convert_cpu_s"] / max(r["converted"], 1) for r in runs]
    return {
        "key": params["key"],
        "clip": info,
        "threads_asked": params["threads"],
        "thread_count": runs[0]["thread_count"],  # what the codec context reports after opening
        "skip_loop_filter": bool(params.get("skip_loop_filter")),
        "skip_nonref": bool(params.get("skip_nonref")),
        "repeats": len(runs),
        "frames": runs[0]["packets"],
        "frames_out": runs[0]["frames_out"],
        "converted": runs[0]["converted"],
        "decode_ms": median(per),
        "decode_ms_min_max": spread(per),
        "decode_cpu_ms": median(per_cpu),
        "convert_ms": median(conv),
        "convert_cpu_ms": median(conv_cpu),
    }

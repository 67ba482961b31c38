"""One measurement in a process of its own: ``worker.py TASK PARAMS_JSON OUT_JSON``.

Started by bench/run_all.py (and by the capacity search for each camera process); writes its result as
JSON to OUT_JSON, progress and library noise go to stdout/stderr.
"""

from __future__ import annotations

import contextlib
import json
import sys
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/, for `import perf`


def versions(_params: dict[str, Any]) -> dict[str, Any]:
    import os
    import platform

    out: dict[str, Any] = {"python": platform.python_version(), "cores": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                out["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        out["cpu"] = platform.processor() or platform.machine()
    for mod in ("onnxruntime", "av", "cv2", "numpy", "torch", "ultralytics"):
        with contextlib.suppress(ImportError):
            out[mod] = __import__(mod).__version__
    return out


def main() -> int:
    task, params_json, out_path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    params = json.loads(params_json)
    from perf import capacity, common, decode, detectors, pipeline, quantize, side_by_side

    tasks = {
        "versions": versions,
        "export_yolo11n": lambda p: common.export_yolo11n(p.get("weights")),
        "make_clip": lambda p: {"path": str(common.named_clip(p.get("name", "1080p"), p.get("seconds")))},
        "quantize": lambda p: quantize.int8_model(frames=p.get("frames", 30)),
        "detector": detectors.run,
        "session_options": detectors.session_options,
        "decode": decode.run,
        "e2e": pipeline.run,
        "capacity_host": capacity.host,
        "sbs_cvmon": side_by_side.cvmon_run,
        "sbs_naive": side_by_side.naive_run,
        "sbs_qm": side_by_side.queue_manager_run,
    }
    try:
        result = tasks[task](params)
    except Exception as err:
        traceback.print_exc()
        result = {"error": f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"}
        out_path.write_text(json.dumps(result))
        return 1
    out_path.write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

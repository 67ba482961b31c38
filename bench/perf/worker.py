"""One measurement in a process of its own: ``worker.py TASK PARAMS_JSON OUT_JSON``.

Started by bench/run_all.py (and by the capacity search for each camera); writes its result as
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
    from perf import capacity, common, detectors, pipeline, side_by_side

    tasks = {
        "versions": versions,
        "export_yolo11n": lambda p: common.export_yolo11n(p.get("weights")),
        "make_clip": lambda p: {"path": str(common.make_hd_clip(p.get("seconds")))},
        "detector": detectors.run,
        "e2e": pipeline.run,
        "camera": capacity.camera,
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

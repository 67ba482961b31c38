#!/usr/bin/env bash
# The test command: the whole suite against the shared models and footage beside the project.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${CVMON_SHARED_DIR:-$(cd .. && pwd)/shared}
export CVMON_MODEL_DIR=${CVMON_MODEL_DIR:-$SHARED/models}
export CVMON_FOOTAGE_DIR=${CVMON_FOOTAGE_DIR:-$SHARED/footage}
export CVMON_MIRROR_DIR=${CVMON_MIRROR_DIR:-$SHARED}
# Two pytest workers (pytest-xdist), a test file each at a time: many tests wait on servers, browsers
# and subprocesses, so two workers keep the two cores busy. CVMON_TEST_WORKERS=0 runs in one process.
workers=${CVMON_TEST_WORKERS:-2}
dist=()
if [ "$workers" != 0 ]; then dist=(-n "$workers" --dist loadfile); fi
exec .venv/bin/python -m pytest -q -p no:cacheprovider --durations=15 "${dist[@]}" "$@"

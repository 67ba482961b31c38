#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine and starts the services:
# Debian packages (GStreamer RTSP server, Chromium), the project with its dev extra in .venv,
# and a running PostgreSQL on 127.0.0.1:5432. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

apt_packages=(
  python3 python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  mosquitto chromium fonts-dejavu-core poppler-utils libpango-1.0-0 libpangoft2-1.0-0
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# PostgreSQL: the tests use a real server on 127.0.0.1:5432 (trust auth, user postgres).
if command -v pg_isready >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting PostgreSQL"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

# Mosquitto: the MQTT tests publish to a real broker on 127.0.0.1:1883.
if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
  echo "starting Mosquitto"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf || mosquitto -d -p 1883
  for _ in $(seq 1 20); do (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null && break; sleep 0.5; done
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# The Ultralytics extra brings a CUDA build of torch (about 5.5 GB, taken from local disk where
# pip has it); CVMON_SKIP_ULTRALYTICS=1 leaves it out and its tests are then skipped.
extras="dev,cluster"
if [ "${CVMON_SKIP_ULTRALYTICS:-0}" != 1 ]; then extras="dev,cluster,ultralytics"; fi
.venv/bin/python -m pip install -q -e ".[$extras]"
echo "test environment ready"

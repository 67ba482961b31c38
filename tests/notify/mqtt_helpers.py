"""MQTT helpers of the tests: a real paho subscriber, a private Mosquitto that can be stopped, a silent broker."""

from __future__ import annotations

import queue
import shutil
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

BROKER_HOST = "127.0.0.1"
BROKER_PORT = 1883


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Subscriber:
    """A real paho client subscribed (QoS 1) to ``topic_filter``, collecting what arrives."""

    def __init__(self, port: int = BROKER_PORT, topic_filter: str = "cvmon/#") -> None:
        self.messages: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self._subscribed = threading.Event()
        self._client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"cvmon-test-sub-{uuid.uuid4().hex[:8]}"
        )
        self._client.on_connect = lambda c, _u, _f, _rc, _p: c.subscribe(topic_filter, qos=1)
        self._client.on_subscribe = lambda _c, _u, _mid, _rcs, _p: self._subscribed.set()
        self._client.on_message = lambda _c, _u, msg: self.messages.put(msg)
        self._client.connect(BROKER_HOST, port, keepalive=30)
        self._client.loop_start()
        if not self._subscribed.wait(5):
            self.close()
            raise AssertionError(f"no SUBACK from the broker on port {port} within 5 s")

    def next_on(self, topic: str, timeout_s: float = 5.0) -> mqtt.MQTTMessage:
        """The next message on ``topic`` (others, from other tests or runs, are skipped)."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = self.messages.get(timeout=left)
            except queue.Empty:
                break
            if msg.topic == topic:
                return msg
        raise AssertionError(f"no message on {topic} within {timeout_s} s")

    def none_on(self, topic: str, wait_s: float = 0.3) -> bool:
        """True when nothing arrives on ``topic`` within ``wait_s``."""
        try:
            self.next_on(topic, wait_s)
        except AssertionError:
            return True
        return False

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


class PrivateBroker:
    """A Mosquitto of this test, on a free port of 127.0.0.1, that can be stopped and started again."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)
        if binary is None:
            raise AssertionError("the mosquitto binary is not installed (apt-get install mosquitto)")
        self._binary = binary
        self.port = free_port()
        self._config = folder / "mosquitto.conf"
        self._config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._process = subprocess.Popen(
            [self._binary, "-c", str(self._config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self._process.poll() is not None:
                    break
                time.sleep(0.02)
        self.stop()
        raise AssertionError(f"mosquitto did not start listening on port {self.port}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(5)
            self._process = None


class SilentBroker:
    """A TCP server that answers CONNECT with a CONNACK and then never acknowledges anything."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self._sock.settimeout(0.1)
        self.port = int(self._sock.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        answered = False
        with conn:
            while not self._stop.is_set():
                try:
                    data = conn.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                if not answered and data[0] >> 4 == 1:  # CONNECT
                    conn.sendall(b"\x20\x02\x00\x00")  # CONNACK, accepted
                    answered = True

    def close(self, *_: Any) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(2)

#!/usr/bin/python3
"""A small real RTSP server for tests: a looping video file or a test pattern, H.264 over RTSP.

Run it with Debian's Python (python3-gi, gir1.2-gst-rtsp-server-1.0, GStreamer plugins)::

    /usr/bin/python3 tests/rtsp_server.py --port 8554 --path /cam --pattern
    /usr/bin/python3 tests/rtsp_server.py --port 8554 --path /cam --file VIDEO.mp4
    /usr/bin/python3 tests/rtsp_server.py --port 8554 --path /cam --pattern --user admin:secret

It listens on 127.0.0.1 only and prints ``READY rtsp://127.0.0.1:PORT/PATH`` once it listens
(``--port 0`` picks a free port). A file is decoded, looped forever and re-encoded live, so every
client sees an endless stream with advancing timestamps, as from a camera. With ``--user`` the
stream needs HTTP basic authentication, as most cameras do; the printed URL carries no credentials.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

# Encoders in order of preference, with settings for low latency and a key frame every second.
ENCODERS = {
    "x264enc": "x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} bitrate=1500",
    "openh264enc": "openh264enc gop-size={gop} complexity=low",
    "avenc_h264": "avenc_h264 gop-size={gop}",
}


def choose_encoder(gop: int) -> str:
    """The first available H.264 encoder, as a launch-line fragment."""
    for name, launch in ENCODERS.items():
        if Gst.ElementFactory.find(name) is not None:
            return launch.format(gop=gop)
    raise SystemExit(f"no H.264 encoder found (tried {', '.join(ENCODERS)}): install gstreamer1.0-plugins-ugly")


def pattern_launch(width: int, height: int, fps: int) -> str:
    return (
        f"( videotestsrc is-live=true pattern=ball ! video/x-raw,width={width},height={height},framerate={fps}/1 "
        f"! videoconvert ! video/x-raw,format=I420 ! {choose_encoder(fps)} ! video/x-h264,profile=baseline "
        "! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


class FileLoop:
    """Decodes a video file at its own pace, forever, and pushes raw frames into the served media."""

    def __init__(self, path: str) -> None:
        self.pipeline = Gst.parse_launch(
            f'filesrc location="{path}" ! decodebin ! videoconvert ! video/x-raw,format=I420 '
            "! appsink name=sink emit-signals=true sync=true max-buffers=2 drop=true"
        )
        self.sink = self.pipeline.get_by_name("sink")
        self.sink.connect("new-sample", self._on_sample)
        self._appsrc: Gst.Element | None = None
        self._lock = threading.Lock()
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message", self._on_message)

    def start(self) -> None:
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            raise SystemExit("cannot play the video file")
        self.pipeline.get_state(Gst.CLOCK_TIME_NONE)

    def caps(self) -> tuple[str, int]:
        """Raw caps of the decoded video and its whole frames per second (waits for the first frame)."""
        pad = self.sink.get_static_pad("sink")
        for _ in range(100):
            caps = pad.get_current_caps()
            if caps is not None:
                s = caps.get_structure(0)
                ok, num, den = s.get_fraction("framerate")
                if not (ok and num and den):
                    num, den = 25, 1
                size = f"width={s.get_int('width')[1]},height={s.get_int('height')[1]}"
                return f"video/x-raw,format=I420,{size},framerate={num}/{den}", max(1, round(num / den))
            GLib.usleep(50_000)
        raise SystemExit("the video file did not decode")

    def attach(self, appsrc: Gst.Element | None) -> None:
        with self._lock:
            self._appsrc = appsrc

    def _on_sample(self, sink: Gst.Element) -> Gst.FlowReturn:
        sample = sink.emit("pull-sample")
        with self._lock:
            appsrc = self._appsrc
        if sample is None or appsrc is None:
            return Gst.FlowReturn.OK
        buf = sample.get_buffer().copy_deep()
        # The served media stamps buffers with its own running time (do-timestamp).
        buf.pts = Gst.CLOCK_TIME_NONE
        buf.dts = Gst.CLOCK_TIME_NONE
        appsrc.emit("push-buffer", buf)
        return Gst.FlowReturn.OK

    def _on_message(self, _bus: Gst.Bus, message: Gst.Message) -> None:
        if message.type == Gst.MessageType.EOS:
            self.pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, 0)
        elif message.type == Gst.MessageType.ERROR:
            err, _debug = message.parse_error()
            print(f"file pipeline error: {err.message}", file=sys.stderr, flush=True)


def require_basic_auth(server: GstRtspServer.RTSPServer, factory: GstRtspServer.RTSPMediaFactory, user: str) -> None:
    """Let only ``USER:PASS`` (HTTP basic authentication) see or play the stream; others get 401."""
    name, sep, password = user.partition(":")
    if not (name and sep):
        raise SystemExit("--user needs USER:PASS")
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, name)
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(name, password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role(name, GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
    permissions.add_permission_for_role(name, GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
    factory.set_permissions(permissions)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8554, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--path", default="/cam", help="mount path, e.g. /cam")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", help="video file to loop forever")
    source.add_argument("--pattern", action="store_true", help="moving-ball test pattern")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--user", help="USER:PASS: require HTTP basic authentication")
    args = parser.parse_args()
    path = args.path if args.path.startswith("/") else "/" + args.path

    Gst.init(None)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_shared(True)
    loop_source: FileLoop | None = None
    if args.pattern:
        factory.set_launch(pattern_launch(args.width, args.height, args.fps))
    else:
        loop_source = FileLoop(args.file)
        loop_source.start()
        caps, gop = loop_source.caps()
        factory.set_launch(
            f"( appsrc name=src is-live=true format=time do-timestamp=true caps={caps} "
            f"! videoconvert ! {choose_encoder(gop)} ! video/x-h264,profile=baseline "
            "! rtph264pay name=pay0 pt=96 config-interval=1 )"
        )

        def on_configure(_factory: GstRtspServer.RTSPMediaFactory, media: GstRtspServer.RTSPMedia) -> None:
            assert loop_source is not None
            loop_source.attach(media.get_element().get_by_name("src"))
            media.connect("unprepared", lambda _m: loop_source.attach(None))

        factory.connect("media-configure", on_configure)

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    if args.user:
        require_basic_auth(server, factory, args.user)
    server.get_mount_points().add_factory(path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
        return 1

    loop = GLib.MainLoop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"READY rtsp://127.0.0.1:{server.get_bound_port()}{path}", flush=True)
    loop.run()
    if loop_source is not None:
        loop_source.pipeline.set_state(Gst.State.NULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())

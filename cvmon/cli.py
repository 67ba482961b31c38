"""The ``cvmon`` command line. Only this module turns errors into exit codes and one-line messages."""

from __future__ import annotations

import contextlib
import json
import shlex
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from cvmon import __version__
from cvmon.cli_greeting import greeting_app
from cvmon.cli_imports import import_app
from cvmon.cli_params import DatabaseOption, TableFormat, TableOrJson, argument
from cvmon.cli_reports import report_command
from cvmon.cli_server import audit_app, serve, users_app
from cvmon.cli_tables import new_table, show
from cvmon.cli_tables import stdout as out
from cvmon.errors import ConfigError, CvmonError
from cvmon.logs import configure_logging
from cvmon.storage.config_history import sync_config

if TYPE_CHECKING:
    from cvmon.cli_progress import FrameProgress
    from cvmon.sources.file import FileSource
    from cvmon.storage.database import Database
    from cvmon.types import FrameResult

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # click's plain help: options with their metavar (FILE, ID), flags bare, long lines wrapped;
    # typer's rich panels print Python types (<str>, <bool>) and cut environment variable names.
    rich_markup_mode=None,
    help="cvmon: queues, staffing and wait times of customer-service offices from CCTV.\n\n"
    "Settings come from CVMON_* environment variables (see the README). An error prints one line, "
    "'cvmon: error: ...', and exits non-zero.",
)
config_app = typer.Typer(no_args_is_help=True, help="Check cameras.yaml and print its schema.")
models_app = typer.Typer(no_args_is_help=True, help="List and fetch detector models.")
alerts_app = typer.Typer(no_args_is_help=True, help="List, acknowledge and resolve alerts.")
retention_app = typer.Typer(no_args_is_help=True, help="Delete data past its retention period.")
evidence_app = typer.Typer(no_args_is_help=True, help="List anonymised snapshots and check their integrity.")
room_app = typer.Typer(no_args_is_help=True, help="Room readiness: a camera's reference picture of its tidy room.")
app.add_typer(config_app, name="config")
app.add_typer(models_app, name="models")
app.add_typer(alerts_app, name="alerts")
app.add_typer(retention_app, name="retention")
app.add_typer(evidence_app, name="evidence")
app.add_typer(room_app, name="room")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(import_app, name="import")
app.add_typer(greeting_app, name="greeting")

err = Console(stderr=True, highlight=False, markup=False, emoji=False, soft_wrap=True)


def _print_version(value: bool) -> None:
    if value:
        out.print(f"cvmon {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True)
    ] = False,
) -> None:
    """The options before any command."""
    configure_logging()


# -- config ---------------------------------------------------------------------------------------


@config_app.command("check")
def config_check(path: Annotated[Path, argument("FILE")]) -> None:
    """Validate FILE (a cameras.yaml): print every problem with its path and exit 2 if there is one."""
    from cvmon.config import load_config

    try:
        config = load_config(path)
    except ConfigError as e:
        for problem in e.problems:
            err.print(problem if ": " in problem else f"{path}: {problem}", markup=False)
        raise typer.Exit(2) from None
    zones = sum(len(c.zones) for c in config.cameras)
    _say(f"{path}: ok ({len(config.units)} units, {len(config.cameras)} cameras, {zones} zones)")


@config_app.command("schema")
def config_schema() -> None:
    """Print the JSON schema of cameras.yaml (for editors)."""
    from cvmon.config.models import Config

    sys.stdout.write(json.dumps(Config.model_json_schema(), indent=2) + "\n")


# -- models ---------------------------------------------------------------------------------------


@models_app.command("list")
def models_list() -> None:
    """Show the registered models and which are present in the model directory."""
    from cvmon.detectors.model_registry import model_statuses
    from cvmon.settings import get_settings

    settings = get_settings()
    table = new_table(
        f"models in {settings.resolved_model_dir}", ("name", "layout", "input", "present", "sha256", "licence"), left=6
    )
    for s in model_statuses(settings.resolved_model_dir):
        sha = "" if s.sha_ok is None else ("ok" if s.sha_ok else "MISMATCH")
        table.add_row(
            s.entry.name, s.entry.layout, str(s.entry.input_size), "yes" if s.present else "no", sha, s.entry.licence
        )
    show(table)


@models_app.command("pull")
def models_pull(
    name: Annotated[str, argument("NAME")],
    offline: Annotated[
        bool, typer.Option("--offline", help="Only copy from the mirror folder, never download.")
    ] = False,
) -> None:
    """Fetch the registered model NAME (e.g. yolox_nano_416, see `cvmon models list`): copied from
    the mirror folder (CVMON_MIRROR_DIR) or downloaded; its sha256 checked."""
    from cvmon.detectors.model_registry import pull_model
    from cvmon.settings import get_settings

    settings = get_settings()
    path = pull_model(name, settings.resolved_model_dir, settings.mirror_dir, allow_download=not offline)
    _say(f"{name}: {path}")


# -- process --------------------------------------------------------------------------------------


ConfigOption = Annotated[Path, typer.Option("--config", "-c", metavar="FILE", help="The cameras.yaml to use.")]


def _parse_time(value: str | None, option: str) -> datetime | None:
    """An ISO time with an offset from the command line, or None."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option}: '{value}' is not an ISO time such as 2026-11-23T08:00:00+08:00") from None
    if when.tzinfo is None:
        raise ConfigError(f"{option}: '{value}' needs a time zone offset, e.g. +08:00")
    return when


@app.command("process")
def process(
    video: Annotated[Path, argument("VIDEO")],
    config_path: ConfigOption = Path("cameras.yaml"),
    camera: Annotated[
        str | None,
        typer.Option(metavar="ID", help="Camera whose zones apply to the video (needed when there are several)."),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            metavar="TIME",
            help="Wall-clock time of the first frame, ISO with offset (2026-11-23T08:00:00+08:00); "
            "default the file's modification time.",
        ),
    ] = None,
    fmt: TableOrJson = TableFormat.TABLE,
    samples: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Also write per-frame zone counts to this CSV file.")
    ] = None,
    database: DatabaseOption = None,
    no_db: Annotated[bool, typer.Option("--no-db", help="Do not write to the database.")] = False,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
) -> None:
    """Analyse a recorded video with the zones of a camera.

    VIDEO is a video file; its minute rows go to the database (unless --no-db) and a summary per
    zone is printed."""
    from cvmon.config.load import load_config, select_camera

    config = load_config(config_path)
    cam = select_camera(config, camera)
    start_time = _parse_time(start, "--start")

    from cvmon.pipeline.outputs import camera_outputs
    from cvmon.pipeline.runner import build_pipeline, process_recording
    from cvmon.samples_csv import SamplesCsv
    from cvmon.settings import get_settings
    from cvmon.sources.file import FileSource

    settings = get_settings()
    source = FileSource(cam.id, video, config.fps_for(cam), start=start_time)
    pipeline = build_pipeline(config, cam, settings.resolved_model_dir)
    db = None
    if not no_db:
        from cvmon.storage.database import open_database

        db = open_database(database or settings.resolved_database_url)
        sync_config(db, config)
        if cam.behaviour is not None and cam.behaviour.enabled:
            from cvmon.pipeline.greeting_reference import use_stored_references

            use_stored_references(pipeline, db)
    try:
        with contextlib.ExitStack() as stack:
            callbacks: list[Callable[[FrameResult], None]] = []
            if samples is not None:
                callbacks.append(stack.enter_context(SamplesCsv(samples, [z.id for z in pipeline.zones])))
            if progress:
                callbacks.append(stack.enter_context(_progress_bar(source)))
            outputs, capture = (None, None) if db is None else camera_outputs(db, settings.evidence_dir, config, cam)
            result = process_recording(pipeline, source, outputs, on_frame=_each(callbacks), capture=capture)
    finally:
        if db is not None:
            db.close()
    if fmt is TableFormat.JSON:
        sys.stdout.write(json.dumps(result.summary) + "\n")
    else:
        _print_summary(result.summary)
        out.print(LEGEND, markup=False)
        if db is not None:
            err.print(f"{result.rows} minute rows written to {db.url}", markup=False)


def _progress_bar(source: FileSource) -> FrameProgress:
    from cvmon.cli_progress import FrameProgress

    return FrameProgress(err, source.info.frame_count, source.path.name)


def _each(callbacks: list[Callable[[FrameResult], None]]) -> Callable[[FrameResult], None] | None:
    if not callbacks:
        return None

    def call(result: FrameResult) -> None:
        for callback in callbacks:
            callback(result)

    return call


ZONE_COLUMNS = ("zone", "kind", "mean", "max", "visits", "wait p50", "wait p90", "staffed")
LEGEND = (
    "mean, max: people in the zone. wait p50, p90: seconds a visit to a queue or waiting zone lasted, "
    "for half and for nine in ten of the visits. staffed: share of the time someone was at the post."
)


def _seconds(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, int | float) else "-"


def _share(ratio: float | None) -> str:
    return "-" if ratio is None else f"{100 * ratio:.0f}%"


def _print_summary(summary: dict[str, Any]) -> None:
    """The table of one analysed recording (``cvmon process``, ``cvmon demo``)."""
    title = f"camera {summary['camera']}: {summary['frames_analysed']} frames analysed"
    if summary.get("frames_detected") not in (None, summary["frames_analysed"]):
        title += f", the detector ran on {summary['frames_detected']} (the others: nothing had moved)"
    table = new_table(title, ZONE_COLUMNS, left=2)
    for zone_id, z in summary["zones"].items():
        table.add_row(
            zone_id,
            z["kind"].replace("_", " "),
            f"{z['mean_count']:.2f}",
            str(z["max_count"]),
            str(z["visits"]),
            _seconds(z["wait_p50_s"]),
            _seconds(z["wait_p90_s"]),
            _share(z["staffed_ratio"]),
        )
    show(table)


# -- stored figures -------------------------------------------------------------------------------


@app.command("stats")
def stats(
    camera: Annotated[str | None, typer.Option(metavar="ID", help="Only this camera.")] = None,
    since: Annotated[
        str | None, typer.Option("--from", metavar="TIME", help="Start, ISO with offset, inclusive.")
    ] = None,
    until: Annotated[str | None, typer.Option("--to", metavar="TIME", help="End, ISO with offset, exclusive.")] = None,
    fmt: TableOrJson = TableFormat.TABLE,
    database: DatabaseOption = None,
) -> None:
    """Figures per zone over a period, from the stored minute rows.

    The wait percentiles come from the stored histograms (within 1.9 %)."""
    from cvmon.metrics.summary import ZonePeriodStats, zone_period_stats
    from cvmon.settings import get_settings
    from cvmon.storage.database import open_database
    from cvmon.storage.minutes import MinuteRepository

    start, end = _parse_time(since, "--from"), _parse_time(until, "--to")
    with open_database(database or get_settings().resolved_database_url) as db:
        if camera is not None:
            _check_camera(db, camera)
        figures = zone_period_stats(MinuteRepository(db).minute_rows(camera, start, end))
    if fmt is TableFormat.JSON:
        result: dict[str, dict[str, object]] = {}
        for f in figures:
            result.setdefault(f.camera_id, {})[f.zone_id] = f.as_dict()
        sys.stdout.write(json.dumps(result) + "\n")
        return
    if not figures:
        out.print("no stored figures in this period")
        return
    by_camera: dict[str, list[ZonePeriodStats]] = {}
    for f in figures:
        by_camera.setdefault(f.camera_id, []).append(f)
    for camera_id, zones in by_camera.items():
        minutes = max(f.minutes for f in zones)
        offline = max(f.figures.seconds_offline for f in zones)
        table = new_table(
            f"camera {camera_id}: {minutes} stored minute(s), {offline:.0f} s offline", ZONE_COLUMNS, left=2
        )
        for f in zones:
            d = f.as_dict()
            table.add_row(
                f.zone_id,
                f.kind.replace("_", " "),
                "-" if f.figures.mean_count is None else f"{f.figures.mean_count:.2f}",
                str(f.figures.count_max),
                str(f.figures.visits),
                _seconds(d["wait_p50_s"]),
                _seconds(d["wait_p90_s"]),
                _share(f.staffed_ratio),
            )
        show(table)
    out.print(LEGEND)


def _check_camera(db: Database, camera_id: str) -> None:
    """A one-line error for a camera id the database does not know."""
    if db.stored_zone_ids(camera_id) is None:
        raise CvmonError(
            f"--camera: no camera '{camera_id}' in the database (cameras are stored by `cvmon run`, "
            "`cvmon process` or `cvmon demo` from their cameras.yaml)"
        )


# -- alerts ---------------------------------------------------------------------------------------

LimitOption = Annotated[int, typer.Option(min=1, metavar="N", help="At most this many, newest first.")]
WhoOption = Annotated[str | None, typer.Option(metavar="NAME", help="Who does it (default the login name).")]


def _who(who: str | None) -> str:
    import getpass

    return who or getpass.getuser()


@alerts_app.command("list")
def alerts_list(
    unit: Annotated[str | None, typer.Option(metavar="ID", help="Only this unit and the units below it.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only alerts not resolved yet.")] = False,
    limit: LimitOption = 50,
    fmt: TableOrJson = TableFormat.TABLE,
    database: DatabaseOption = None,
) -> None:
    """Alerts, newest first."""
    from cvmon.read.scope import stored_subtree
    from cvmon.settings import get_settings
    from cvmon.storage.alerts import AlertRepository
    from cvmon.storage.database import open_database

    with open_database(database or get_settings().resolved_database_url) as db:
        units = stored_subtree(db, unit) if unit else None
        alerts = AlertRepository(db).find(units, open_only=open_only, limit=limit)
    if fmt is TableFormat.JSON:
        rows = [{**{k: getattr(a, k) for k in a.__dataclass_fields__}, "status": a.status} for a in alerts]
        sys.stdout.write(json.dumps(rows, default=lambda v: v.isoformat()) + "\n")
        return
    columns = ("id", "status", "rule", "unit", "camera", "zone", "opened (UTC)", "peak", "cleared", "follow-up")
    table = new_table(f"{len(alerts)} alert(s)", columns, left=len(columns))
    for a in alerts:
        table.add_row(
            str(a.id),
            a.status + (" (escalated)" if a.escalated_at else ""),
            a.rule,
            a.unit_id,
            a.camera_id,
            a.zone_id or "-",
            a.opened_at.strftime("%Y-%m-%d %H:%M:%S"),
            f"{a.peak_value:g}",
            a.cleared_at.strftime("%H:%M:%S") if a.cleared_at else "-",
            a.followup_category or "-",
        )
    show(table)


@alerts_app.command("ack")
def alerts_ack(
    alert_id: Annotated[int, argument("ID")],
    who: WhoOption = None,
    database: DatabaseOption = None,
) -> None:
    """Acknowledge alert ID (see `cvmon alerts list`): someone is looking at it."""

    from cvmon.settings import get_settings
    from cvmon.storage.alerts import AlertRepository
    from cvmon.storage.database import open_database

    with open_database(database or get_settings().resolved_database_url) as db:
        alert = AlertRepository(db).acknowledge(alert_id, _who(who), datetime.now(UTC))
    _say(f"alert {alert.id} acknowledged by {alert.acked_by} at {alert.acked_at:%Y-%m-%d %H:%M:%S} UTC")


@alerts_app.command("resolve")
def alerts_resolve(
    alert_id: Annotated[int, argument("ID")],
    category: Annotated[
        str, typer.Option(metavar="coaching|flow_change|room_fix|other", help="What kind of follow-up it was.")
    ],
    note: Annotated[str, typer.Option(metavar="TEXT", help="What was done (tindak lanjut).")],
    who: WhoOption = None,
    database: DatabaseOption = None,
) -> None:
    """Resolve alert ID with its follow-up (tindak lanjut)."""

    from cvmon.settings import get_settings
    from cvmon.storage.alerts import AlertRepository, FollowUp
    from cvmon.storage.database import open_database

    try:
        follow_up = FollowUp(category)
    except ValueError:
        raise ConfigError(f"--category: '{category}' is not one of {', '.join(f.value for f in FollowUp)}") from None
    with open_database(database or get_settings().resolved_database_url) as db:
        alert = AlertRepository(db).resolve(alert_id, _who(who), datetime.now(UTC), follow_up, note)
    _say(f"alert {alert.id} resolved by {alert.resolved_by}: {alert.followup_category}: {alert.followup_note}")


# -- evidence -------------------------------------------------------------------------------------


@evidence_app.command("list")
def evidence_list(
    camera: Annotated[str | None, typer.Option(metavar="ID", help="Only this camera.")] = None,
    alert: Annotated[int | None, typer.Option(metavar="ID", help="Only the snapshots of this alert.")] = None,
    limit: LimitOption = 50,
    database: DatabaseOption = None,
) -> None:
    """Stored snapshots (their files are under CVMON_DATA_DIR/evidence)."""
    from cvmon.settings import get_settings
    from cvmon.storage.alerts import AlertRepository
    from cvmon.storage.database import open_database
    from cvmon.storage.evidence import EvidenceRepository
    from cvmon.storage.evidence_files import EvidenceStore

    settings = get_settings()
    with open_database(database or settings.resolved_database_url) as db:
        if camera is not None:
            _check_camera(db, camera)
        if alert is not None:
            AlertRepository(db).get(alert)  # no alert ID: a one-line error
        shots = EvidenceRepository(db, EvidenceStore(settings.evidence_dir)).find(
            [camera] if camera else None, alert, limit
        )
    columns = ("id", "camera", "time (UTC)", "kind", "alert", "counts", "file")
    table = new_table(f"{len(shots)} snapshot(s)", columns, left=len(columns))
    for e in shots:
        counts = ", ".join(f"{k}={v}" for k, v in e.counts.items())
        table.add_row(
            str(e.id), e.camera_id, f"{e.ts:%Y-%m-%d %H:%M:%S}", e.kind, str(e.alert_id or "-"), counts, e.path
        )
    show(table)


@evidence_app.command("verify")
def evidence_verify(database: DatabaseOption = None) -> None:
    """Check every snapshot's sha256; list the tampered or missing ones and exit 1 if there is any."""
    from cvmon.errors import EvidenceTampered
    from cvmon.settings import get_settings
    from cvmon.storage.database import open_database
    from cvmon.storage.evidence import EvidenceRepository
    from cvmon.storage.evidence_files import EvidenceStore

    settings = get_settings()
    bad = 0
    with open_database(database or settings.resolved_database_url) as db:
        repo = EvidenceRepository(db, EvidenceStore(settings.evidence_dir))
        shots = repo.find(limit=1_000_000)
        for e in shots:
            try:
                repo.read(e.id)
            except EvidenceTampered as problem:
                bad += 1
                err.print(f"evidence {e.id}: {problem}", markup=False)
    _say(f"{len(shots) - bad} of {len(shots)} snapshot(s) intact")
    if bad:
        raise typer.Exit(1)


# -- room readiness -------------------------------------------------------------------------------


@room_app.command("reference")
def room_reference(
    camera_id: Annotated[str, argument("CAMERA")],
    image: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="A picture of the tidy, empty room from this camera (JPEG or PNG)."),
    ] = None,
    config_path: ConfigOption = Path("cameras.yaml"),
    database: DatabaseOption = None,
) -> None:
    """Mark CAMERA's reference picture of its tidy, empty room: the camera's latest picture with nobody
    in view (taken by `cvmon run`), or --image. It is anonymised and kept as evidence; audited."""
    import getpass

    import cv2
    import numpy as np

    from cvmon.config import load_config
    from cvmon.errors import EvidenceError
    from cvmon.pipeline.room import reference_from_candidate, reference_from_image
    from cvmon.settings import get_settings
    from cvmon.storage.audit import AuditActor
    from cvmon.storage.database import open_database
    from cvmon.storage.evidence_files import EvidenceStore
    from cvmon.storage.room import mark_reference
    from cvmon.types import AnonymisedJpeg

    config = load_config(config_path)
    try:
        camera = config.camera(camera_id)
    except KeyError as e:
        raise ConfigError(str(e.args[0])) from None
    if camera.room is None:
        raise ConfigError(f"camera {camera_id} has no room: section in {config_path}")
    settings = get_settings()
    store = EvidenceStore(settings.evidence_dir)
    if image is not None:
        picture = cv2.imread(str(image), cv2.IMREAD_COLOR)
        if picture is None:
            raise ConfigError(f"--image: {image} is not a readable picture")
        jpeg: AnonymisedJpeg | None = reference_from_image(
            config, camera, np.ascontiguousarray(picture, dtype=np.uint8), settings.resolved_model_dir
        )
        source = "file"
    else:
        candidate = store.candidate_path(camera_id)
        jpeg = reference_from_candidate(camera, candidate.read_bytes()) if candidate.is_file() else None
        source = "frame"
    if jpeg is None:
        raise EvidenceError(
            f"camera {camera_id} has no picture of its room with nobody in view yet (cvmon run takes one); "
            "or give --image"
        )
    with open_database(database or settings.resolved_database_url) as db:
        if db.stored_zone_ids(camera_id) is None:
            raise ConfigError(
                f"camera {camera_id} is not stored in the database yet: run cvmon run or cvmon process first"
            )
        actor = AuditActor(f"cli:{getpass.getuser()}", "local")
        evidence = mark_reference(db, store, camera_id, datetime.now(UTC), jpeg, actor, source)
    _say(f"camera {camera_id}: room reference marked (evidence {evidence.id}, sha256 {evidence.sha256[:12]})")


# -- retention ------------------------------------------------------------------------------------


@retention_app.command("run")
def retention_run(
    config_path: ConfigOption = Path("cameras.yaml"),
    database: DatabaseOption = None,
) -> None:
    """Roll minute rows up to hourly and daily rows, then delete what is older than the periods in
    the configuration's retention: section."""
    from cvmon.config import load_config
    from cvmon.settings import get_settings
    from cvmon.storage.database import open_database
    from cvmon.storage.evidence_files import EvidenceStore
    from cvmon.storage.retention import run_retention

    config = load_config(config_path)
    settings = get_settings()
    with open_database(database or settings.resolved_database_url) as db:
        report = run_retention(db, EvidenceStore(settings.evidence_dir), config.retention, datetime.now(UTC))
    for key, value in report.as_dict().items():
        _say(f"{key}: {value}")


# -- run and demo ---------------------------------------------------------------------------------


@app.command("run")
def run(
    config_path: Annotated[Path, argument("FILE")] = Path("cameras.yaml"),
    camera: Annotated[list[str] | None, typer.Option(metavar="ID", help="Only this camera (repeatable).")] = None,
    database: DatabaseOption = None,
    cameras_per_process: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            envvar="CVMON_CAMERAS_PER_PROCESS",
            help="Cameras hosted by one worker process, sharing its detector (default: cameras spread "
            "over one process per CPU core; 1: a process per camera; with --cluster: 1).",
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            envvar="CVMON_CLUSTER",
            help="Run the cameras as actors on this Ray cluster (e.g. 10.0.0.2:6379 or auto; needs the "
            "'cluster' extra), restarted or moved to a live node when theirs fails.",
        ),
    ] = None,
    cpus_per_camera: Annotated[
        float, typer.Option(min=0.0, metavar="CPUS", help="CPUs a camera reserves on the cluster (with --cluster).")
    ] = 1.0,
    gpus_per_camera: Annotated[
        float, typer.Option(min=0.0, metavar="GPUS", help="GPUs a camera reserves on the cluster (with --cluster).")
    ] = 0.0,
) -> None:
    """Run every enabled camera of a configuration until stopped.

    FILE is the cameras.yaml (default: the one in this folder); Ctrl-C or SIGTERM stop. The cameras
    run in worker processes that share a detector between their cameras, or as actors on a Ray
    cluster (--cluster)."""
    from cvmon.config import load_config
    from cvmon.pipeline.workers import run_cameras
    from cvmon.settings import get_settings

    config = load_config(config_path)
    if camera:
        for cam_id in camera:
            try:
                config.camera(cam_id)
            except KeyError as e:
                raise ConfigError(str(e.args[0])) from None
    url = database or get_settings().resolved_database_url
    exits = run_cameras(
        config_path,
        url,
        camera or None,
        cameras_per_process=cameras_per_process,
        cluster=cluster,
        cpus_per_camera=cpus_per_camera,
        gpus_per_camera=gpus_per_camera,
    )
    failed = [e.camera_id for e in exits if e.exit_code != 0]
    if failed:
        err.print(f"cvmon: error: camera worker(s) failed: {', '.join(failed)}", markup=False)
        raise typer.Exit(1)


@app.command("demo")
def demo(
    config_path: Annotated[
        Path | None,
        typer.Option(
            "--config", metavar="FILE", help="Configuration to run; default the bundled example cameras.yaml."
        ),
    ] = None,
) -> None:
    """Run the example office on the sample clips, store its figures.

    The default model and the sample clips are fetched first if missing (from CVMON_MIRROR_DIR, a
    shared/ folder beside the project, or their official addresses); a summary per camera follows."""
    import os

    from cvmon.config import load_config
    from cvmon.demo import EXAMPLE_CONFIG, demo_start, prepare_demo
    from cvmon.pipeline.outputs import camera_outputs
    from cvmon.pipeline.runner import build_pipeline, process_recording
    from cvmon.settings import get_settings
    from cvmon.sources.file import FileSource
    from cvmon.storage.database import open_database

    settings = get_settings()
    model, clips = prepare_demo(settings)
    os.environ.setdefault("CVMON_FOOTAGE_DIR", str(settings.footage_dir))
    err.print(f"model: {model}", markup=False)
    config = load_config(config_path or EXAMPLE_CONFIG)
    available = {p.resolve() for p in clips}
    with open_database(settings.resolved_database_url) as db:
        sync_config(db, config)
        for cam in config.cameras:
            if cam.is_live or (Path(cam.source).resolve() not in available and not Path(cam.source).is_file()):
                err.print(f"[{cam.id}] skipped: {cam.source} is not available here", markup=False)
                continue
            start = demo_start(datetime.now(config.unit_timezone(cam.unit)))
            source = FileSource(cam.id, cam.source, config.fps_for(cam), start=start)
            pipeline = build_pipeline(config, cam, settings.resolved_model_dir)
            outputs, capture = camera_outputs(db, settings.evidence_dir, config, cam)
            with _progress_bar(source) as bar:
                result = process_recording(pipeline, source, outputs, on_frame=bar, capture=capture)
            _print_summary(result.summary)
        out.print(LEGEND, markup=False)
        rows = db.count_rows()
        _say(
            f"database: {db.url}  (minute rows: {rows.get('minute_stats', 0)}, alerts: {rows.get('alerts', 0)}, "
            f"snapshots: {rows.get('evidence', 0)})"
        )
    _say(f"anonymised frames: {settings.evidence_dir}")
    cvmon = _command_prefix()
    example = shlex.quote(str(config_path or EXAMPLE_CONFIG))
    _say("")
    _say("Web viewer: add an admin (you will choose a password), then start the server:")
    _say(f"  {cvmon} users add admin --role admin --unit {config.units[0].id}")
    _say(f"  CVMON_ENVIRONMENT=development {cvmon} serve --config {example}")
    _say("and open http://127.0.0.1:8000 to sign in as admin.")


def _say(line: str) -> None:
    """A line on stdout as it is: never wrapped, so paths and commands can be copied."""
    out.print(line, markup=False, soft_wrap=True)


def _command_prefix() -> str:
    """How to call this cvmon again: ``cvmon`` when that is on the PATH and is this one, else as it was called."""
    called = sys.argv[0]
    if Path(called).name == "__main__.py":
        return f"{shlex.quote(sys.executable)} -m cvmon"
    on_path = shutil.which("cvmon")
    if on_path is not None and Path(on_path).resolve() == Path(called).resolve():
        return "cvmon"
    return shlex.quote(called)


app.command("report")(report_command)
app.command("serve")(serve)


# -- entry point ----------------------------------------------------------------------------------


def main() -> None:
    """Console entry point: one line on stderr and a non-zero exit for every cvmon error."""
    try:
        app(prog_name="cvmon")
    except CvmonError as e:
        err.print(f"cvmon: error: {e}", markup=False)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        err.print("cvmon: interrupted", markup=False)
        sys.exit(130)

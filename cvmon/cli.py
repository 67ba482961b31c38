"""The ``cvmon`` command line. Only this module turns errors into exit codes and one-line messages."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cvmon.api.cli import audit_app, serve, users_app
from cvmon.errors import ConfigError, CvmonError
from cvmon.reports.cli import report_command

if TYPE_CHECKING:
    from cvmon.cli_progress import FrameProgress
    from cvmon.pipeline.camera import FrameResult
    from cvmon.sources.file import FileSource

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="cvmon: queues, staffing and wait times of customer-service offices from CCTV.",
)
config_app = typer.Typer(no_args_is_help=True, help="Check cameras.yaml and print its schema.")
models_app = typer.Typer(no_args_is_help=True, help="List and fetch detector models.")
alerts_app = typer.Typer(no_args_is_help=True, help="List, acknowledge and resolve alerts.")
retention_app = typer.Typer(no_args_is_help=True, help="Delete data past its retention period.")
evidence_app = typer.Typer(no_args_is_help=True, help="List anonymised snapshots and check their integrity.")
app.add_typer(config_app, name="config")
app.add_typer(models_app, name="models")
app.add_typer(alerts_app, name="alerts")
app.add_typer(retention_app, name="retention")
app.add_typer(evidence_app, name="evidence")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.command("serve")(serve)
app.command("report")(report_command)

out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True)


# -- config ---------------------------------------------------------------------------------------


@config_app.command("check")
def config_check(path: Annotated[Path, typer.Argument(help="cameras.yaml to validate.")]) -> None:
    """Validate a configuration; print every problem with its path and exit 2 if there is one."""
    from cvmon.config import load_config

    try:
        config = load_config(path)
    except ConfigError as e:
        for problem in e.problems:
            err.print(problem if ": " in problem else f"{path}: {problem}", markup=False)
        raise typer.Exit(2) from None
    zones = sum(len(c.zones) for c in config.cameras)
    out.print(f"{path}: ok ({len(config.units)} units, {len(config.cameras)} cameras, {zones} zones)")


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
    table = Table(title=f"models in {settings.resolved_model_dir}")
    for col in ("name", "layout", "input", "present", "sha256", "licence"):
        table.add_column(col)
    for s in model_statuses(settings.resolved_model_dir):
        sha = "" if s.sha_ok is None else ("ok" if s.sha_ok else "MISMATCH")
        table.add_row(
            s.entry.name, s.entry.layout, str(s.entry.input_size), "yes" if s.present else "no", sha, s.entry.licence
        )
    out.print(table)


@models_app.command("pull")
def models_pull(
    name: Annotated[str, typer.Argument(help="Registered model name, e.g. yolox_nano_416.")],
    offline: Annotated[bool, typer.Option(help="Only copy from the mirror folder, never download.")] = False,
) -> None:
    """Copy a model from the mirror folder (CVMON_MIRROR_DIR) or download it; sha256 checked."""
    from cvmon.detectors.model_registry import pull_model
    from cvmon.settings import get_settings

    settings = get_settings()
    path = pull_model(name, settings.resolved_model_dir, settings.mirror_dir, allow_download=not offline)
    out.print(f"{name}: {path}")


# -- process --------------------------------------------------------------------------------------


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
    video: Annotated[Path, typer.Argument(help="Recorded video file to analyse.")],
    config_path: Annotated[Path, typer.Option("--config", "-c", help="cameras.yaml.")] = Path("cameras.yaml"),
    camera: Annotated[str | None, typer.Option(help="Camera id whose zones apply to the video.")] = None,
    start: Annotated[
        str | None,
        typer.Option(
            help="Wall-clock time of the first frame (ISO, with offset); default the file's modification time."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Summary format: table or json.")] = "table",
    samples: Annotated[Path | None, typer.Option(help="Also write per-frame zone counts to this CSV.")] = None,
    database: Annotated[
        str | None, typer.Option(help="Database URL (default CVMON_DATABASE_URL or the SQLite file in CVMON_DATA_DIR).")
    ] = None,
    no_db: Annotated[bool, typer.Option("--no-db", help="Do not write to the database.")] = False,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
) -> None:
    """Analyse a recorded video with a camera's zones; store minute rows; print a summary."""
    from cvmon.config.load import load_config, select_camera

    if fmt not in ("table", "json"):
        raise ConfigError(f"--format: '{fmt}' is not one of table, json")
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
        db.sync_config(config)
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
    if fmt == "json":
        sys.stdout.write(json.dumps(result.summary) + "\n")
    else:
        _print_summary(result.summary)
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


def _print_summary(summary: dict[str, Any]) -> None:
    title = f"camera {summary['camera']}: {summary['frames_analysed']} frames analysed"
    if summary.get("frames_detected") not in (None, summary["frames_analysed"]):
        title += f", the detector ran on {summary['frames_detected']} (the others: nothing had moved)"
    table = Table(title=title)
    for col in ("zone", "kind", "mean", "max", "visits", "p50 s", "p90 s", "staffed"):
        table.add_column(col, justify="left" if col in ("zone", "kind") else "right")
    for zone_id, z in summary["zones"].items():
        p50 = z["wait_p50_s"] if z["wait_p50_s"] is not None else z["visit_p50_s"]
        p90 = z["wait_p90_s"] if z["wait_p90_s"] is not None else z["visit_p90_s"]
        table.add_row(
            zone_id,
            z["kind"],
            f"{z['mean_count']:.2f}",
            str(z["max_count"]),
            str(z["visits"]),
            "-" if p50 is None else f"{p50:.1f}",
            "-" if p90 is None else f"{p90:.1f}",
            "-" if z["staffed_ratio"] is None else f"{100 * z['staffed_ratio']:.0f}%",
        )
    out.print(table)


# -- stored figures -------------------------------------------------------------------------------


@app.command("stats")
def stats(
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
    since: Annotated[str | None, typer.Option("--from", help="Start (ISO time with offset), inclusive.")] = None,
    until: Annotated[str | None, typer.Option("--to", help="End (ISO time with offset), exclusive.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    database: Annotated[str | None, typer.Option(help="Database URL (default CVMON_DATABASE_URL).")] = None,
) -> None:
    """Figures per zone over a period, from the stored minute rows (percentiles from histograms)."""
    from cvmon.metrics.summary import zone_period_stats
    from cvmon.settings import get_settings
    from cvmon.storage.database import open_database

    if fmt not in ("table", "json"):
        raise ConfigError(f"--format: '{fmt}' is not one of table, json")
    start, end = _parse_time(since, "--from"), _parse_time(until, "--to")
    with open_database(database or get_settings().resolved_database_url) as db:
        figures = zone_period_stats(db.minute_rows(camera, start, end))
    if fmt == "json":
        result: dict[str, dict[str, object]] = {}
        for f in figures:
            result.setdefault(f.camera_id, {})[f.zone_id] = f.as_dict()
        sys.stdout.write(json.dumps(result) + "\n")
        return
    table = Table(title="stored figures per zone")
    for col in ("camera", "zone", "kind", "min", "mean", "max", "visits", "p50 s", "p90 s", "staffed", "offline s"):
        table.add_column(col, justify="left" if col in ("camera", "zone", "kind") else "right")
    for f in figures:
        d = f.as_dict()
        table.add_row(
            f.camera_id,
            f.zone_id,
            f.kind,
            str(f.minutes),
            "-" if f.figures.mean_count is None else f"{f.figures.mean_count:.2f}",
            str(f.figures.count_max),
            str(f.figures.visits),
            "-" if d["visit_p50_s"] is None else f"{d['visit_p50_s']}",
            "-" if d["visit_p90_s"] is None else f"{d['visit_p90_s']}",
            "-" if f.staffed_ratio is None else f"{100 * f.staffed_ratio:.0f}%",
            f"{f.figures.seconds_offline:.0f}",
        )
    out.print(table)


# -- alerts ---------------------------------------------------------------------------------------

DatabaseOption = Annotated[str | None, typer.Option(help="Database URL (default CVMON_DATABASE_URL).")]


def _who(who: str | None) -> str:
    import getpass

    return who or getpass.getuser()


@alerts_app.command("list")
def alerts_list(
    unit: Annotated[str | None, typer.Option(help="Only this unit and the units below it.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only alerts not resolved yet.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    database: DatabaseOption = None,
) -> None:
    """Alerts, newest first."""
    from cvmon.settings import get_settings
    from cvmon.storage.alerts import AlertRepository, unit_subtree
    from cvmon.storage.database import open_database

    if fmt not in ("table", "json"):
        raise ConfigError(f"--format: '{fmt}' is not one of table, json")
    with open_database(database or get_settings().resolved_database_url) as db:
        units = unit_subtree(db, unit) if unit else None
        alerts = AlertRepository(db).find(units, open_only=open_only, limit=limit)
    if fmt == "json":
        rows = [{**{k: getattr(a, k) for k in a.__dataclass_fields__}, "status": a.status} for a in alerts]
        sys.stdout.write(json.dumps(rows, default=lambda v: v.isoformat()) + "\n")
        return
    table = Table(title=f"{len(alerts)} alert(s)")
    for col in ("id", "status", "rule", "unit", "camera", "zone", "opened (UTC)", "peak", "cleared", "follow-up"):
        table.add_column(col)
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
    out.print(table)


@alerts_app.command("ack")
def alerts_ack(
    alert_id: Annotated[int, typer.Argument(help="Alert id.")],
    who: Annotated[str | None, typer.Option(help="Who acknowledges (default the login name).")] = None,
    database: DatabaseOption = None,
) -> None:
    """Acknowledge an alert: someone is looking at it."""

    from cvmon.settings import get_settings
    from cvmon.storage.alerts import AlertRepository
    from cvmon.storage.database import open_database

    with open_database(database or get_settings().resolved_database_url) as db:
        alert = AlertRepository(db).acknowledge(alert_id, _who(who), datetime.now(UTC))
    out.print(f"alert {alert.id} acknowledged by {alert.acked_by} at {alert.acked_at:%Y-%m-%d %H:%M:%S} UTC")


@alerts_app.command("resolve")
def alerts_resolve(
    alert_id: Annotated[int, typer.Argument(help="Alert id.")],
    category: Annotated[str, typer.Option(help="coaching, flow_change, room_fix or other.")],
    note: Annotated[str, typer.Option(help="What was done (tindak lanjut).")],
    who: Annotated[str | None, typer.Option(help="Who resolves (default the login name).")] = None,
    database: DatabaseOption = None,
) -> None:
    """Resolve an alert with its follow-up."""

    from cvmon.settings import get_settings
    from cvmon.storage.alerts import AlertRepository, FollowUp
    from cvmon.storage.database import open_database

    try:
        follow_up = FollowUp(category)
    except ValueError:
        raise ConfigError(f"--category: '{category}' is not one of {', '.join(f.value for f in FollowUp)}") from None
    with open_database(database or get_settings().resolved_database_url) as db:
        alert = AlertRepository(db).resolve(alert_id, _who(who), datetime.now(UTC), follow_up, note)
    out.print(f"alert {alert.id} resolved by {alert.resolved_by}: {alert.followup_category}: {alert.followup_note}")


# -- evidence -------------------------------------------------------------------------------------


@evidence_app.command("list")
def evidence_list(
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
    alert: Annotated[int | None, typer.Option(help="Only the snapshots of this alert.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    database: DatabaseOption = None,
) -> None:
    """Stored snapshots (their files are under CVMON_DATA_DIR/evidence)."""
    from cvmon.evidence import EvidenceStore
    from cvmon.settings import get_settings
    from cvmon.storage.database import open_database
    from cvmon.storage.evidence import EvidenceRepository

    settings = get_settings()
    with open_database(database or settings.resolved_database_url) as db:
        shots = EvidenceRepository(db, EvidenceStore(settings.evidence_dir)).find(
            [camera] if camera else None, alert, limit
        )
    table = Table(title=f"{len(shots)} snapshot(s)")
    for col in ("id", "camera", "time (UTC)", "kind", "alert", "counts", "file"):
        table.add_column(col)
    for e in shots:
        counts = ", ".join(f"{k}={v}" for k, v in e.counts.items())
        table.add_row(
            str(e.id), e.camera_id, f"{e.ts:%Y-%m-%d %H:%M:%S}", e.kind, str(e.alert_id or "-"), counts, e.path
        )
    out.print(table)


@evidence_app.command("verify")
def evidence_verify(database: DatabaseOption = None) -> None:
    """Check every snapshot's sha256; list the tampered or missing ones and exit 1 if there is any."""
    from cvmon.evidence import EvidenceStore, EvidenceTampered
    from cvmon.settings import get_settings
    from cvmon.storage.database import open_database
    from cvmon.storage.evidence import EvidenceRepository

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
    out.print(f"{len(shots) - bad} of {len(shots)} snapshot(s) intact")
    if bad:
        raise typer.Exit(1)


# -- retention ------------------------------------------------------------------------------------


@retention_app.command("run")
def retention_run(
    config_path: Annotated[Path, typer.Option("--config", "-c", help="cameras.yaml (its retention: section).")] = Path(
        "cameras.yaml"
    ),
    database: DatabaseOption = None,
) -> None:
    """Roll minute rows up to hourly rows, then delete minute rows, hourly rows, snapshots and alerts
    older than the configured periods."""
    from cvmon.config import load_config
    from cvmon.evidence import EvidenceStore
    from cvmon.settings import get_settings
    from cvmon.storage.database import open_database
    from cvmon.storage.retention import run_retention

    config = load_config(config_path)
    settings = get_settings()
    with open_database(database or settings.resolved_database_url) as db:
        report = run_retention(db, EvidenceStore(settings.evidence_dir), config.retention, datetime.now(UTC))
    for key, value in report.as_dict().items():
        out.print(f"{key}: {value}")


# -- run and demo ---------------------------------------------------------------------------------


@app.command("run")
def run(
    config_path: Annotated[Path, typer.Argument(help="cameras.yaml.")] = Path("cameras.yaml"),
    camera: Annotated[list[str] | None, typer.Option(help="Only these camera ids (repeatable).")] = None,
    database: Annotated[str | None, typer.Option(help="Database URL (default CVMON_DATABASE_URL).")] = None,
    cameras_per_process: Annotated[
        int | None,
        typer.Option(
            min=1,
            envvar="CVMON_CAMERAS_PER_PROCESS",
            help="Cameras hosted by one worker process, sharing its detector (default: cameras spread "
            "over one process per CPU core; 1: a process per camera; with --cluster: 1).",
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            envvar="CVMON_CLUSTER",
            help="Run the cameras as actors on this Ray cluster (e.g. 10.0.0.2:6379 or auto; needs the "
            "'cluster' extra), restarted or moved to a live node when theirs fails.",
        ),
    ] = None,
    cpus_per_camera: Annotated[
        float, typer.Option(min=0.0, help="CPUs a camera reserves on the cluster (with --cluster).")
    ] = 1.0,
    gpus_per_camera: Annotated[
        float, typer.Option(min=0.0, help="GPUs a camera reserves on the cluster (with --cluster).")
    ] = 0.0,
) -> None:
    """Run every enabled camera until stopped (Ctrl-C or SIGTERM), in worker processes that share a
    detector between their cameras."""
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
        Path | None, typer.Option("--config", help="Configuration to run; default the bundled example cameras.yaml.")
    ] = None,
) -> None:
    """Fetch the default model and sample clips if missing, run the example configuration, print a summary."""
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
        db.sync_config(config)
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
        rows = db.count_rows()
        out.print(
            f"database: {db.url}  (minute rows: {rows.get('minute_stats', 0)}, alerts: {rows.get('alerts', 0)}, "
            f"snapshots: {rows.get('evidence', 0)})"
        )
        out.print(f"anonymised frames: {settings.evidence_dir}")
        example = config_path or EXAMPLE_CONFIG
        out.print(
            "web viewer: cvmon users add admin --role admin --unit "
            f"{config.units[0].id}, then CVMON_ENVIRONMENT=development cvmon serve --config {example} "
            "and open http://127.0.0.1:8000",
            markup=False,
            soft_wrap=True,
        )


# -- entry point ----------------------------------------------------------------------------------


def main() -> None:
    """Console entry point: one line on stderr and a non-zero exit for every cvmon error."""
    try:
        app()
    except CvmonError as e:
        err.print(f"cvmon: error: {e}", markup=False)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        err.print("cvmon: interrupted", markup=False)
        sys.exit(130)

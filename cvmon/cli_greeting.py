"""``cvmon greeting reference CAMERA --zone Z --video FILE --mark START-END``: a staff zone's reference
greeting, recorded on site (keypoints only; audited)."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from cvmon.cli_params import DatabaseOption, argument
from cvmon.errors import ConfigError

greeting_app = typer.Typer(no_args_is_help=True, help="The PS4 greeting: a staff zone's reference greeting.")


@greeting_app.command("reference")
def greeting_reference(
    camera_id: Annotated[str, argument("CAMERA")],
    zone: Annotated[str, typer.Option(metavar="ZONE", help="The counter_staff or post zone the clip shows.")],
    video: Annotated[Path, typer.Option(metavar="FILE", help="A clip from this camera of a staff member greeting.")],
    mark: Annotated[
        list[str], typer.Option(metavar="START-END", help="Seconds of the clip during which a greeting happens.")
    ],
    config_path: Annotated[
        Path, typer.Option("--config", "-c", metavar="FILE", help="The cameras.yaml to use.")
    ] = Path("cameras.yaml"),
    database: DatabaseOption = None,
) -> None:
    """Learn the greeting of CAMERA's staff ZONE from a clip of a staff member greeting there, each greeting
    marked with --mark (the rest of the clip: standing, working). Only the normalised keypoints are
    stored, never the clip; the zone is then judged by it instead of the built-in rules. Audited."""
    from cvmon.behaviour.reference import learn_reference
    from cvmon.config import load_config
    from cvmon.config.behaviour import BehaviourConfig
    from cvmon.pipeline.greeting_reference import clip_poses, parse_mark
    from cvmon.settings import get_settings
    from cvmon.storage.audit import AuditActor
    from cvmon.storage.database import open_database
    from cvmon.storage.greetings import save_reference

    spans = [parse_mark(m) for m in mark]
    config = load_config(config_path)
    try:
        camera = config.camera(camera_id)
    except KeyError as e:
        raise ConfigError(str(e.args[0])) from None
    if not video.is_file():
        raise ConfigError(f"--video: {video} is not a file")
    settings = get_settings()
    behaviour = camera.behaviour or BehaviourConfig()
    samples = clip_poses(config, camera, zone, video, settings.resolved_model_dir)
    try:
        reference = learn_reference(samples, spans, behaviour.greeting, behaviour.reference)
    except ValueError as err:
        raise ConfigError(f"{video}: {err}") from None
    with open_database(database or settings.resolved_database_url) as db:
        if db.stored_zone_ids(camera_id) is None:
            raise ConfigError(
                f"camera {camera_id} is not stored in the database yet: run cvmon run or cvmon process first"
            )
        actor = AuditActor(f"cli:{getpass.getuser()}", "local")
        frames = len(reference.greeting)
        save_reference(db, camera_id, zone, reference.to_json(), frames, datetime.now(UTC), actor)
    typer.echo(
        f"camera {camera_id}, zone {zone}: reference greeting stored ({frames} greeting frames, "
        f"{len(reference.other)} others; keypoints only)"
    )

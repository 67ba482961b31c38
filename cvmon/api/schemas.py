"""Request and response bodies of the JSON API (they make the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from cvmon.api.params import MAX_ID
from cvmon.read.current import ZoneNow
from cvmon.read.summary import Reason
from cvmon.storage.alerts import FollowUp
from cvmon.storage.models import USERNAME_LENGTH
from cvmon.storage.users import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, MIN_PASSWORD_SCORE, Role


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A string without NUL characters, which PostgreSQL cannot store."""
RoleName = Annotated[Text, WithJsonSchema({"type": "string", "enum": [r.value for r in Role]})]
MAX_UNITS = 100
PASSWORD_RULE = (
    f"At least {MIN_PASSWORD_LENGTH} characters, and strong: zxcvbn's score at least {MIN_PASSWORD_SCORE} of 4."
)


class LoginIn(BaseModel):
    username: Text = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    username: str
    role: Role
    units: list[str] = Field(description="Units the user is bound to.")
    scope: list[str] = Field(description="Every unit the user may see: their units and those below them.")
    capabilities: dict[str, bool]
    csrf_token: str = Field(description="Send it in the X-CSRF-Token header of every POST.")
    expires_at: datetime


class UnitNode(BaseModel):
    id: str
    name: str
    level: str
    timezone: str
    children: list[UnitNode] = Field(default_factory=list)


class AlertCountsOut(BaseModel):
    open: int = Field(description="Alerts not resolved yet.")
    ongoing: int = Field(description="Of those, the ones whose condition still holds.")
    waiting: int = Field(
        description="Of those, the ones whose condition is over (waiting for acknowledgement or follow-up)."
    )
    unacknowledged: int
    escalated: int = Field(description="Unacknowledged past the unit's escalation delay.")
    followup: int = Field(description="Acknowledged, condition over, follow-up not recorded yet.")


class WorstWaitOut(BaseModel):
    seconds: float = Field(description="The longest mean wait of one queue or waiting zone over one hour today.")
    camera_id: str
    zone_id: str
    hour: datetime = Field(description="Start of that UTC hour.")
    visits: int = Field(description="The visits that hour's mean is of.")


class UnitSummaryOut(BaseModel):
    unit_id: str
    name: str
    level: str
    cameras: int
    cameras_online: int
    cameras_offline: int
    queue_now: float | None = Field(
        description="People in the unit's queue zones in their latest minutes (at most 5 minutes old)."
    )
    alerts: AlertCountsOut
    worst_wait_today: WorstWaitOut | None = Field(description="Today is the unit's local day.")
    needs_action: list[Reason] = Field(
        description="Why the unit needs action, most urgent first; empty when it needs none."
    )


class CameraOut(BaseModel):
    id: str
    unit_id: str
    name: str | None
    source_kind: str
    analysis_fps: float = Field(description="Configured analysed frames per second.")
    status: Literal["online", "offline", "unknown"] = Field(description="From the latest online/offline event.")
    status_since: datetime | None
    last_frame_at: datetime | None = Field(description="Time of the last analysed frame stored.")
    last_minute: datetime | None = Field(description="Latest minute with analysed frames.")
    frames_last_minute: int | None = Field(description="Frames analysed in that minute.")
    analysed_fps: float | None = Field(description="Frames analysed per online second in that minute.")
    inference_ms: float | None = Field(
        description="Mean detector inference milliseconds per frame it ran on in that minute; null when not measured."
    )
    detector_share: float | None = Field(
        default=None,
        description="Share of that minute's analysed frames the detector ran on (the others reused its last "
        "detections: nothing had moved); null when not measured.",
    )


class CameraZonesNow(BaseModel):
    camera_id: str
    unit_id: str
    zones: list[ZoneNow]


class SeriesPoint(BaseModel):
    t: datetime = Field(
        description="Start of the bucket: UTC minute, quarter hour or hour; local midnight of the unit for a day."
    )
    minutes: int = Field(description="Minutes of data in the bucket.")
    count_mean: float | None = Field(description="People in the zone (a queue zone's length), mean.")
    count_max: int
    wait_p50_s: float | None = Field(description="Median visit of a queue or waiting zone, from merged histograms.")
    wait_p90_s: float | None
    staffed_ratio: float | None
    occupancy: float | None
    visits: int
    seconds_offline: float


class ZoneSeries(BaseModel):
    zone_id: str
    name: str | None
    kind: str
    capacity: int | None
    points: list[SeriesPoint]


class SeriesOut(BaseModel):
    camera_id: str
    unit_id: str
    timezone: str
    resolution: Literal["minute", "quarter", "hour", "day"]
    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    zones: list[ZoneSeries]


class AlertOut(BaseModel):
    id: int
    rule: str
    unit_id: str
    camera_id: str
    zone_id: str
    status: str = Field(description="open (nobody acknowledged it), acknowledged or resolved.")
    condition: Literal["ongoing", "cleared"] = Field(
        description="ongoing while the rule's condition holds; cleared once it is over (see cleared_at)."
    )
    opened_at: datetime
    open_value: float
    peak_value: float
    peak_at: datetime
    cleared_at: datetime | None
    escalated_at: datetime | None
    acked_at: datetime | None
    acked_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    followup_category: str | None
    followup_note: str | None


class ResolveIn(BaseModel):
    category: FollowUp
    note: Text = Field(min_length=1, max_length=2000, description="What was done (tindak lanjut).")


MAX_BULK = 500


class AckManyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=MAX_BULK, description=f"Ids of the alerts to acknowledge (at most {MAX_BULK})."
    )


class AckManyOut(BaseModel):
    acknowledged: list[int] = Field(description="Acknowledged now, each with its own audit row.")
    skipped: list[int] = Field(description="Already acknowledged or resolved: left as they were.")
    refused: list[int] = Field(description="No such alert in the caller's units.")


class EvidenceOut(BaseModel):
    id: int
    alert_id: int | None
    camera_id: str
    ts: datetime
    kind: str
    sha256: str
    size: int
    counts: dict[str, int]
    image_url: str = Field(description="Served only through this audited endpoint.")


class AuditOut(BaseModel):
    id: int
    ts: datetime
    actor: str | None
    action: str
    target: str | None
    client_addr: str | None
    details: dict[str, Any]


class Health(BaseModel):
    status: Literal["ok"]


class LockoutOut(BaseModel):
    until: datetime = Field(description="When the lock-out ends by itself.")
    by: str = Field(
        description="username_address: too many failed logins from one address (only that address is "
        "locked out); username: too many from any addresses (locked out everywhere)."
    )
    client_addr: str | None = Field(description="The address locked out (username_address).")


class UserOut(BaseModel):
    username: str
    role: Role
    units: list[str] = Field(description="Units the user is bound to (each seen with the units below it).")
    disabled: bool
    lockouts: list[LockoutOut] = Field(
        default_factory=list, description="Lock-outs after failed logins in force now (an admin can lift them)."
    )


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Text = Field(
        max_length=200,
        description=f"2 to {USERNAME_LENGTH} characters: letters, digits, '.', '_', '@', '-', starting with a "
        "letter or digit; stored in lower case.",
    )
    password: str = Field(max_length=MAX_PASSWORD_LENGTH, description=PASSWORD_RULE)
    role: RoleName
    units: list[Text] = Field(max_length=MAX_UNITS, description="Ids of units within the caller's; at least one.")


class UserPatch(BaseModel):
    """Only the fields given (and not null) change; each change ends the user's sessions."""

    model_config = ConfigDict(extra="forbid")

    role: RoleName | None = None
    units: list[Text] | None = Field(default=None, max_length=MAX_UNITS, description="Replaces the user's units.")
    disabled: bool | None = Field(default=None, description="true disables the user, false enables them.")
    password: str | None = Field(default=None, max_length=MAX_PASSWORD_LENGTH, description=PASSWORD_RULE)

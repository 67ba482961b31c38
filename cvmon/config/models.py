"""Pydantic models of cameras.yaml: units, cameras, zones, detector and timing settings."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import shapely
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cvmon.config.rules import Rules, RulesConfig, merge_layers
from cvmon.types import ZoneKind

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
        description="Lower-case letters, digits, '-' and '_'; starts with a letter or digit.",
    ),
]
Point = tuple[float, float]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_INTERVAL = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class StrictModel(BaseModel):
    """Base of every config model: unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_polygon(points: list[Point]) -> list[Point]:
    if len(points) < 3:
        raise ValueError("a polygon needs at least 3 points")
    for x, y in points:
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            raise ValueError(f"point ({x}, {y}) lies outside the image; use relative 0..1 coordinates")
    polygon = shapely.Polygon(points)
    if polygon.area <= 0.0 and shapely.MultiPoint(points).convex_hull.area <= 0.0:
        raise ValueError("the polygon has no area (its points lie on one line)")
    if not polygon.is_valid:
        raise ValueError("the polygon crosses itself; order its points around the outline")
    return points


def parse_interval(text: str) -> tuple[time, time]:
    """Parse ``"08:00-15:30"`` into (start, end); ``24:00`` is read as end of day."""
    m = _INTERVAL.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not an interval like 08:00-15:30")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    start = time(h1, m1)
    end = time(23, 59, 59, 999999) if (h2, m2) >= (24, 0) else time(h2, m2)
    if h2 == 24 and m2 != 0:
        raise ValueError(f"'{text}': 24 may only be used as 24:00")
    if end <= start:
        raise ValueError(f"'{text}': the end must come after the start")
    return start, end


class ServiceHours(StrictModel):
    """Hours a unit serves customers, per weekday, in the unit's time zone."""

    mon: list[str] = Field(default=["08:00-15:00"], description="Intervals on Monday, e.g. 08:00-12:00.")
    tue: list[str] = Field(default=["08:00-15:00"], description="Intervals on Tuesday.")
    wed: list[str] = Field(default=["08:00-15:00"], description="Intervals on Wednesday.")
    thu: list[str] = Field(default=["08:00-15:00"], description="Intervals on Thursday.")
    fri: list[str] = Field(default=["08:00-15:00"], description="Intervals on Friday.")
    sat: list[str] = Field(default=[], description="Intervals on Saturday; empty means closed.")
    sun: list[str] = Field(default=[], description="Intervals on Sunday; empty means closed.")

    @field_validator(*WEEKDAYS)
    @classmethod
    def _intervals(cls, value: list[str]) -> list[str]:
        for text in value:
            parse_interval(text)
        return value

    def intervals(self, weekday: int) -> list[tuple[time, time]]:
        """Intervals of a weekday (0 = Monday)."""
        return [parse_interval(t) for t in getattr(self, WEEKDAYS[weekday])]


class ContactConfig(StrictModel):
    """Who answers questions about the cameras of a unit (shown on the data-protection notice)."""

    name: str = Field(min_length=1, max_length=200, description="Contact person or desk, e.g. Manajer ULP Ampenan.")
    role: str | None = Field(default=None, max_length=200, description="Their position, e.g. PIC Layanan.")
    phone: str | None = Field(default=None, max_length=50, description="Telephone or WhatsApp number.")
    email: str | None = Field(default=None, max_length=200, description="E-mail address.")


class DataProtectionConfig(StrictModel):
    """What the data-protection notice (UU 27/2022 art. 17) names beyond what cvmon knows by itself."""

    controller: str | None = Field(
        default=None,
        max_length=300,
        description="The organisation responsible for the monitoring, e.g. PT PLN (Persero).",
    )
    purpose: str | None = Field(
        default=None,
        max_length=2000,
        description="Purpose of the monitoring in your own words; default a standard text about service supervision.",
    )


class IndexWeights(StrictModel):
    """Weights of the aspects of the service-environment index; an aspect without data drops out."""

    waiting: float = Field(default=0.30, ge=0, description="Visits within the wait SLA (long_wait.sla_s).")
    queue: float = Field(default=0.20, ge=0, description="Service time with the queue under its threshold.")
    staffing: float = Field(default=0.30, ge=0, description="Service time counters and posts were staffed.")
    comfort: float = Field(default=0.10, ge=0, description="Service time zones were within their capacity.")
    follow_up: float = Field(default=0.10, ge=0, description="Alerts resolved with a recorded follow-up.")
    room: float = Field(
        default=0.05, ge=0, description="Room ready at opening and without changes (cameras with a room reference)."
    )
    behaviour: float = Field(
        default=0.10,
        ge=0,
        description="Arrivals greeted the PS4 way at counters and posts (cameras with behaviour enabled).",
    )

    @model_validator(mode="after")
    def _some_weight(self) -> IndexWeights:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return self


class IndexCategories(StrictModel):
    """Lowest index (0-100) of each category; below ``fair`` is poor."""

    excellent: float = Field(default=90, ge=0, le=100, description="Excellent (sangat baik) from this index.")
    good: float = Field(default=75, ge=0, le=100, description="Good (baik) from this index.")
    fair: float = Field(default=60, ge=0, le=100, description="Fair (cukup) from this index.")

    @model_validator(mode="after")
    def _ordered(self) -> IndexCategories:
        if not self.excellent >= self.good >= self.fair:
            raise ValueError("categories must satisfy excellent >= good >= fair")
        return self


class IndexTargets(StrictModel):
    """The score (0-100) each aspect of the index should reach; an aspect below its target is a quick win."""

    waiting: float = Field(default=90, ge=0, le=100, description="Target % of visits within the wait SLA.")
    queue: float = Field(default=90, ge=0, le=100, description="Target % of service minutes under the queue threshold.")
    staffing: float = Field(
        default=95, ge=0, le=100, description="Target % of service time counters and posts staffed."
    )
    comfort: float = Field(default=95, ge=0, le=100, description="Target % of service time zones within capacity.")
    follow_up: float = Field(default=90, ge=0, le=100, description="Target % of alerts resolved with a follow-up.")
    room: float = Field(
        default=90, ge=0, le=100, description="Target % of room days ready at opening and service hours unchanged."
    )
    behaviour: float = Field(default=90, ge=0, le=100, description="Target % of judged arrivals greeted the PS4 way.")


class ReportsConfig(StrictModel):
    """How periodic reports score units."""

    weights: IndexWeights = Field(default_factory=IndexWeights, description="Aspect weights of the index.")
    categories: IndexCategories = Field(default_factory=IndexCategories, description="Category thresholds.")
    targets: IndexTargets = Field(
        default_factory=IndexTargets,
        description="Target score per aspect; the report's quick wins are the aspects below theirs, lowest first.",
    )
    mystery_shopper_target: float = Field(
        default=90,
        ge=0,
        le=100,
        description="Target score (0-100) of a mystery-shopper aspect; one below it joins the quick wins.",
    )


class UnitConfig(StrictModel):
    """A node of the organisation tree (UIW/UID -> UP3 -> ULP)."""

    id: Identifier = Field(description="Unique id of the unit, e.g. ulp-ampenan.")
    name: str = Field(min_length=1, description="Display name, e.g. ULP Ampenan.")
    level: Literal["uiw", "uid", "up3", "ulp"] = Field(description="Level in the organisation tree.")
    parent: str | None = Field(default=None, description="Id of the parent unit; none for a root.")
    timezone: str | None = Field(
        default=None,
        description="IANA time zone of the unit; inherited from the parent, default Asia/Makassar (WITA).",
    )
    service_hours: ServiceHours | None = Field(
        default=None, description="Service hours per weekday; inherited from the parent when absent."
    )
    rules: RulesConfig | None = Field(default=None, description="Alert rule overrides for this unit and below.")
    contact: ContactConfig | None = Field(
        default=None,
        description="Contact person for the data-protection notice; inherited from the parent when absent.",
    )

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}' (use an IANA name such as Asia/Makassar)") from None
        return value


class DetectorConfig(StrictModel):
    """Which person detector runs and how."""

    type: Literal["onnx", "ultralytics", "replay"] = Field(
        default="onnx", description="Backend: onnx (onnxruntime), ultralytics (extra), replay (fixture file)."
    )
    model: str = Field(
        default="yolox_nano_416",
        description="Model name from models/registry.yaml, or a path to a model file "
        "(onnx/ultralytics), or to a detections fixture (replay).",
    )
    confidence: float = Field(default=0.3, gt=0.0, lt=1.0, description="Minimum person score counted.")
    evidence_confidence: float = Field(
        default=0.1,
        gt=0.0,
        lt=1.0,
        description="Lower score down to which people are blurred in evidence snapshots (and fed to the "
        "tracker's second association stage); never counted.",
    )
    nms_iou: float = Field(default=0.45, gt=0.0, le=1.0, description="IoU above which NMS drops a box.")
    input_size: int | None = Field(
        default=None, ge=32, le=4096, description="Square model input size; default the model's own."
    )
    threads: int = Field(default=2, ge=1, le=64, description="Inference threads.")
    layout: Literal["yolox", "ultralytics", "nanodet"] | None = Field(
        default=None, description="Output layout of a model file given by path; default from the registry."
    )


class TrackerConfig(StrictModel):
    """ByteTrack settings, in seconds rather than frames so they hold at any analysis fps."""

    lost_track_s: float = Field(default=2.0, gt=0, description="How long a lost track is kept for re-matching.")
    activation_confidence: float = Field(
        default=0.4, gt=0, lt=1, description="Score a detection needs to start a new track."
    )
    high_confidence: float = Field(
        default=0.5, gt=0, lt=1, description="Score that puts a detection into ByteTrack's first association stage."
    )
    min_iou: float = Field(default=0.1, gt=0, lt=1, description="Minimum similarity to match a detection to a track.")
    association: Literal["hmiou", "iou"] = Field(
        default="hmiou",
        description="Similarity of a track's predicted box and a detection: 'hmiou' (IoU times the overlap of "
        "their vertical extents, so a standing person's track does not jump to a nearer passer-by's taller box) "
        "or 'iou' (plain IoU, ByteTrack's own).",
    )
    hold_unseen_s: float = Field(
        default=1.5,
        ge=0,
        description="A confirmed track the detector missed for a moment (a person partly hidden behind another) "
        "is still counted where the tracker expects it for up to this many seconds; 0 counts detections only.",
    )


class MotionGateConfig(StrictModel):
    """Skipping the detector on frames where nothing moved since it last ran (see cvmon.pipeline.motion)."""

    enabled: bool = Field(default=True, description="Reuse the last detections while the scene stands still.")
    min_changed: float = Field(
        default=0.001,
        ge=0,
        lt=1,
        description="Share of the watched area's pixels that must change for the detector to run again.",
    )
    pixel_delta: int = Field(default=15, ge=1, le=255, description="Grey-level change that counts a pixel as changed.")
    max_skip_s: float = Field(
        default=1.0, gt=0, le=60, description="The detector runs at least this often (seconds of video)."
    )


class TimingConfig(StrictModel):
    """Debounce and grace periods of zone logic."""

    min_enter_s: float = Field(default=2.0, ge=0, description="Seconds inside a zone before a visit starts.")
    min_exit_s: float = Field(
        default=3.0,
        ge=0,
        description="Seconds outside (or unseen) before a visit ends; a person hidden for less is the same visit.",
    )
    staffed_grace_s: float = Field(
        default=20.0,
        ge=0,
        description="Seconds a staff zone may be empty before it counts as unstaffed.",
    )
    rejoin_distance: float = Field(
        default=1.5,
        gt=0,
        description="A new track that appears within this many box widths of a visit "
        "that just lost its track continues that visit (tracker id changes).",
    )


class ZoneConfig(StrictModel):
    """A polygon on the camera image with a kind."""

    id: Identifier = Field(description="Id of the zone, unique within its camera.")
    name: str | None = Field(default=None, description="Display name, e.g. Loket 1.")
    kind: ZoneKind = Field(description="queue, waiting, counter_staff, counter_customer, post or entrance.")
    points: list[Point] = Field(description="Polygon in relative coordinates: [[x, y], ...], 0..1, at least 3.")
    capacity: int | None = Field(default=None, ge=1, description="People the zone holds comfortably.")
    queue: str | None = Field(
        default=None, description="For a counter zone: id of the queue or waiting zone it serves (same camera)."
    )
    counter: str | None = Field(
        default=None, description="For a counter_staff zone: id of its counter_customer zone (same camera)."
    )

    rules: RulesConfig | None = Field(default=None, description="Alert rule overrides for this zone.")

    @field_validator("points")
    @classmethod
    def _polygon(cls, value: list[Point]) -> list[Point]:
        return _check_polygon(value)


class PrivacyMask(StrictModel):
    """A region blanked on every frame before anything looks at it."""

    name: str | None = Field(default=None, description="What it hides, e.g. counter screen.")
    points: list[Point] = Field(description="Polygon in relative 0..1 coordinates, at least 3 points.")

    @field_validator("points")
    @classmethod
    def _polygon(cls, value: list[Point]) -> list[Point]:
        return _check_polygon(value)


class CameraConfig(StrictModel):
    """One camera: where its video comes from and what is measured on it."""

    id: Identifier = Field(description="Unique id of the camera.")
    name: str | None = Field(default=None, description="Display name, e.g. Ruang tunggu.")
    unit: str = Field(description="Id of the unit (usually a ULP) the camera belongs to.")
    source: str = Field(
        min_length=1,
        description="rtsp:// URL or a video file path (relative paths are relative to this file; ${VAR} is expanded).",
    )
    analysis_fps: float | None = Field(default=None, gt=0, le=60, description="Frames analysed per second.")
    detector: DetectorConfig | None = Field(default=None, description="Overrides defaults.detector.")
    tracker: TrackerConfig | None = Field(default=None, description="Overrides defaults.tracker.")
    timing: TimingConfig | None = Field(default=None, description="Overrides defaults.timing.")
    motion_gate: MotionGateConfig | None = Field(default=None, description="Overrides defaults.motion_gate.")
    zones: list[ZoneConfig] = Field(default=[], description="Zones measured on this camera.")
    privacy_masks: list[PrivacyMask] = Field(default=[], description="Regions blanked before analysis.")
    enabled: bool = Field(default=True, description="Whether `cvmon run` starts this camera.")
    rules: RulesConfig | None = Field(default=None, description="Alert rule overrides for this camera.")
    evidence: EvidenceConfig | None = Field(default=None, description="Overrides defaults.evidence.")
    room: RoomConfig | None = Field(
        default=None, description="Room readiness: regions compared with the camera's reference picture."
    )
    behaviour: BehaviourConfig | None = Field(
        default=None, description="The PS4 greeting at counters and the door, measured by pose (off unless enabled)."
    )
    staff: StaffConfig | None = Field(
        default=None,
        description="Staff recognised by appearance: customer zones then count customers only (off unless enabled).",
    )
    journey: JourneyConfig | None = Field(
        default=None,
        description="The order in which customers are expected to pass this camera's zones (entrance, post, "
        "guide desk, queue, counter), for the flow figures; none: no flow figures.",
    )

    @property
    def is_live(self) -> bool:
        return self.source.lower().startswith(("rtsp://", "rtsps://", "http://", "https://"))


class EvidenceConfig(StrictModel):
    """When a camera takes anonymised snapshots."""

    latest_every_s: float = Field(default=5.0, gt=0, description="Seconds between refreshes of the latest frame.")
    periodic_every_min: float | None = Field(
        default=None, gt=0, description="Minutes between stored snapshots during service hours; none: off."
    )
    peak_every_s: float = Field(
        default=10.0,
        ge=0,
        description="Least seconds between two renderings of a growing duration's peak snapshot "
        "(a rising head count is rendered at once).",
    )
    margin: float = Field(default=0.15, ge=0, le=1, description="Share of a box's size blurred around it as well.")


class RetentionConfig(StrictModel):
    """How long each class of stored data is kept (personal-data rules: delete on schedule)."""

    snapshots_days: float = Field(default=90, gt=0, description="Days anonymised snapshots (evidence) are kept.")
    alerts_days: float = Field(default=365, gt=0, description="Days alerts and their follow-up are kept.")
    minute_rows_days: float = Field(
        default=35, gt=0, description="Days per-minute rows are kept; they are rolled up to hourly rows first."
    )
    hourly_rows_days: float = Field(default=730, gt=0, description="Days hourly rows are kept.")
    daily_rows_days: float = Field(
        default=3650, gt=0, description="Days daily rows (rolled up from hourly rows) are kept."
    )
    ratings_days: float = Field(
        default=400, gt=0, description="Days imported customer ratings and mystery-shopper scores are kept."
    )
    run_every_min: float = Field(default=60, gt=0, description="Minutes between retention runs inside `cvmon run`.")


class Defaults(StrictModel):
    """Settings every camera inherits unless it overrides them."""

    analysis_fps: float = Field(default=5.0, gt=0, le=60, description="Frames analysed per second.")
    detector: DetectorConfig = Field(default_factory=DetectorConfig, description="Detector settings.")
    tracker: TrackerConfig = Field(default_factory=TrackerConfig, description="Tracker settings.")
    timing: TimingConfig = Field(default_factory=TimingConfig, description="Zone debounce and grace.")
    motion_gate: MotionGateConfig = Field(
        default_factory=MotionGateConfig, description="Skipping the detector while nothing moves."
    )
    rtsp_open_timeout_s: float = Field(default=10.0, gt=0, description="Seconds to wait for a stream to open.")
    rtsp_read_timeout_s: float = Field(
        default=5.0, gt=0, description="Seconds without a new frame before reconnecting."
    )
    reconnect_max_s: float = Field(default=60.0, gt=0, description="Longest wait between reconnection attempts.")
    rules: RulesConfig | None = Field(default=None, description="Alert rules every unit and camera inherits.")
    evidence: EvidenceConfig = Field(default_factory=EvidenceConfig, description="Snapshot settings.")


class Config(StrictModel):
    """The whole cameras.yaml."""

    version: Literal[1] = Field(default=1, description="Schema version of this file.")
    units: list[UnitConfig] = Field(min_length=1, description="The organisation tree as a flat list with parents.")
    defaults: Defaults = Field(default_factory=Defaults, description="Settings cameras inherit.")
    cameras: list[CameraConfig] = Field(default=[], description="The cameras.")
    retention: RetentionConfig = Field(default_factory=RetentionConfig, description="How long data is kept.")
    data_protection: DataProtectionConfig = Field(
        default_factory=DataProtectionConfig, description="What the data-protection notice names."
    )
    reports: ReportsConfig = Field(default_factory=ReportsConfig, description="How reports score units.")

    @model_validator(mode="after")
    def _cross_references(self) -> Config:
        from cvmon.config.crossref import check_cross_references

        check_cross_references(self)
        return self

    def camera(self, camera_id: str) -> CameraConfig:
        for cam in self.cameras:
            if cam.id == camera_id:
                return cam
        known = ", ".join(c.id for c in self.cameras) or "none"
        raise KeyError(f"no camera '{camera_id}' in the configuration (known: {known})")

    def unit(self, unit_id: str) -> UnitConfig:
        return next(u for u in self.units if u.id == unit_id)

    def unit_contact(self, unit_id: str) -> tuple[ContactConfig, str] | None:
        """The contact of a unit, inherited up the tree, with the id of the unit that names it."""
        unit: UnitConfig | None = self.unit(unit_id)
        while unit is not None:
            if unit.contact is not None:
                return unit.contact, unit.id
            unit = self.unit(unit.parent) if unit.parent else None
        return None

    def unit_timezone(self, unit_id: str) -> ZoneInfo:
        """Time zone of a unit, inherited up the tree, default Asia/Makassar."""
        unit: UnitConfig | None = self.unit(unit_id)
        while unit is not None:
            if unit.timezone:
                return ZoneInfo(unit.timezone)
            unit = self.unit(unit.parent) if unit.parent else None
        return ZoneInfo("Asia/Makassar")

    def unit_service_hours(self, unit_id: str) -> ServiceHours:
        """Service hours of a unit, inherited up the tree, default Mon-Fri 08:00-15:00."""
        unit: UnitConfig | None = self.unit(unit_id)
        while unit is not None:
            if unit.service_hours:
                return unit.service_hours
            unit = self.unit(unit.parent) if unit.parent else None
        return ServiceHours()

    def detector_for(self, cam: CameraConfig) -> DetectorConfig:
        return cam.detector or self.defaults.detector

    def tracker_for(self, cam: CameraConfig) -> TrackerConfig:
        return cam.tracker or self.defaults.tracker

    def timing_for(self, cam: CameraConfig) -> TimingConfig:
        return cam.timing or self.defaults.timing

    def motion_gate_for(self, cam: CameraConfig) -> MotionGateConfig:
        return cam.motion_gate or self.defaults.motion_gate

    def in_service_hours(self, unit_id: str, ts: datetime) -> bool:
        """Whether a moment falls in the unit's service hours, in the unit's time zone."""
        local = ts.astimezone(self.unit_timezone(unit_id))
        now = local.time()
        return any(start <= now < end for start, end in self.unit_service_hours(unit_id).intervals(local.weekday()))

    def unit_chain(self, unit_id: str) -> list[UnitConfig]:
        """The unit and its ancestors, root first."""
        chain: list[UnitConfig] = []
        unit: UnitConfig | None = self.unit(unit_id)
        while unit is not None and unit not in chain:
            chain.insert(0, unit)
            unit = self.unit(unit.parent) if unit.parent else None
        return chain

    def rules_for(self, cam: CameraConfig, zone: ZoneConfig | None = None) -> Rules:
        """Rule settings of a zone (or of the camera itself): defaults, units root to leaf, camera, zone."""
        layers = [self.defaults.rules, *(u.rules for u in self.unit_chain(cam.unit)), cam.rules]
        if zone is not None:
            layers.append(zone.rules)
        return merge_layers(layers)

    def evidence_for(self, cam: CameraConfig) -> EvidenceConfig:
        return cam.evidence or self.defaults.evidence

    def fps_for(self, cam: CameraConfig) -> float:
        return cam.analysis_fps or self.defaults.analysis_fps


from cvmon.config.behaviour import BehaviourConfig  # noqa: E402  (builds on the models above)
from cvmon.config.journey import JourneyConfig  # noqa: E402  (journey.py builds on the models above)
from cvmon.config.room import RoomConfig  # noqa: E402  (room.py builds on the models above)
from cvmon.config.staff import StaffConfig  # noqa: E402  (builds on the models above)

for _model in (CameraConfig, Config):
    _model.model_rebuild()

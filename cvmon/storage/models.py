"""ORM models of the cvmon database (SQLAlchemy 2.0 typed declarative).

Only aggregated, anonymous figures are stored: per zone and minute, per camera and minute (each also
by the part of it every write held), and camera online/offline transitions. There is no column for
track ids, images or per-person coordinates, and a camera's source URL (which may hold credentials)
is never stored (a write's ``source`` names its camera, time and a hash of its file name, no path).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cvmon.storage.columns import UTCDateTime

# Deterministic constraint names, identical on SQLite and PostgreSQL, so migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LENGTH = 64
NAME_LENGTH = 200


class Base(DeclarativeBase):
    """Declarative base holding the metadata that Alembic migrations mirror."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UnitRecord(Base):
    """A node of the organisation tree (UIW/UID -> UP3 -> ULP)."""

    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    level: Mapped[str] = mapped_column(String(8))
    parent_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), ForeignKey("units.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(64))


class CameraRecord(Base):
    """A camera; ``source_kind`` says rtsp or file, the source itself is never stored."""

    __tablename__ = "cameras"
    __table_args__ = (CheckConstraint("source_kind IN ('rtsp', 'file')", name="source_kind"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("units.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    source_kind: Mapped[str] = mapped_column(String(8))
    analysis_fps: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ZoneRecord(Base):
    """A zone of a camera with its polygon in relative 0..1 coordinates."""

    __tablename__ = "zones"

    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("cameras.id"), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    capacity: Mapped[int | None] = mapped_column(Integer)
    queue_zone_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    counter_zone_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    points: Mapped[list[Any]] = mapped_column(JSON)


class CameraVersionRecord(Base):
    """A period ``[valid_from, valid_to)`` over which a camera was configured with these settings; the
    open period (``valid_to`` NULL) is its configuration now, a camera without one has been removed.
    ``service_hours`` (its unit's, inherited, as in ``cameras.yaml``) and ``timezone`` are what reports
    count the period by; both NULL in a period carried over from before revision 0012 (unknown then)."""

    __tablename__ = "camera_versions"

    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("cameras.id"), primary_key=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unit_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("units.id"))
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    source_kind: Mapped[str] = mapped_column(String(8))
    analysis_fps: Mapped[float] = mapped_column(Float)
    timezone: Mapped[str | None] = mapped_column(String(64))
    service_hours: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)


class ZoneVersionRecord(Base):
    """A period ``[valid_from, valid_to)`` over which a zone was configured with these settings (the open
    one is its configuration now). ``rules`` holds the zone's effective rule settings (``Rules``, every
    layer merged); NULL in a period carried over from before revision 0012."""

    __tablename__ = "zone_versions"
    __table_args__ = (ForeignKeyConstraint(["camera_id", "zone_id"], ["zones.camera_id", "zones.zone_id"]),)

    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    capacity: Mapped[int | None] = mapped_column(Integer)
    queue_zone_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    counter_zone_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    points: Mapped[list[Any]] = mapped_column(JSON)
    rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)


EMPTY_HISTOGRAM_SQL = """'{"v": 2, "b": []}'"""  # DurationHistogram().to_json(), for the rows stored before it existed


class ZoneFigureColumns:
    """The columns of a ``cvmon.figures.ZoneFigures`` (one each, of the same names), shared by minute,
    hourly and daily rows."""

    zone_kind: Mapped[str] = mapped_column(String(32))
    samples: Mapped[int] = mapped_column(Integer)
    count_sum: Mapped[int] = mapped_column(Integer)
    count_max: Mapped[int] = mapped_column(Integer)
    seconds_observed: Mapped[float] = mapped_column(Float)
    seconds_staffed: Mapped[float] = mapped_column(Float)
    seconds_offline: Mapped[float] = mapped_column(Float)
    seconds_over_capacity: Mapped[float] = mapped_column(Float)
    visits: Mapped[int] = mapped_column(Integer)
    visit_seconds_sum: Mapped[float] = mapped_column(Float)
    visit_hist: Mapped[list[int]] = mapped_column(JSON)
    greet_arrivals: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    greeted: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    greet_missed: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    greet_unseen: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    seated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    staff_count_sum: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    unsure_count_sum: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    staff_seconds: Mapped[float] = mapped_column(Float, server_default=text("0"))
    arrivals: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    met_at_door: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    joined_midway: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    guided_before_queue: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    queued: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    abandoned: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    reached_counter: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    skipped_required: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    journeys_unsure: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    journey_seconds_sum: Mapped[float] = mapped_column(Float, server_default=text("0"))
    journey_hist: Mapped[dict[str, Any]] = mapped_column(JSON, server_default=text(EMPTY_HISTOGRAM_SQL))


class MinuteStatRecord(ZoneFigureColumns, Base):
    """Aggregated figures of one zone for one UTC minute (see ``cvmon.types.MinuteRow``): the sum of the
    minute's parts in ``minute_parts``, kept by every write. Roll-ups, reports and the API read these."""

    __tablename__ = "minute_stats"
    __table_args__ = (
        ForeignKeyConstraint(["camera_id", "zone_id"], ["zones.camera_id", "zones.zone_id"]),
        Index("ix_minute_stats_camera_id_minute", "camera_id", "minute"),
        Index("ix_minute_stats_minute", "minute"),
        CheckConstraint(
            "samples >= 0 AND count_sum >= 0 AND count_max >= 0 AND visits >= 0 "
            "AND seconds_observed >= 0 AND seconds_staffed >= 0 AND seconds_offline >= 0 "
            "AND seconds_over_capacity >= 0 AND visit_seconds_sum >= 0",
            name="non_negative",
        ),
    )

    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    t_first_s: Mapped[float] = mapped_column(Float)
    t_last_s: Mapped[float] = mapped_column(Float)


SOURCE_LENGTH = 200
NON_NEGATIVE_FIGURES = (
    "samples >= 0 AND count_sum >= 0 AND count_max >= 0 AND visits >= 0 "
    "AND seconds_observed >= 0 AND seconds_staffed >= 0 AND seconds_offline >= 0 "
    "AND seconds_over_capacity >= 0 AND visit_seconds_sum >= 0"
)


class MinutePartRecord(ZoneFigureColumns, Base):
    """One write's part of a zone's minute, by the identity of what wrote it (``source``); the minute's
    ``minute_stats`` row is the sum of its parts (see ``MinuteRepository.write_minutes``)."""

    __tablename__ = "minute_parts"
    __table_args__ = (
        ForeignKeyConstraint(["camera_id", "zone_id"], ["zones.camera_id", "zones.zone_id"]),
        Index("ix_minute_parts_minute", "minute"),
        CheckConstraint(NON_NEGATIVE_FIGURES, name="non_negative"),
    )

    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    source: Mapped[str] = mapped_column(String(SOURCE_LENGTH), primary_key=True)
    t_first_s: Mapped[float] = mapped_column(Float)
    t_last_s: Mapped[float] = mapped_column(Float)


class CameraEventRecord(Base):
    """An online/offline transition of a camera; unique per (camera, time, kind)."""

    __tablename__ = "camera_events"
    __table_args__ = (
        UniqueConstraint("camera_id", "ts", "kind"),
        CheckConstraint("kind IN ('online', 'offline')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("cameras.id"))
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(500))


class CameraMinuteRecord(Base):
    """Coverage of one camera for one UTC minute: frames analysed, seconds online and offline, and the
    detector's milliseconds over those frames (sum and max; 0 in rows written before they were measured).
    The sum of the minute's parts in ``camera_minute_parts``, kept by every write."""

    __tablename__ = "camera_minutes"
    __table_args__ = (
        Index("ix_camera_minutes_minute", "minute"),
        CheckConstraint("frames_analysed >= 0 AND seconds_online >= 0 AND seconds_offline >= 0", name="non_negative"),
    )

    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("cameras.id"), primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    frames_analysed: Mapped[int] = mapped_column(Integer)
    seconds_online: Mapped[float] = mapped_column(Float)
    seconds_offline: Mapped[float] = mapped_column(Float)
    t_first_s: Mapped[float] = mapped_column(Float)
    t_last_s: Mapped[float] = mapped_column(Float)
    inference_ms_sum: Mapped[float] = mapped_column(Float, server_default=text("0"))
    inference_ms_max: Mapped[float] = mapped_column(Float, server_default=text("0"))
    frames_detected: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class CameraMinutePartRecord(Base):
    """One write's part of a camera's coverage of a minute, by ``source``; ``camera_minutes`` holds
    the sum of a minute's parts."""

    __tablename__ = "camera_minute_parts"
    __table_args__ = (
        Index("ix_camera_minute_parts_minute", "minute"),
        CheckConstraint("frames_analysed >= 0 AND seconds_online >= 0 AND seconds_offline >= 0", name="non_negative"),
    )

    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("cameras.id"), primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    source: Mapped[str] = mapped_column(String(SOURCE_LENGTH), primary_key=True)
    frames_analysed: Mapped[int] = mapped_column(Integer)
    seconds_online: Mapped[float] = mapped_column(Float)
    seconds_offline: Mapped[float] = mapped_column(Float)
    t_first_s: Mapped[float] = mapped_column(Float)
    t_last_s: Mapped[float] = mapped_column(Float)
    inference_ms_sum: Mapped[float] = mapped_column(Float)
    inference_ms_max: Mapped[float] = mapped_column(Float)
    frames_detected: Mapped[int] = mapped_column(Integer)


class AlertRecord(Base):
    """An alert: opened by a rule, maybe escalated, acknowledged and resolved by people.

    (camera, zone, rule, opened_at) is unique, so re-processing a recording does not open twice.
    A camera-level alert (camera_offline) has the zone id ''.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("camera_id", "zone_id", "rule", "opened_at"),
        Index("ix_alerts_unit_id_opened_at", "unit_id", "opened_at"),
        Index("ix_alerts_opened_at", "opened_at"),
        CheckConstraint(
            "followup_category IS NULL OR followup_category IN ('coaching', 'flow_change', 'room_fix', 'other')",
            name="followup_category",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("units.id"))
    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("cameras.id"))
    zone_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    open_value: Mapped[float] = mapped_column(Float)
    peak_value: Mapped[float] = mapped_column(Float)
    peak_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acked_by: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    followup_category: Mapped[str | None] = mapped_column(String(16), nullable=True)
    followup_note: Mapped[str | None] = mapped_column(String(2000), nullable=True)


# Why a snapshot was taken: an alert's opening or peak, periodically, room readiness (the room's
# reference, the verdict at opening, a check during the day whose findings changed), and a missed
# greeting (for coaching: everyone pixelated, only the staff side's skeleton drawn).
EVIDENCE_KINDS = ("open", "peak", "periodic", "room_reference", "room_opening", "room_check", "greeting_missed")


class EvidenceRecord(Base):
    """An anonymised snapshot on disk: at an alert's opening or peak, or a periodic one."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("path"),
        Index("ix_evidence_camera_id_ts", "camera_id", "ts"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in EVIDENCE_KINDS)})", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("alerts.id"), nullable=True, index=True)
    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("cameras.id"))
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)


class OutboxRecord(Base):
    """A notification waiting to be delivered on one channel (webhook or MQTT); nothing is lost."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_channel_status_next_attempt_at", "channel", "status", "next_attempt_at"),
        CheckConstraint("channel IN ('webhook', 'mqtt')", name="channel"),
        CheckConstraint("status IN ('pending', 'delivered')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class HourlyStatRecord(ZoneFigureColumns, Base):
    """Figures of one zone for one UTC hour, rolled up from its minute rows (kept longer than they are).

    ``minutes`` counts the minute rows rolled in. While an hour's minute rows exist the row is
    recomputed from them; ``final`` is set when they are deleted, and a final row is never
    recomputed again (late minute rows of that hour could only give a partial sum).
    """

    __tablename__ = "hourly_stats"
    __table_args__ = (
        ForeignKeyConstraint(["camera_id", "zone_id"], ["zones.camera_id", "zones.zone_id"]),
        Index("ix_hourly_stats_hour", "hour"),
        CheckConstraint(
            "minutes >= 0 AND samples >= 0 AND count_sum >= 0 AND count_max >= 0 AND visits >= 0 "
            "AND seconds_observed >= 0 AND seconds_staffed >= 0 AND seconds_offline >= 0 "
            "AND seconds_over_capacity >= 0 AND visit_seconds_sum >= 0",
            name="non_negative",
        ),
    )

    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)
    final: Mapped[bool] = mapped_column(Boolean)


class DailyStatRecord(ZoneFigureColumns, Base):
    """Figures of one zone for one local calendar day (the time zone of the camera's unit), rolled up
    from its hourly rows and kept for years after they are gone; ``hours`` counts the hourly rows."""

    __tablename__ = "daily_stats"
    __table_args__ = (
        ForeignKeyConstraint(["camera_id", "zone_id"], ["zones.camera_id", "zones.zone_id"]),
        Index("ix_daily_stats_day", "day"),
        CheckConstraint(
            "hours >= 0 AND samples >= 0 AND count_sum >= 0 AND count_max >= 0 AND visits >= 0 "
            "AND seconds_observed >= 0 AND seconds_staffed >= 0 AND seconds_offline >= 0 "
            "AND seconds_over_capacity >= 0 AND visit_seconds_sum >= 0",
            name="non_negative",
        ),
    )

    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hours: Mapped[int] = mapped_column(Integer)


ROLES: tuple[str, ...] = ("admin", "manager", "pic", "auditor", "viewer")
USERNAME_LENGTH = 64


class UserRecord(Base):
    """A person who may use the API and web viewer; never deleted, only disabled (the audit log names them)."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("username"),
        CheckConstraint("role IN ('admin', 'manager', 'pic', 'auditor', 'viewer')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserUnitRecord(Base):
    """A unit a user is bound to; the user sees it and every unit below it."""

    __tablename__ = "user_units"

    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("units.id"), primary_key=True, index=True)


class UserSessionRecord(Base):
    """A signed-in browser: only the HMAC of its cookie token is stored, so the table cannot be replayed."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_expires_at", "expires_at"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditRecord(Base):
    """One line of the append-only audit log: who did what to which target, when and from where.

    Rows are only ever inserted; the migrations install triggers that refuse UPDATE, DELETE and (on
    SQLite) an INSERT that would replace a row. ``actor`` is a username (or ``cli:<login>``), kept as
    text so the log outlives any user row. ``row_hash`` chains the rows (``cvmon.storage.audit_chain``).
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_ts", "ts"),
        Index("ix_audit_log_action_target_ts", "action", "target", "ts"),
        Index("ix_audit_log_action_client_addr_ts", "action", "client_addr", "ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(NAME_LENGTH), nullable=True)
    client_addr: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class RatingDayRecord(Base):
    """Customer ratings of one unit, local day, channel and service ("" for all): counts and means only.

    Imported from the utility's app and contact centre (``cvmon import ratings``); a re-import of the same
    key replaces the row. No column holds a customer's identity or words.
    """

    __tablename__ = "rating_days"
    __table_args__ = (
        Index("ix_rating_days_day", "day"),
        CheckConstraint(
            "csat_count >= 0 AND nps_promoters >= 0 AND nps_passives >= 0 AND nps_detractors >= 0 AND ces_count >= 0",
            name="non_negative",
        ),
    )

    unit_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("units.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    service: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    csat_count: Mapped[int] = mapped_column(Integer)
    csat_mean: Mapped[float | None] = mapped_column(Float, nullable=True)
    nps_promoters: Mapped[int] = mapped_column(Integer)
    nps_passives: Mapped[int] = mapped_column(Integer)
    nps_detractors: Mapped[int] = mapped_column(Integer)
    ces_count: Mapped[int] = mapped_column(Integer)
    ces_mean: Mapped[float | None] = mapped_column(Float, nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ShopperScoreRecord(Base):
    """One aspect of one touchpoint scored in a mystery-shopper visit (``score`` 0-100, ``weight`` > 0).

    A visit is its unit, local date and start time (``visit_time`` "HH:MM", "" when unknown); a re-import of
    a visit's touchpoint replaces all its aspects. No column names the shopper or holds their notes.
    """

    __tablename__ = "shopper_scores"
    __table_args__ = (
        Index("ix_shopper_scores_visit_date", "visit_date"),
        CheckConstraint("weight > 0 AND score >= 0 AND score <= 100", name="score_range"),
    )

    unit_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("units.id"), primary_key=True)
    visit_date: Mapped[date] = mapped_column(Date, primary_key=True)
    visit_time: Mapped[str] = mapped_column(String(5), primary_key=True)
    touchpoint: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    aspect: Mapped[str] = mapped_column(String(NAME_LENGTH), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GreetingReferenceRecord(Base):
    """A camera's reference greeting at one staff zone, recorded on site by an admin: the normalised
    keypoints of its frames (``cvmon.behaviour.reference.GreetingReference``), never the video."""

    __tablename__ = "greeting_references"
    __table_args__ = (ForeignKeyConstraint(["camera_id", "zone_id"], ["zones.camera_id", "zones.zone_id"]),)

    camera_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    zone_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(USERNAME_LENGTH), nullable=True)
    frames: Mapped[int] = mapped_column(Integer)
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)


TABLES: tuple[str, ...] = tuple(Base.metadata.tables)


def assign_changed(rec: Base, values: dict[str, Any]) -> bool:
    """Assign the values that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(rec, name) != value:
            setattr(rec, name, value)
            changed = True
    return changed

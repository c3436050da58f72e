"""Complaints and what they are filed against: categories, districts, routing, history."""

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.accounts.models import Unit, User
from casemgr.cases.time_windows import TimeWindow, weekdays_from_text
from casemgr.db import Base, UTCDateTime, utcnow

#: Case statuses, in lifecycle order; the BPMN user tasks name the open ones.
OPEN_STATUSES = (
    "submitted", "waiting", "accepted", "assigned", "escalated", "resolved", "validating",
)
STATUSES = OPEN_STATUSES + ("closed",)


class Category(Base):
    """What a complaint is about; it names the default unit, the process and the SLA."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    process_key: Mapped[str] = mapped_column(String(80), default="complaint")
    #: Resolution SLA: `sla_amount` of `sla_unit` (working_hours, working_days or
    #: calendar_hours for 24/7 categories such as floods) after filing.
    sla_amount: Mapped[float] = mapped_column(Float, default=7)
    sla_unit: Mapped[str] = mapped_column(String(20), default="working_days")
    #: The red flag, in the SLA's unit; None flags at 80% of the SLA's working time.
    at_risk_amount: Mapped[float | None] = mapped_column(Float)
    #: Level 2 (the escalation manager) this long after the breach: working hours, or
    #: calendar hours for a 24/7 category.
    escalate_after_hours: Mapped[float] = mapped_column(Float, default=8)
    #: Stage deadlines in working days after filing: triage, forwarding, unit follow-up.
    triage_days: Mapped[float] = mapped_column(Float, default=1)
    forward_days: Mapped[float] = mapped_column(Float, default=3)
    followup_days: Mapped[float] = mapped_column(Float, default=5)
    #: Calendar days a question to the reporter stays open before the case goes on.
    question_days: Mapped[int] = mapped_column(Integer, default=5)
    #: Open reports of this category within this many metres are offered as duplicates;
    #: 0 turns the suggestions off.
    duplicate_radius_m: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    #: Days the reporter has to verify a fix; None takes the city's VERIFY_DAYS.
    verify_days: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship(lazy="joined")


class District(Base):
    """An area of the city with its boundary as GeoJSON and its bounding box."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    #: Up to hundreds of kilobytes: loaded only where the boundary is drawn or tested,
    #: not with every case that names its district.
    geometry: Mapped[str] = mapped_column(Text, deferred=True)
    min_lat: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)


class RoutingRule(Base):
    """Category x district -> unit; rules are tried by position and the first match wins."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=100)
    #: None matches every category.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    #: None matches every district, and unlocated cases.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    #: Optional time-of-day window in city time, [time_from, time_to); it may wrap
    #: midnight. None for both means any time of day.
    time_from = mapped_column(Time)
    time_to = mapped_column(Time)
    #: ISO weekday numbers the window opens on, such as "1,5"; None means every day.
    weekdays: Mapped[str | None] = mapped_column(String(20))

    unit: Mapped[Unit] = relationship(lazy="joined")

    @property
    def window(self):
        return TimeWindow(self.time_from, self.time_to, weekdays_from_text(self.weekdays))


class CategoryProcessChange(Base):
    """One change of the process a category's new cases run on: the log owners read."""

    __tablename__ = "category_process_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    from_key: Mapped[str] = mapped_column(String(80))
    to_key: Mapped[str] = mapped_column(String(80))
    changed_at = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Kept as text so the log survives a renamed or deleted user.
    changed_by_label: Mapped[str] = mapped_column(String(200), default="system")

    category: Mapped[Category] = relationship(lazy="joined")


class Case(Base):
    """One complaint and the state of the process that handles it."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_unit", "status", "unit_id"),
        Index("ix_cases_lat_lon", "lat", "lon"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public reference such as CM-2026-000123.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    #: False when the report has no real point (none given, or a placeholder).
    is_located: Mapped[bool] = mapped_column(Boolean, default=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_email: Mapped[str | None] = mapped_column(String(200))
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The case this one was merged into as a duplicate; it keeps the history of both.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    #: SHA-256 of the secret verification link given to a reporter without an account.
    verify_digest: Mapped[str | None] = mapped_column(String(64))

    status: Mapped[str] = mapped_column(String(20), default="submitted")
    outcome: Mapped[str | None] = mapped_column(String(40))
    #: The reason the citizen sees when the case is closed without a fix.
    public_note: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    rating: Mapped[int | None] = mapped_column(Integer)
    #: Set when the process stalled on a failing script or timer; shown to staff.
    error: Mapped[str | None] = mapped_column(Text)

    source: Mapped[str] = mapped_column(String(20), default="web")
    #: The identifier in the system a case was imported from, for idempotent imports.
    external_id: Mapped[str | None] = mapped_column(String(80), unique=True)

    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    #: Loaded only when read (a step, the sweep): lists, inboxes and maps never need its
    #: kilobytes per case.
    workflow_state: Mapped[str] = mapped_column(Text, deferred=True)
    next_timer_due_at = mapped_column(UTCDateTime, index=True)
    sla_due_at = mapped_column(UTCDateTime)
    #: The red flag moment; the sweep notifies once and stamps at_risk_flagged_at.
    at_risk_at = mapped_column(UTCDateTime, index=True)
    at_risk_flagged_at = mapped_column(UTCDateTime)
    sla_escalate_at = mapped_column(UTCDateTime)
    followup_due_at = mapped_column(UTCDateTime)
    #: Set while the SLA clock is paused for a question to the reporter.
    sla_paused_at = mapped_column(UTCDateTime)
    #: 0 on time, 1 breached (supervisor told), 2 with the escalation manager.
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    filed_at = mapped_column(UTCDateTime, default=utcnow, index=True)
    resolved_at = mapped_column(UTCDateTime)
    closed_at = mapped_column(UTCDateTime)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Optimistic lock: every UPDATE checks and bumps it.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    category: Mapped[Category] = relationship(lazy="joined")
    district: Mapped[District | None] = relationship(lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id], lazy="joined")
    duplicate_of: Mapped["Case | None"] = relationship(remote_side=[id], lazy="select")

    @property
    def is_open(self):
        return self.status != "closed"


class CaseEvent(Base):
    """One line of a case's append-only history."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Who acted, kept as text so history survives a renamed or deleted user.
    actor_label: Mapped[str] = mapped_column(String(200), default="system")
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    #: JSON object with what changed.
    details: Mapped[str] = mapped_column(Text, default="{}")
    #: Shown on the citizen's tracking page.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)


class Attachment(Base):
    """A checked photo stored on disk under a random name."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    #: report (from the citizen) or resolution (from the field officer).
    kind: Mapped[str] = mapped_column(String(20))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    #: When the camera says the photo was taken, read before its metadata was stripped.
    taken_at = mapped_column(UTCDateTime)
    #: Metres from the case point to where the camera says it was; the position itself
    #: is not kept.
    distance_m: Mapped[float | None] = mapped_column(Float)


#: How an extra question is answered; the names are Open311's attribute datatypes.
QUESTION_DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist",
                      "multivaluelist")


class CategoryQuestion(Base):
    """An extra question a report in a category answers (Open311 calls it an attribute)."""

    __tablename__ = "category_questions"
    __table_args__ = (UniqueConstraint("category_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), index=True
    )
    #: Stable code clients send as attribute[CODE].
    code: Mapped[str] = mapped_column(String(40))
    prompt: Mapped[str] = mapped_column(Text)
    datatype: Mapped[str] = mapped_column(String(20), default="string")
    datatype_description: Mapped[str] = mapped_column(String(300), default="")
    is_required: Mapped[bool] = mapped_column(Boolean, default=False)
    #: False for a line of information shown to the reporter, which takes no answer.
    is_variable: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    #: JSON list of [key, name] pairs for the two list datatypes.
    choices: Mapped[str] = mapped_column(Text, default="[]")


class CaseAnswer(Base):
    """A report's answer to one extra question; a multi-value answer has one row per value."""

    __tablename__ = "case_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    question_code: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)

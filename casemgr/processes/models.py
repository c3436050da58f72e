"""Deployed versions of the BPMN processes that cases run on."""

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casemgr.db import Base, UTCDateTime, utcnow


class ProcessVersion(Base):
    """An immutable deployed process: its BPMN and its parsed spec, stored once."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    # Tens of kilobytes each: every filing reads the newest version, but the parsed spec is
    # cached per process (processes.service.parsed), so they load only when read.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ProcessDraft(Base):
    """The process owner's work in progress: saved even while invalid, one per process."""

    __tablename__ = "process_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80), unique=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    #: JSON list of the problems found when it was last saved.
    errors: Mapped[str] = mapped_column(Text, default="[]")
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MigrationRun(Base):
    """One batch move of open cases to a version, run as a job; the page polls it."""

    __tablename__ = "migration_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(80), index=True)
    target_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    #: queued, running, done or failed (the job itself broke; see `error`).
    status: Mapped[str] = mapped_column(String(20), default="queued")
    #: JSON list of the ids of the cases to move, fixed when the run is started.
    case_ids: Mapped[str] = mapped_column(Text, default="[]")
    total: Mapped[int] = mapped_column(Integer, default=0)
    moved: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    #: JSON list of {case_id, reference, reason} for each case that did not move.
    failures: Mapped[str] = mapped_column(Text, default="[]")
    error: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    finished_at = mapped_column(UTCDateTime)

    @property
    def done_count(self):
        return self.moved + self.failed

    @property
    def is_finished(self):
        return self.status in ("done", "failed")

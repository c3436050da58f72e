"""One row per ready user task, so inboxes are SQL queries rather than workflow loads."""

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.accounts.models import Unit, User
from casemgr.cases.models import Case
from casemgr.db import Base, UTCDateTime, utcnow

TASK_STATUSES = ("open", "completed", "cancelled")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_inbox", "status", "role", "unit_id"),
        # The inbox walks a role's open tasks in due order and stops at its page; the unit
        # and holder are in the index so that rows of other units are skipped without
        # reading them.
        Index("ix_tasks_queue", "status", "role", "due_at", "id", "unit_id", "assignee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: The SpiffWorkflow task id (a UUID) inside the case's workflow.
    engine_task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    documentation: Mapped[str | None] = mapped_column(Text)
    form: Mapped[str | None] = mapped_column(String(80))
    lane: Mapped[str | None] = mapped_column(String(100))
    #: Role key mapped from the lane.
    role: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at = mapped_column(UTCDateTime)
    due_at = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    completed_at = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(lazy="joined")
    unit: Mapped[Unit | None] = relationship(lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")

    @property
    def is_overdue(self):
        return self.status == "open" and self.due_at is not None and self.due_at < utcnow()

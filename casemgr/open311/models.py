"""What Open311 adds to a case: the client's API key, its token, and the updates received."""

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.cases.models import Case
from casemgr.db import Base, UTCDateTime, utcnow


class ApiKey(Base):
    """A client's key for POST requests; only its SHA-256 digest is stored."""

    __tablename__ = "open311_api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: The key's first characters, so that an admin can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(80), default="system")
    created_at = mapped_column(UTCDateTime, default=utcnow)
    revoked_at = mapped_column(UTCDateTime)

    @property
    def is_active(self):
        return self.revoked_at is None


class ServiceRequest(Base):
    """The Open311 side of a case filed through POST requests."""

    __tablename__ = "open311_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), unique=True
    )
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("open311_api_keys.id"), index=True)
    #: Answers GET tokens/{token}.
    token: Mapped[str] = mapped_column(String(40), unique=True)
    #: The client's address identifier; #NOTPINPOINTED# marks a report without a pin.
    address_id: Mapped[str | None] = mapped_column(String(80))
    #: A photo the client hosts itself; casemgr never fetches it.
    media_url: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(40))
    device_id: Mapped[str | None] = mapped_column(String(80))
    created_at = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship()


class ReceivedUpdate(Base):
    """An update a client posted to servicerequestupdates, kept so that none counts twice."""

    __tablename__ = "open311_received_updates"
    __table_args__ = (UniqueConstraint("api_key_id", "update_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("open311_api_keys.id"), index=True)
    #: The client's own identifier of the update.
    update_id: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: The history entry the update became.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id", ondelete="SET NULL"))
    status: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    updated_at = mapped_column(UTCDateTime)
    received_at = mapped_column(UTCDateTime, default=utcnow)


class PendingRequest(Base):
    """A checked POST requests waiting for the job that files it (asynchronous intake)."""

    __tablename__ = "open311_pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("open311_api_keys.id"), index=True)
    #: JSON of the checked fields and answers.
    fields: Mapped[str] = mapped_column(Text)
    #: JSON list of the checked photos waiting in the upload folder.
    photos: Mapped[str] = mapped_column(Text, default="[]")
    #: queued, or failed (with `error`) when the intake refused it after all.
    status: Mapped[str] = mapped_column(String(20), default="queued")
    error: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow)

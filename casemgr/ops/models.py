"""What the running processes tell each other through the database."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from casemgr.db import Base, UTCDateTime


class Heartbeat(Base):
    """The last moment a periodic job (the timer sweep) finished, shared by every host."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    beat_at = mapped_column(UTCDateTime, nullable=False)

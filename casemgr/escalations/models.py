"""The city's working calendar as data: working hours per unit and days off."""

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casemgr.db import Base, UTCDateTime, utcnow


class DayOff(Base):
    """A day the city (or one unit) does not work beyond the public holidays."""

    __tablename__ = "days_off"
    __table_args__ = (UniqueConstraint("day", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day = mapped_column(Date, nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: None: the whole city.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)


class WorkingHours(Base):
    """Working windows per weekday, for a unit or the city, for all dates or a span.

    `windows` is JSON: {"0": [["08:00", "16:00"]], ...} with 0 for Monday. A row with
    no dates is the standard week; a dated row (Ramadan) wins over it on its dates.
    """

    __tablename__ = "working_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    starts_on = mapped_column(Date)
    ends_on = mapped_column(Date)
    windows: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow)

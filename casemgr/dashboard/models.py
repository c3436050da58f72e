"""Map overlays that admins upload: drains, flood zones and the like."""

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casemgr.db import Base, UTCDateTime, utcnow


class OverlayLayer(Base):
    """One checked GeoJSON FeatureCollection drawn as a toggleable layer on the map."""

    __tablename__ = "overlay_layers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: The FeatureCollection as casemgr re-serialized it after the checks.
    geojson: Mapped[str] = mapped_column(Text)
    feature_count: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)

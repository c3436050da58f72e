"""Users, their roles and the city units they work in."""

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.db import Base, UTCDateTime, utcnow

#: Role keys named by the BPMN lanes, plus the two roles outside the diagram.
ROLE_KEYS = (
    "citizen",
    "triage_officer",
    "unit_supervisor",
    "field_officer",
    "escalation_manager",
    "process_owner",
    "admin",
)

#: Roles whose tasks and cases are limited to the user's own unit.
UNIT_SCOPED_ROLES = frozenset({"unit_supervisor", "field_officer"})

#: Roles that see every case in the city.
CITY_WIDE_ROLES = frozenset({"triage_officer", "escalation_manager", "process_owner", "admin"})

user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
)


class Unit(Base):
    """A city department or one of its teams, responsible for cases."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short stable code used in routing rules and the API.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The language the user chose for the pages (id or en); None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    #: Wrong passwords in a row since the last good login; LOGIN_MAX_FAILURES locks.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Logins are refused until this moment, even with the right password.
    locked_until = mapped_column(UTCDateTime, nullable=True)

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    # Loaded when read: a case or task row brings its people along, and their roles were a
    # query of their own each time. The signed-in user comes with them (accounts.auth).
    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="select")

    # Flask-Login's protocol.
    @property
    def is_authenticated(self):
        return True

    @property
    def is_anonymous(self):
        return False

    def get_id(self):
        return str(self.id)

    @property
    def role_keys(self):
        return {role.key for role in self.roles}

    def has_role(self, *keys):
        return bool(self.role_keys & set(keys))

    @property
    def is_staff(self):
        return bool(self.role_keys - {"citizen"})

    @property
    def display_name(self):
        return self.full_name or self.username


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    expires_at = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(lazy="joined")

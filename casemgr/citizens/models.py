"""Who follows a case, how residents rate its fix, and the status texts admins write."""

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casemgr.accounts.models import User
from casemgr.db import Base, UTCDateTime, utcnow

#: The languages of the pages and of the status messages.
LOCALES = ("id", "en")


class Follower(Base):
    """A person who hears about a case: its reporter, or a resident who said "me too"."""

    __tablename__ = "case_followers"
    __table_args__ = (
        UniqueConstraint("case_id", "user_id", name="uq_case_followers_case_user"),
        UniqueConstraint("case_id", "email", name="uq_case_followers_case_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: An account holder; their email comes from the account when a message is sent.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The address of a follower without an account.
    email: Mapped[str | None] = mapped_column(String(200))
    is_reporter: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Counted as one more resident who has the same problem.
    is_me_too: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Email updates are opt-in.
    wants_email: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def address(self):
        if self.user is not None:
            return self.user.email
        return self.email


class Rating(Base):
    """One resident's 1-5 stars for the fix of a case."""

    __tablename__ = "case_ratings"
    __table_args__ = (UniqueConstraint("case_id", "user_id", name="uq_case_ratings_case_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stars: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UTCDateTime, default=utcnow)


class StatusMessage(Base):
    """What the tracking page tells citizens in one status, per category and language."""

    __tablename__ = "status_messages"
    __table_args__ = (
        UniqueConstraint("status", "category_id", "locale", name="uq_status_messages_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    #: None: every category without its own message.
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE")
    )
    locale: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

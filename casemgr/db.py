"""The database engine, the session and the declarative base shared by every feature."""

import logging
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """A datetime stored in UTC and always returned aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: casemgr stores aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: The largest value an integer column holds (PostgreSQL's integer, and so every id or
#: number casemgr stores); a larger one must be refused before it reaches the database.
MAX_INT = 2**31 - 1


def row_id(text):
    """`text` as a row id (ASCII digits, at most MAX_INT), or None when it is not one.

    str.isdigit alone is not enough: "²" is a digit to it, and int() refuses it.
    """
    text = str(text)
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_INT:
        return None
    return int(text)


def utcnow():
    return datetime.now(UTC)


session = scoped_session(sessionmaker(expire_on_commit=False))
_engines = {}


def engine_for(url):
    """Return one engine per database URL, configured for its dialect."""
    if url in _engines:
        return _engines[url]

    # pre-ping swaps a connection that died (the server restarted) for a new one, and the
    # connect timeout turns an unreachable server into a prompt error rather than a hang.
    options = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
    if url.startswith("sqlite"):
        options = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    engine = create_engine(url, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    _engines[url] = engine
    return engine


def _sqlite_pragmas(connection, record):
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def init_app(app):
    """Bind the session to the app's database and close it after each request."""
    session.configure(bind=engine_for(app.config["DATABASE_URL"]))
    # Each request ends with a fresh session, also where an app context outlives it.
    app.teardown_request(lambda exc: session.remove())
    app.teardown_appcontext(lambda exc: session.remove())

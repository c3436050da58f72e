"""Run Alembic migrations from code, against the app's database."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from casemgr.db import engine_for

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: PostgreSQL advisory lock held while migrating, so hosts that start together take turns.
MIGRATION_LOCK = 7_011_2026


def alembic_config(url):
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url):
    """Bring the database at `url` to the newest schema."""
    config = alembic_config(url)
    with engine_for(url).begin() as connection:
        if connection.dialect.name == "postgresql":
            # Released at commit; the next host then finds the schema at head already.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def revision(url, message):
    config = alembic_config(url)
    command.revision(config, message=message, autogenerate=True)

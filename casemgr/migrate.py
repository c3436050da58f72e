"""Run Alembic migrations from code, against the app's database."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from casemgr.db import engine_for

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url):
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url):
    """Bring the database at `url` to the newest schema."""
    config = alembic_config(url)
    with engine_for(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def revision(url, message):
    config = alembic_config(url)
    command.revision(config, message=message, autogenerate=True)

"""The Alembic migrations build exactly the schema the models describe."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from casemgr import migrate
from casemgr.db import engine_for
from casemgr.models import metadata


def differences(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_migrated_database_matches_the_models(app):
    """The test database was migrated at the start of the run (SQLite or PostgreSQL)."""
    engine = engine_for(app.config["DATABASE_URL"])

    assert differences(engine) == []


def test_database_is_at_the_single_head(app):
    script = ScriptDirectory.from_config(migrate.alembic_config(app.config["DATABASE_URL"]))
    with engine_for(app.config["DATABASE_URL"]).connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()

    assert len(script.get_heads()) == 1
    assert tuple(current) == tuple(script.get_heads())


def test_fresh_database_migrates_down_and_up_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = engine_for(url)
    try:
        migrate.upgrade(url)
        assert differences(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables

        with engine.begin() as connection:
            config = migrate.alembic_config(url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        migrate.upgrade(url)
        assert differences(engine) == []
    finally:
        engine.dispose()

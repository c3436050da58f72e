"""routing rule time windows, category process log, migration runs

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-04 18:40:00
"""

import sqlalchemy as sa
from alembic import op

import casemgr.db

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("routing_rules") as batch:
        batch.add_column(sa.Column("time_from", sa.Time(), nullable=True))
        batch.add_column(sa.Column("time_to", sa.Time(), nullable=True))
        batch.add_column(sa.Column("weekdays", sa.String(length=20), nullable=True))

    op.create_table(
        "category_process_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("from_key", sa.String(length=80), nullable=False),
        sa.Column("to_key", sa.String(length=80), nullable=False),
        sa.Column("changed_at", casemgr.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_by_label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"],
                                name=op.f("fk_category_process_changes_category_id_categories")),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"],
                                name=op.f("fk_category_process_changes_changed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_process_changes")),
    )
    op.create_index(op.f("ix_category_process_changes_category_id"),
                    "category_process_changes", ["category_id"])

    op.create_table(
        "migration_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_key", sa.String(length=80), nullable=False),
        sa.Column("target_version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("case_ids", sa.Text(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", casemgr.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", casemgr.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["started_by_id"], ["users.id"],
                                name=op.f("fk_migration_runs_started_by_id_users")),
        sa.ForeignKeyConstraint(["target_version_id"], ["process_versions.id"],
                                name=op.f("fk_migration_runs_target_version_id_process_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_migration_runs")),
    )
    op.create_index(op.f("ix_migration_runs_process_key"), "migration_runs", ["process_key"])


def downgrade():
    op.drop_index(op.f("ix_migration_runs_process_key"), table_name="migration_runs")
    op.drop_table("migration_runs")
    op.drop_index(op.f("ix_category_process_changes_category_id"),
                  table_name="category_process_changes")
    op.drop_table("category_process_changes")
    with op.batch_alter_table("routing_rules") as batch:
        batch.drop_column("weekdays")
        batch.drop_column("time_to")
        batch.drop_column("time_from")

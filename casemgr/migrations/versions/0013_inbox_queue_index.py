"""inbox queue index: open tasks of a role in due order, with the unit and holder

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_tasks_queue",
        "tasks",
        ["status", "role", "due_at", "id", "unit_id", "assignee_id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_tasks_queue", table_name="tasks")

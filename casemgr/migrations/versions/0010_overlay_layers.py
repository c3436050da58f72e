"""overlay layers of the staff dashboard

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:45:00
"""

import sqlalchemy as sa
from alembic import op

import casemgr.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "overlay_layers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("geojson", sa.Text(), nullable=False),
        sa.Column("feature_count", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", casemgr.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_overlay_layers_uploaded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overlay_layers")),
        sa.UniqueConstraint("name", name=op.f("uq_overlay_layers_name")),
    )


def downgrade():
    op.drop_table("overlay_layers")

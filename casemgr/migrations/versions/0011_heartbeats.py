"""heartbeats: when each periodic job last ran

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import casemgr.db

revision = '0011'
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('heartbeats',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('beat_at', casemgr.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_heartbeats'))
    )


def downgrade():
    op.drop_table('heartbeats')

"""resolution integrity: photo capture facts and the verification period

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 18:55:00
"""

import sqlalchemy as sa
from alembic import op

import casemgr.db

revision = '0008'
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('taken_at', casemgr.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('distance_m', sa.Float(), nullable=True))

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verify_days', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('verify_days')

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('distance_m')
        batch_op.drop_column('taken_at')

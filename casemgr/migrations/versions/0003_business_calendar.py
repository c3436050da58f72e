"""business calendar and escalation levels

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 16:50:05.101817
"""

import sqlalchemy as sa
from alembic import op

import casemgr.db

revision = '0003'
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('working_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('windows', sa.Text(), nullable=False),
    sa.Column('created_at', casemgr.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_working_hours_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_hours'))
    )
    op.create_table('days_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', casemgr.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_days_off_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_days_off_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_days_off')),
    sa.UniqueConstraint('day', 'unit_id', name=op.f('uq_days_off_day'))
    )
    with op.batch_alter_table('days_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_days_off_day'), ['day'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at_risk_at', casemgr.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('at_risk_flagged_at', casemgr.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_escalate_at', casemgr.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('followup_due_at', casemgr.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_paused_at', casemgr.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalation_level', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_index(batch_op.f('ix_cases_at_risk_at'), ['at_risk_at'], unique=False)

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_amount', sa.Float(), nullable=False, server_default='7'))
        batch_op.add_column(sa.Column('sla_unit', sa.String(length=20), nullable=False,
                                      server_default='working_days'))
        batch_op.add_column(sa.Column('at_risk_amount', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('escalate_after_hours', sa.Float(), nullable=False,
                                      server_default='8'))
        batch_op.add_column(sa.Column('triage_days', sa.Float(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('forward_days', sa.Float(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('followup_days', sa.Float(), nullable=False, server_default='5'))
        batch_op.add_column(sa.Column('question_days', sa.Integer(), nullable=False, server_default='5'))

    # Existing categories keep their promise: the same hours, counted as calendar time.
    op.execute("UPDATE categories SET sla_amount = sla_hours, sla_unit = 'calendar_hours'")
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('sla_hours')


def downgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_hours', sa.INTEGER(), nullable=False,
                                      server_default='72'))
        batch_op.drop_column('question_days')
        batch_op.drop_column('followup_days')
        batch_op.drop_column('forward_days')
        batch_op.drop_column('triage_days')
        batch_op.drop_column('escalate_after_hours')
        batch_op.drop_column('at_risk_amount')
        batch_op.drop_column('sla_unit')
        batch_op.drop_column('sla_amount')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_at_risk_at'))
        batch_op.drop_column('escalation_level')
        batch_op.drop_column('sla_paused_at')
        batch_op.drop_column('followup_due_at')
        batch_op.drop_column('sla_escalate_at')
        batch_op.drop_column('at_risk_flagged_at')
        batch_op.drop_column('at_risk_at')

    with op.batch_alter_table('days_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_days_off_day'))

    op.drop_table('days_off')
    op.drop_table('working_hours')

"""Reminders and follow-ups (issue 16): what each appointment was sent, the customer's switch, who confirmed

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from storage.tables import UTCDateTime

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reminder_sent',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenant.id'), nullable=False),
        sa.Column('appointment_id', sa.Integer(), sa.ForeignKey('appointment.id'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('for_start', UTCDateTime(), nullable=False),
        sa.Column('minutes_before', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Boolean(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=False),
        sa.UniqueConstraint('appointment_id', 'kind', 'for_start', 'minutes_before', name='uq_reminder_sent'),
    )
    op.create_index('ix_reminder_sent_tenant_id', 'reminder_sent', ['tenant_id'])
    op.create_index('ix_appointment_start', 'appointment', ['start'])
    # Plain ADD COLUMN (SQLite too): a rebuilt customer or appointment table would trip the foreign keys to it
    op.add_column('customer', sa.Column('email_reminders', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('appointment', sa.Column('confirmed_at', UTCDateTime(), nullable=True))
    op.add_column('appointment', sa.Column('confirmed_by', sa.String(length=16), nullable=True))


def downgrade() -> None:
    # SQLite drops the columns in place: rebuilding customer or appointment would trip the foreign keys to them
    with op.batch_alter_table('appointment', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('confirmed_by')
        batch_op.drop_column('confirmed_at')
    with op.batch_alter_table('customer', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('email_reminders')
    op.drop_index('ix_appointment_start', table_name='appointment')
    op.drop_index('ix_reminder_sent_tenant_id', table_name='reminder_sent')
    op.drop_table('reminder_sent')

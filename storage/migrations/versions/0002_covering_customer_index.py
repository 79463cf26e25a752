"""Widen the customer index to cover the panel's counts (start, end and status at hand)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_customer_start')
        batch_op.create_index('ix_appointment_customer_start',
                              ['tenant_id', 'customer_id', 'start', 'end', 'status_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_customer_start')
        batch_op.create_index('ix_appointment_customer_start', ['tenant_id', 'customer_id', 'start'], unique=False)

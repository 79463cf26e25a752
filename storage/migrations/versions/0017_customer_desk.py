"""The front desk's customer search (issue 14): prefix ranges of the email, names and phone read an index

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_customer_desk_email', 'customer', ['tenant_id', 'email_norm'])
    op.create_index('ix_customer_desk_last', 'customer',
                    ['tenant_id', sa.text('lower(last_name)'), sa.text('lower(first_name)')])
    op.create_index('ix_customer_desk_first', 'customer', ['tenant_id', sa.text('lower(first_name)')])
    op.create_index('ix_customer_desk_phone', 'customer', ['tenant_id', 'phone'])


def downgrade() -> None:
    for name in ('ix_customer_desk_phone', 'ix_customer_desk_first', 'ix_customer_desk_last', 'ix_customer_desk_email'):
        op.drop_index(name, table_name='customer')

"""When a payment was settled (paid, failed or flagged), so a receipt is dated when the money arrived

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

import storage.tables

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settled_at', storage.tables.UTCDateTime(), nullable=True))
    # Earlier settled payments: the start of the attempt is the best date known.
    op.execute("UPDATE payment SET settled_at = created_at WHERE state != 'pending'")


def downgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_column('settled_at')

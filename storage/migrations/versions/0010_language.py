"""Customers may save the language they read Kairos in (issue 12); None lets their browser or the business choose

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade() -> None:
    # SQLite drops the column in place: rebuilding the customer table would trip its appointments' foreign keys
    with op.batch_alter_table('customer', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('language')

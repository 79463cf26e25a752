"""A guest's held booking keeps the language it was made in: the account its confirmation makes, and that account's
welcome email, read in it (before, they used the business's default language).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('booking_hold', sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('booking_hold', schema=None, recreate='never') as batch:
        batch.drop_column('locale')

"""A status's label in each language the business gives it ({locale: label}); `label` stays the default, shown
where none is given (issue 13)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('labels', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('status', schema=None) as batch_op:
        batch_op.drop_column('labels')

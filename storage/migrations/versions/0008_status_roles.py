"""Statuses have roles: the rules read what a status means (new bookings, a customer's cancel, no-show...), never
its key, so a business may rename its statuses or add its own

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# The keys every business was made with, and the role each played in the code until now.
ROLES_BY_KEY = {
    'pending': 'new_booking',
    'approved': 'confirmed',
    'canceled': 'customer_cancel',
    'rejected': 'rejected',
    'no-show': 'no_show',
}
SINGULAR = sa.text("role IN ('new_booking', 'customer_cancel', 'no_show')")


def upgrade() -> None:
    with op.batch_alter_table('status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=32), nullable=False, server_default='other'))
    status = sa.table('status', sa.column('key', sa.String()), sa.column('role', sa.String()))
    for key, role in ROLES_BY_KEY.items():
        op.execute(status.update().where(status.c.key == key).values(role=role))
    with op.batch_alter_table('status', schema=None) as batch_op:
        batch_op.create_index('uq_status_singular_role', ['tenant_id', 'role'], unique=True,
                              sqlite_where=SINGULAR, postgresql_where=SINGULAR)


def downgrade() -> None:
    with op.batch_alter_table('status', schema=None) as batch_op:
        batch_op.drop_index('uq_status_singular_role', sqlite_where=SINGULAR, postgresql_where=SINGULAR)
        batch_op.drop_column('role')

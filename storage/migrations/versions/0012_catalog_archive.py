"""The admin's catalog (issue 14): staff and locations can be archived like services, and staff have photos

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

import storage.tables

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('location', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table('staff_photo',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', storage.tables.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.PrimaryKeyConstraint('staff_id')
    )
    with op.batch_alter_table('staff_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_photo_tenant_id'), ['tenant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_photo_tenant_id'))
    op.drop_table('staff_photo')
    # SQLite drops the columns in place: rebuilding the tables would trip their appointments' foreign keys
    with op.batch_alter_table('location', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('active')
    with op.batch_alter_table('staff', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('active')

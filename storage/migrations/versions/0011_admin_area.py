"""The admin area (issue 13): admins get a role (existing ones become owners), a language and a removal time;
owners invite admins by emailed link; every admin change goes to the audit log; admin sessions are found by admin

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

import storage.tables

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=False, server_default='owner'))
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('removed_at', storage.tables.UTCDateTime(), nullable=True))
    op.create_table('admin_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('invited_by', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=128), nullable=False),
    sa.Column('created_at', storage.tables.UTCDateTime(), nullable=False),
    sa.Column('expires_at', storage.tables.UTCDateTime(), nullable=False),
    sa.Column('used_at', storage.tables.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by'], ['admin_user.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('admin_invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_invite_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('admin_id', sa.Integer(), nullable=True),
    sa.Column('at', storage.tables.UTCDateTime(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=255), nullable=False, server_default=''),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['admin_id'], ['admin_user.id'], ),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_tenant_at', ['tenant_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entry_tenant_admin_at', ['tenant_id', 'admin_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entry_tenant_action_at', ['tenant_id', 'action', 'at'], unique=False)
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_session_admin_id'), ['admin_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_session_admin_id'))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_tenant_action_at')
        batch_op.drop_index('ix_audit_entry_tenant_admin_at')
        batch_op.drop_index('ix_audit_entry_tenant_at')
    op.drop_table('audit_entry')
    with op.batch_alter_table('admin_invite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_invite_tenant_id'))
    op.drop_table('admin_invite')
    # SQLite drops the columns in place: rebuilding admin_user would trip the foreign keys that point at it
    with op.batch_alter_table('admin_user', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('removed_at')
        batch_op.drop_column('language')
        batch_op.drop_column('role')

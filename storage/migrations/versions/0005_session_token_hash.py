"""Sessions are kept as the SHA-256 of their token, and remember when they were last used (idle time-out)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.tables

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing sessions keep working: each raw token is replaced by its hash, which is what the code looks up now.
    # Their idle clock starts at the upgrade, so nobody is signed out by it (the absolute lifetime still counts from
    # the sign-in).
    bind = op.get_bind()
    sessions = sa.table('auth_session', sa.column('id', sa.String()))
    for (raw,) in bind.execute(sa.select(sessions.c.id)).all():
        bind.execute(sa.update(sessions).where(sessions.c.id == raw)
                     .values(id=hashlib.sha256(raw.encode()).hexdigest()))
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.alter_column('id', new_column_name='token_hash')
        batch_op.add_column(sa.Column('last_seen_at', storage.tables.UTCDateTime(), nullable=True))
    op.get_bind().execute(sa.text('UPDATE auth_session SET last_seen_at = :now'),
                          {'now': datetime.now(UTC).replace(tzinfo=None)})
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=storage.tables.UTCDateTime(), nullable=False)


def downgrade() -> None:
    # A hash cannot be turned back into the token a browser holds: going down signs everybody out.
    op.execute('DELETE FROM auth_session')
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
        batch_op.alter_column('token_hash', new_column_name='id')

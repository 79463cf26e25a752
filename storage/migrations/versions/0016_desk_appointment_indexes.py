"""The front desk's appointment list and calendar (issue 14): the business's appointments by time, whole or by one
filter, so any page of 100,000 appointments comes from an index; and on PostgreSQL a trigram index for finding
customers by part of a name, email or phone

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_appointment_tenant_start': ['tenant_id', 'start'],
    'ix_appointment_tenant_staff_start': ['tenant_id', 'staff_id', 'start'],
    'ix_appointment_tenant_service_start': ['tenant_id', 'service_id', 'start'],
    'ix_appointment_tenant_location_start': ['tenant_id', 'location_id', 'start'],
    'ix_appointment_tenant_status_start': ['tenant_id', 'status_key', 'start'],
    'ix_appointment_tenant_created': ['tenant_id', 'created_at'],
}


TEXT_COLUMNS = ['first_name', 'last_name', 'email_norm', 'phone']


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, 'appointment', columns, unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_customer_text_trgm', 'customer', TEXT_COLUMNS, unique=False, postgresql_using='gin',
                    postgresql_ops={c: 'gin_trgm_ops' for c in TEXT_COLUMNS})


def downgrade() -> None:
    op.drop_index('ix_customer_text_trgm', table_name='customer')
    for name in reversed(INDEXES):
        op.drop_index(name, table_name='appointment')

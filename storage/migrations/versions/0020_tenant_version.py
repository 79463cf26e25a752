"""A token per business that changes with every change to what a booking reads of its setup (issue 15, item 6)

The booking service keeps what rarely changes (the business and its settings, statuses, services, staff and their
places, schedules, its own email wording) in memory and asks this token, in the statement that locks the staff, whether
it still holds. Triggers set a new random token on every insert, update or delete in those tables, so no writer, the
admin pages, an import or a hand-made SQL statement, can forget to. Random, not a counter: a cache can never mistake a
recreated database's token for the one it read. No foreign key: a business's token outlives nothing it matters to.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# table -> how its rows name their business
BY_TENANT_ID = ('status', 'location', 'staff', 'service', 'working_hours', 'break_time', 'day_off', 'special_day',
                'email_template')
BY_STAFF_ID = ('staff_location', 'staff_service')
OPS = ('INSERT', 'UPDATE', 'DELETE')


def upgrade() -> None:
    op.create_table('tenant_version', sa.Column('tenant_id', sa.Integer(), primary_key=True, autoincrement=False),
                    sa.Column('token', sa.BigInteger(), nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        _postgres()
        op.execute('INSERT INTO tenant_version (tenant_id, token) SELECT id, kairos_token() FROM tenant')
    else:
        _sqlite()
        op.execute('INSERT INTO tenant_version (tenant_id, token) SELECT id, random() FROM tenant')


def _postgres() -> None:
    op.execute("""CREATE FUNCTION kairos_token() RETURNS bigint LANGUAGE sql VOLATILE AS
                  $$ SELECT floor((random() - 0.5) * 1.8e19)::bigint $$""")
    op.execute("""CREATE FUNCTION kairos_touch_tenant(tid integer) RETURNS void LANGUAGE sql AS $$
                  INSERT INTO tenant_version (tenant_id, token) SELECT tid, kairos_token() WHERE tid IS NOT NULL
                  ON CONFLICT (tenant_id) DO UPDATE SET token = EXCLUDED.token $$""")
    for how, key in (('tenant', 'id'), ('tenant_id', 'tenant_id')):
        op.execute(f"""CREATE FUNCTION kairos_touch_by_{how}() RETURNS trigger LANGUAGE plpgsql AS $$
                      BEGIN
                        IF TG_OP <> 'INSERT' THEN PERFORM kairos_touch_tenant(OLD.{key}); END IF;
                        IF TG_OP <> 'DELETE' THEN PERFORM kairos_touch_tenant(NEW.{key}); END IF;
                        RETURN NULL;
                      END $$""")
    op.execute("""CREATE FUNCTION kairos_touch_by_staff() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN
                    IF TG_OP <> 'INSERT' THEN
                      PERFORM kairos_touch_tenant((SELECT tenant_id FROM staff WHERE id = OLD.staff_id));
                    END IF;
                    IF TG_OP <> 'DELETE' THEN
                      PERFORM kairos_touch_tenant((SELECT tenant_id FROM staff WHERE id = NEW.staff_id));
                    END IF;
                    RETURN NULL;
                  END $$""")
    for table, function in ([('tenant', 'kairos_touch_by_tenant')]
                            + [(name, 'kairos_touch_by_tenant_id') for name in BY_TENANT_ID]
                            + [(name, 'kairos_touch_by_staff') for name in BY_STAFF_ID]):
        op.execute(f'CREATE TRIGGER kairos_touch_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} '
                   f'FOR EACH ROW EXECUTE FUNCTION {function}()')


def _sqlite() -> None:
    upsert = 'ON CONFLICT (tenant_id) DO UPDATE SET token = excluded.token'
    for table, owner in ([('tenant', '{row}.id')] + [(name, '{row}.tenant_id') for name in BY_TENANT_ID]
                         + [(name, '(SELECT tenant_id FROM staff WHERE id = {row}.staff_id)') for name in BY_STAFF_ID]):
        for op_name in OPS:
            rows = {'INSERT': ('NEW',), 'UPDATE': ('OLD', 'NEW'), 'DELETE': ('OLD',)}[op_name]
            body = ' '.join(f'INSERT INTO tenant_version (tenant_id, token) SELECT {owner.format(row=row)}, random() '
                            f'WHERE {owner.format(row=row)} IS NOT NULL {upsert};' for row in rows)
            op.execute(f'CREATE TRIGGER kairos_touch_{table}_{op_name.lower()} AFTER {op_name} ON {table} '
                       f'FOR EACH ROW BEGIN {body} END')


def downgrade() -> None:
    tables = ['tenant', *BY_TENANT_ID, *BY_STAFF_ID]
    if op.get_bind().dialect.name == 'postgresql':
        for table in tables:
            op.execute(f'DROP TRIGGER IF EXISTS kairos_touch_{table} ON {table}')
        for function in ('kairos_touch_by_tenant()', 'kairos_touch_by_tenant_id()', 'kairos_touch_by_staff()',
                         'kairos_touch_tenant(integer)', 'kairos_token()'):
            op.execute(f'DROP FUNCTION IF EXISTS {function}')
    else:
        for table in tables:
            for op_name in OPS:
                op.execute(f'DROP TRIGGER IF EXISTS kairos_touch_{table}_{op_name.lower()}')
    op.drop_table('tenant_version')

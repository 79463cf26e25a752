"""The schema is Alembic's: migrations match the tables exactly, and go down and up again, on both databases; and
data written by earlier versions is carried over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from services import panel
from storage.db import Database, alembic_config, make_engine
from storage.tables import UTCDateTime
from tests.support.seed import add_appointment, seed_world


def test_migrations_match_the_models_and_round_trip(database_url: str) -> None:
    config = alembic_config(database_url)
    command.check(config)  # raises when the models and the migrated schema differ
    command.downgrade(config, 'base')
    command.upgrade(config, 'head')
    command.check(config)


def test_statuses_get_their_roles_from_their_keys(database_url: str) -> None:
    """Existing businesses keep their rules: each status made with a default key gets the role that key played."""
    config = alembic_config(database_url)
    command.downgrade(config, '0007')
    engine = make_engine(database_url)
    with engine.begin() as conn:
        tenant = conn.execute(sa.text("INSERT INTO tenant (slug, name, timezone, currency, booking_url, settings, "
                                      "primary_color, dark) VALUES ('t', 'T', 'UTC', 'EUR', '/book', '{}', "
                                      "'#4f46e5', false) RETURNING id")).scalar_one()
        for i, (key, busy) in enumerate((('pending', True), ('approved', True), ('canceled', False),
                                         ('rejected', False), ('no-show', True), ('vip', True))):
            conn.execute(sa.text('INSERT INTO status (tenant_id, key, label, color, icon, busy, position) '
                                 'VALUES (:t, :k, :k, :c, :i, :b, :p)'),
                         {'t': tenant, 'k': key, 'c': '#000000', 'i': 'label', 'b': busy, 'p': i})
    engine.dispose()  # its connections close before the migration runs on its own
    command.upgrade(config, 'head')
    with engine.connect() as conn:
        roles = dict(conn.execute(sa.text('SELECT key, role FROM status ORDER BY position')).all())
    assert roles == {'pending': 'new_booking', 'approved': 'confirmed', 'canceled': 'customer_cancel',
                     'rejected': 'rejected', 'no-show': 'no_show', 'vip': 'other'}
    engine.dispose()


# ---- 0009: history rows from sentences to data ------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
MOVED = START + timedelta(days=1)

# (actor, action, from_value, to_value, reason) exactly as the code before 0009 wrote them, and what each becomes.
OLD_ROWS = [
    (('system', 'created', '', 'approved', ''), ('booked', {'status': 'approved'})),
    (('customer', 'status', 'approved', 'canceled', 'Feeling ill'),
     ('status_changed', {'from': 'approved', 'to': 'canceled', 'reason': 'Feeling ill'})),
    (('customer', 'status', 'canceled', 'pending', ''), ('status_changed', {'from': 'canceled', 'to': 'pending'})),
    (('system', 'status', 'approved', 'pending', 'The new time waits for the business to confirm it.'),
     ('status_changed', {'from': 'approved', 'to': 'pending', 'cause': 'awaits_confirmation'})),
    (('system', 'status', 'pending', 'approved', 'The business sets this status after a reschedule.'),
     ('status_changed', {'from': 'pending', 'to': 'approved', 'cause': 'after_reschedule'})),
    (('customer', 'status', 'pending', 'canceled', 'The customer closed their account.'),
     ('status_changed', {'from': 'pending', 'to': 'canceled', 'cause': 'account_closed'})),
    (('customer', 'rescheduled', START.isoformat(), MOVED.isoformat(), 'Train strike'),
     ('rescheduled', {'from': START.isoformat(), 'to': MOVED.isoformat(), 'reason': 'Train strike'})),
    (('customer', 'staff_changed', 'Mia Wong', 'Leo Park', ''),
     ('staff_changed', {'from': 'Mia Wong', 'to': 'Leo Park'})),
    (('system', 'payment', 'Unpaid', 'Paid', 'Card payment of 45.00 EUR received.'),
     ('paid', {'amount': 4500, 'currency': 'EUR', 'method': 'card', 'from': 'unpaid', 'to': 'paid'})),
    (('system', 'payment', 'Unpaid', 'Deposit paid', 'Payment in person of 1,234.50 EUR received.'),
     ('paid', {'amount': 123450, 'currency': 'EUR', 'method': 'offline', 'from': 'unpaid', 'to': 'deposit_paid'})),
    (('system', 'payment', 'Unpaid', 'Paid', 'Card payment of 4,500 JPY received.'),
     ('paid', {'amount': 4500, 'currency': 'JPY', 'method': 'card', 'from': 'unpaid', 'to': 'paid'})),
    (('system', 'payment', '', 'Not completed', 'Card payment of 45.00 EUR did not go through.'),
     ('payment_failed', {'amount': 4500, 'currency': 'EUR', 'method': 'card'})),
    (('system', 'payment', '', 'Held for review',
      'A payment arrived that does not match the amount due; the business will check it.'),
     ('payment_held', {'cause': 'amount_mismatch'})),
    (('system', 'payment', '', 'Held for review',
      'A payment arrived after the account was closed; the business will refund it.'),
     ('payment_held', {'cause': 'account_closed'})),
    (('system', 'payment', '', 'Held for review',
      'A payment arrived after the appointment was canceled; the business will refund it.'),
     ('payment_held', {'cause': 'appointment_canceled'})),
    (('system', 'payment', '', 'Held for review',
      'A second payment arrived for a balance already paid; the business will refund it.'),
     ('payment_held', {'cause': 'already_paid'})),
    (('customer', 'payment', '', '45.00 EUR', ''), ('paid', {'amount': 4500, 'currency': 'EUR'})),  # demo data
    # Shapes nobody parses are kept whole as notes.
    (('staff', 'payment', '', 'Refunded', 'Money back on the card.'),
     ('note', {'action': 'payment', 'to': 'Refunded', 'text': 'Money back on the card.'})),
    (('staff', 'rescheduled', 'last Tuesday', 'next Friday', ''),
     ('note', {'action': 'rescheduled', 'from': 'last Tuesday', 'to': 'next Friday'})),
    (('admin', 'called', '', '', 'Left a voicemail'), ('note', {'action': 'called', 'text': 'Left a voicemail'})),
]

OLD_HISTORY = sa.table('appointment_history', sa.column('id', sa.Integer()), sa.column('tenant_id', sa.Integer()),
                       sa.column('appointment_id', sa.Integer()), sa.column('at', UTCDateTime()),
                       sa.column('actor', sa.String()), sa.column('action', sa.String()),
                       sa.column('from_value', sa.String()), sa.column('to_value', sa.String()),
                       sa.column('reason', sa.String()))


def test_history_written_as_sentences_becomes_data_and_goes_back(database_url: str) -> None:
    db = Database(database_url)
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=START)
    config = alembic_config(database_url)
    before = ScriptDirectory.from_config(config).get_revision('0009').down_revision
    command.downgrade(config, before)
    old = [dict(tenant_id=world.tenant_id, appointment_id=appt_id, at=NOW + timedelta(minutes=i), actor=actor,
                action=action, from_value=from_value, to_value=to_value, reason=reason)
           for i, ((actor, action, from_value, to_value, reason), _) in enumerate(OLD_ROWS)]
    with db.engine.begin() as conn:
        conn.execute(sa.delete(OLD_HISTORY))
        conn.execute(sa.insert(OLD_HISTORY), old)

    command.upgrade(config, 'head')
    appt = panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id)
    assert appt is not None
    assert [(h.actor, h.action, h.data) for h in appt.history] == [
        (actor, *new) for (actor, *_), new in OLD_ROWS]
    assert [h.at for h in appt.history] == [row['at'] for row in old]

    command.downgrade(config, before)
    with db.engine.connect() as conn:
        back = conn.execute(sa.select(OLD_HISTORY.c.actor, OLD_HISTORY.c.action, OLD_HISTORY.c.from_value,
                                      OLD_HISTORY.c.to_value, OLD_HISTORY.c.reason)
                            .order_by(OLD_HISTORY.c.at)).all()
    assert [tuple(row) for row in back] == [row for row, _ in OLD_ROWS]  # the same sentences, written back
    command.upgrade(config, 'head')
    db.dispose()

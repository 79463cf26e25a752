"""History is data: each appointment history row keeps its action and machine values in `data` (JSON) instead of
English sentences and display labels in from_value / to_value / reason

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Existing rows are read the way the code before this revision wrote them (see `to_data`): 'created', 'status',
'rescheduled', 'staff_changed' and 'payment' rows with the sentences that code made. Text of any other shape is kept
whole as a 'note', so nothing is lost. The conversion is written out here, not imported, so that this migration
means the same thing whatever domain.history becomes later.
"""
import re
from datetime import datetime, timezone

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_BATCH = 1000

# ---- the shapes written before this revision ------------------------------------------------------------------------

_PAYMENT_LABELS = {'Unpaid': 'unpaid', 'Deposit paid': 'deposit_paid', 'Paid': 'paid'}
_HELD, _NOT_COMPLETED = 'Held for review', 'Not completed'
_AMOUNT = r'(?P<amount>-?[\d,]+(?:\.\d+)?) (?P<currency>[A-Za-z?]{1,3})'
_RECEIVED = re.compile(rf'(?P<method>Card payment|Payment in person) of {_AMOUNT} received\.')
_FAILED = re.compile(rf'Card payment of {_AMOUNT} did not go through\.')
_AMOUNT_ONLY = re.compile(_AMOUNT)  # the demo data's payment rows: '45.00 EUR' in to_value
_STATUS_CAUSES = {
    'The new time waits for the business to confirm it.': 'awaits_confirmation',
    'The business sets this status after a reschedule.': 'after_reschedule',
    'The customer closed their account.': 'account_closed',
}
_HELD_CAUSES = {
    'A payment arrived that does not match the amount due; the business will check it.': 'amount_mismatch',
    'A payment arrived after the account was closed; the business will refund it.': 'account_closed',
    'A payment arrived after the appointment was canceled; the business will refund it.': 'appointment_canceled',
    'A second payment arrived for a balance already paid; the business will refund it.': 'already_paid',
}
# The amounts in those sentences were written from integer minor units with thousands separators and, except for
# these currencies, two decimals: taking the separators out gives the stored integer back.
_ZERO_DECIMAL = {'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF',
                 'XOF', 'XPF'}


def _compact(**data):
    return {k: v for k, v in data.items() if v not in ('', None)}


def _money(match):
    text = match.group('amount')
    sign = -1 if text.startswith('-') else 1
    return {'amount': sign * int(re.sub(r'\D', '', text)), 'currency': match.group('currency').upper()}


def _utc_iso(value):
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(timezone.utc).isoformat()


def _note(action, from_value, to_value, reason):
    return 'note', _compact(text=reason, action=action, **{'from': from_value, 'to': to_value})


def to_data(action, from_value, to_value, reason):
    """(action, from_value, to_value, reason) as written before this revision -> (action, data)."""
    from_value, to_value, reason = from_value or '', to_value or '', reason or ''
    if action == 'created' and not from_value and not reason:
        return 'booked', _compact(status=to_value)
    if action == 'status' and from_value and to_value:
        if reason in _STATUS_CAUSES:
            return 'status_changed', {'from': from_value, 'to': to_value, 'cause': _STATUS_CAUSES[reason]}
        return 'status_changed', _compact(reason=reason, **{'from': from_value, 'to': to_value})
    if action == 'rescheduled':
        before, after = _utc_iso(from_value), _utc_iso(to_value)
        if before and after:
            return 'rescheduled', _compact(reason=reason, **{'from': before, 'to': after})
    if action == 'staff_changed' and not reason:
        return 'staff_changed', {'from': from_value, 'to': to_value}
    if action == 'payment':
        received = _RECEIVED.fullmatch(reason)
        if received and from_value in _PAYMENT_LABELS and to_value in _PAYMENT_LABELS:
            method = 'card' if received.group('method') == 'Card payment' else 'offline'
            return 'paid', {**_money(received), 'method': method, 'from': _PAYMENT_LABELS[from_value],
                            'to': _PAYMENT_LABELS[to_value]}
        failed = _FAILED.fullmatch(reason)
        if failed and to_value == _NOT_COMPLETED and not from_value:
            return 'payment_failed', {**_money(failed), 'method': 'card'}
        if to_value == _HELD and not from_value and reason in _HELD_CAUSES:
            return 'payment_held', {'cause': _HELD_CAUSES[reason]}
        amount_only = _AMOUNT_ONLY.fullmatch(to_value)
        if amount_only and not from_value and not reason:
            return 'paid', _money(amount_only)
    return _note(action, from_value, to_value, reason)


# ---- and back (downgrade) ---------------------------------------------------------------------------------------


def _plain(amount, currency):
    code = (currency or '').upper()
    if code in _ZERO_DECIMAL:
        return f'{amount:,} {code}'
    sign = '-' if amount < 0 else ''
    whole, cents = divmod(abs(amount), 100)
    return f'{sign}{whole:,}.{cents:02d} {code}'


def to_columns(action, data):
    """(action, data) -> (action, from_value, to_value, reason) as written before this revision."""
    data = data or {}
    labels = {v: k for k, v in _PAYMENT_LABELS.items()}
    amount = _plain(int(data['amount']), data.get('currency', '')) if 'amount' in data else ''
    if action == 'booked':
        return 'created', '', data.get('status', ''), ''
    if action == 'status_changed':
        causes = {v: k for k, v in _STATUS_CAUSES.items()}
        return 'status', data.get('from', ''), data.get('to', ''), data.get('reason') or causes.get(
            data.get('cause'), '')
    if action in ('rescheduled', 'staff_changed'):
        return action, data.get('from', ''), data.get('to', ''), data.get('reason', '')
    if action == 'paid':
        if 'from' not in data:
            return 'payment', '', amount, ''
        method = 'Card payment' if data.get('method') == 'card' else 'Payment in person'
        return ('payment', labels.get(data.get('from'), ''), labels.get(data.get('to'), ''),
                f'{method} of {amount} received.')
    if action == 'payment_failed':
        return 'payment', '', _NOT_COMPLETED, f'Card payment of {amount} did not go through.'
    if action == 'payment_held':
        causes = {v: k for k, v in _HELD_CAUSES.items()}
        return 'payment', '', _HELD, causes.get(data.get('cause'), '')
    return (data.get('action') or action, data.get('from', ''), data.get('to', ''), data.get('text', ''))


# ---- the migration -------------------------------------------------------------------------------------------------


def _history(*columns):
    return sa.table('appointment_history', sa.column('id', sa.Integer()), sa.column('action', sa.String()), *columns)


def _rewrite(select, convert, values):
    """Read every history row, convert it, and write it back in batches."""
    connection = op.get_bind()
    rows = connection.execute(select).all()
    for start in range(0, len(rows), _BATCH):
        connection.execute(values, [convert(row) for row in rows[start:start + _BATCH]])


def upgrade() -> None:
    with op.batch_alter_table('appointment_history', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data', sa.JSON(), nullable=True))
    old = _history(sa.column('from_value', sa.String()), sa.column('to_value', sa.String()),
                   sa.column('reason', sa.String()), sa.column('data', sa.JSON()))

    def convert(row):
        action, data = to_data(row.action, row.from_value, row.to_value, row.reason)
        return {'row_id': row.id, 'new_action': action, 'new_data': data}

    _rewrite(sa.select(old.c.id, old.c.action, old.c.from_value, old.c.to_value, old.c.reason), convert,
             old.update().where(old.c.id == sa.bindparam('row_id')).values(
                 action=sa.bindparam('new_action'), data=sa.bindparam('new_data', type_=sa.JSON())))
    with op.batch_alter_table('appointment_history', schema=None) as batch_op:
        batch_op.alter_column('data', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('reason')
        batch_op.drop_column('to_value')
        batch_op.drop_column('from_value')


def downgrade() -> None:
    with op.batch_alter_table('appointment_history', schema=None) as batch_op:
        for name in ('from_value', 'to_value', 'reason'):
            batch_op.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                          server_default=''))
    new = _history(sa.column('data', sa.JSON()), sa.column('from_value', sa.String()),
                   sa.column('to_value', sa.String()), sa.column('reason', sa.String()))

    def convert(row):
        action, from_value, to_value, reason = to_columns(row.action, row.data)
        return {'row_id': row.id, 'new_action': action, 'new_from': from_value, 'new_to': to_value,
                'new_reason': reason}

    _rewrite(sa.select(new.c.id, new.c.action, new.c.data), convert,
             new.update().where(new.c.id == sa.bindparam('row_id')).values(
                 action=sa.bindparam('new_action'), from_value=sa.bindparam('new_from'),
                 to_value=sa.bindparam('new_to'), reason=sa.bindparam('new_reason')))
    with op.batch_alter_table('appointment_history', schema=None) as batch_op:
        for name in ('from_value', 'to_value', 'reason'):
            batch_op.alter_column(name, existing_type=sqlmodel.sql.sqltypes.AutoString(), server_default=None)
        batch_op.drop_column('data')

"""An appointment's history: what happened, stored as data, and the one place that says it in words.

A history entry holds an action key, who did it and machine values (status keys, UTC times in ISO-8601, amounts in
minor units with their currency, why-codes); never a sentence, so the words can follow the reader's language and
the business's current status names. The only free text kept is what a person typed (a customer's reason) and the
names of staff as they were at the time. `describe` is what the timeline shows; emails ask `reason_words`.

What each action's data holds (keys left out when empty):
  booked          status
  status_changed  from, to (status keys); reason (typed by a person) or cause (a why-code below)
  rescheduled     from, to (the old and new start, ISO-8601 UTC); reason
  staff_changed   from, to (the staff members' names)
  paid            amount, currency, method ('card', 'offline', 'cash', ...), from, to (payment statuses)
  payment_failed  amount, currency, method
  payment_held    amount, currency, method, cause
  note            text (and, for rows kept from before history was data, the old action, from and to)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain import formatting as fmt
from domain import payments as dp
from domain.model import HistoryEntry

BOOKED = 'booked'
STATUS_CHANGED = 'status_changed'
RESCHEDULED = 'rescheduled'
STAFF_CHANGED = 'staff_changed'
PAID = 'paid'
PAYMENT_FAILED = 'payment_failed'
PAYMENT_HELD = 'payment_held'
NOTE = 'note'
ACTIONS = (BOOKED, STATUS_CHANGED, RESCHEDULED, STAFF_CHANGED, PAID, PAYMENT_FAILED, PAYMENT_HELD, NOTE)

CUSTOMER, STAFF, ADMIN, SYSTEM = 'customer', 'staff', 'admin', 'system'

# Why the system changed a status.
AWAITS_CONFIRMATION = 'awaits_confirmation'  # a rescheduled appointment waits for the business again
AFTER_RESCHEDULE = 'after_reschedule'  # the business's status after a reschedule
ACCOUNT_CLOSED = 'account_closed'  # the customer closed their account (also: a payment that came after it)
# Why a payment was held for the business to look at.
AMOUNT_MISMATCH = 'amount_mismatch'
APPOINTMENT_CANCELED = 'appointment_canceled'
ALREADY_PAID = 'already_paid'

_CAUSE_WORDS = {
    AWAITS_CONFIRMATION: 'The new time waits for the business to confirm it.',
    AFTER_RESCHEDULE: 'The business sets this status after a reschedule.',
    ACCOUNT_CLOSED: 'The customer closed their account.',
}
_HELD_WORDS = {
    AMOUNT_MISMATCH: 'A payment arrived that does not match the amount due; the business will check it.',
    ACCOUNT_CLOSED: 'A payment arrived after the account was closed; the business will refund it.',
    APPOINTMENT_CANCELED: 'A payment arrived after the appointment was canceled; the business will refund it.',
    ALREADY_PAID: 'A second payment arrived for a balance already paid; the business will refund it.',
}
_ACTOR_WORDS = {CUSTOMER: 'by you', STAFF: 'by the staff', ADMIN: 'by the business', SYSTEM: 'automatically'}


@dataclass(frozen=True, slots=True)
class Words:
    title: str
    body: str


# ---- making entries ----------------------------------------------------------------------------------------------


def booked(*, at: datetime, actor: str, status: str) -> HistoryEntry:
    """The appointment was made, with the status new bookings get."""
    return _entry(at, actor, BOOKED, status=status)


def status_changed(*, at: datetime, actor: str, from_status: str, to_status: str, reason: str = '',
                   cause: str = '') -> HistoryEntry:
    """The status moved from one key to another; `reason` is what the person typed, `cause` the system's why-code."""
    return _entry(at, actor, STATUS_CHANGED, **{'from': from_status, 'to': to_status, 'reason': reason,
                                                 'cause': cause})


def rescheduled(*, at: datetime, actor: str, from_start: datetime, to_start: datetime,
                reason: str = '') -> HistoryEntry:
    """The appointment moved to another start."""
    return _entry(at, actor, RESCHEDULED, **{'from': _utc_iso(from_start), 'to': _utc_iso(to_start),
                                              'reason': reason})


def staff_changed(*, at: datetime, actor: str, from_staff: str, to_staff: str) -> HistoryEntry:
    """Another staff member took the appointment (names as they were)."""
    return _entry(at, actor, STAFF_CHANGED, **{'from': from_staff, 'to': to_staff})


def paid(*, at: datetime, actor: str, amount: int, currency: str, method: str, from_status: str = '',
         to_status: str = '') -> HistoryEntry:
    """Money was credited; the payment status went from `from_status` to `to_status` (domain.model.PaymentStatus)."""
    return _entry(at, actor, PAID, amount=amount, currency=currency.upper(), method=method,
                  **{'from': str(from_status), 'to': str(to_status)})


def payment_failed(*, at: datetime, actor: str, amount: int, currency: str, method: str) -> HistoryEntry:
    """A payment did not go through."""
    return _entry(at, actor, PAYMENT_FAILED, amount=amount, currency=currency.upper(), method=method)


def payment_held(*, at: datetime, actor: str, amount: int, currency: str, method: str, cause: str) -> HistoryEntry:
    """Money arrived but was not credited: held for the business (to check, or to refund)."""
    return _entry(at, actor, PAYMENT_HELD, amount=amount, currency=currency.upper(), method=method, cause=cause)


def note(*, at: datetime, actor: str, text: str, **kept: str) -> HistoryEntry:
    """Free text, with whatever else was kept alongside it."""
    return _entry(at, actor, NOTE, text=text, **kept)


# ---- saying it ---------------------------------------------------------------------------------------------------


def describe(entry: HistoryEntry, *, tz: ZoneInfo, status_labels: Mapping[str, str], duration: timedelta,
             locale: str = fmt.DEFAULT_LOCALE) -> Words:
    """What the entry says to the customer: a title and a body (lines), times in `tz`, statuses by the business's
    current names (`status_labels`, key -> label); `duration` dates the ends of a move."""
    data = entry.data

    def status(key: str) -> str:
        return status_labels.get(key) or key.replace('-', ' ').capitalize()

    why = reason_words(data)
    reason = f'Reason: {why}' if why else ''
    if entry.action == BOOKED:
        return Words('Booked', f'Status: {status(data["status"])}' if data.get('status') else '')
    if entry.action == STATUS_CHANGED:
        return Words(f'{status(data.get("from", ""))} → {status(data.get("to", ""))}', reason)
    if entry.action == RESCHEDULED:
        before, after = (_when(str(data.get(end, '')), tz, duration, locale) for end in ('from', 'to'))
        moved = f'{before} → {after}'
        return Words('Rescheduled', f'{moved}\n{reason}'.strip())
    if entry.action == STAFF_CHANGED:
        return Words('Staff changed', f'{data.get("from", "")} → {data.get("to", "")}')
    if entry.action in (PAID, PAYMENT_FAILED, PAYMENT_HELD):
        return Words('Payment', ' · '.join(p for p in _payment_words(entry.action, data, locale) if p))
    parts = (data.get('from', ''), data.get('to', ''), data.get('text', ''))
    return Words('Note', ' · '.join(str(p) for p in parts if p))


def actor_words(actor: str) -> str:
    """Who did it, as the customer reads it ('by you')."""
    return _ACTOR_WORDS.get(actor, actor)


def reason_words(data: Mapping[str, Any]) -> str:
    """Why a status changed: the words the person typed, else the system's reason in words ('' when neither)."""
    return change_reason(reason=str(data.get('reason') or ''), cause=str(data.get('cause') or ''))


def change_reason(*, reason: str = '', cause: str = '') -> str:
    """The words for a change's why: what a person typed wins; else the why-code in words."""
    return reason or _CAUSE_WORDS.get(cause, '')


# ---- helpers -----------------------------------------------------------------------------------------------------


def _entry(at: datetime, actor: str, action: str, **data: Any) -> HistoryEntry:
    return HistoryEntry(at=at, actor=actor, action=action, data={k: v for k, v in data.items() if v != ''})


def _utc_iso(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError('history times are aware datetimes')
    return value.astimezone(ZoneInfo('UTC')).isoformat()


def _payment_words(action: str, data: Mapping[str, Any], locale: str) -> tuple[str, str]:
    amount = (fmt.money(int(data['amount']), str(data['currency']), code=True, locale=locale)
              if 'amount' in data and data.get('currency') else '')
    method = 'Card payment' if data.get('method') == dp.CARD else 'Payment in person'
    if action == PAID:
        to = str(data.get('to', ''))
        state = next((words for key, words in dp.STATUS_LABELS.items() if key.value == to), '')
        if not amount:
            return state, ''
        return state, f'{method} of {amount} received.' if data.get('method') else f'{amount} received.'
    if action == PAYMENT_FAILED:
        return dp.NOT_COMPLETED, f'{method} of {amount} did not go through.' if amount else ''
    return dp.HELD_FOR_REVIEW, _HELD_WORDS.get(str(data.get('cause', '')), '')


def _when(value: str, tz: ZoneInfo, duration: timedelta, locale: str) -> str:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return value
    if start.tzinfo is None:
        return value
    return fmt.when(start, start + duration, tz, locale=locale)

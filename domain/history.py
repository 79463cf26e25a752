"""An appointment's history: what happened, stored as data, and the one place that says it in words.

A history entry holds an action key, who did it and machine values (status keys, UTC times in ISO-8601, amounts in
minor units with their currency, why-codes); never a sentence, so the words can follow the reader's language and
the business's current status names. The only free text kept is what a person typed (a customer's reason) and the
names of staff as they were at the time. `services.history_words.describe` is what the timeline shows; emails ask
`reason_words`.

What each action's data holds (keys left out when empty):
  booked          status
  status_changed  from, to (status keys); reason (typed by a person) or cause (a why-code below); from_label
                  (the name of a status merged away, as it was: its key names nothing any more)
  rescheduled     from, to (the old and new start, ISO-8601 UTC); reason
  staff_changed   from, to (the staff members' names)
  paid            amount, currency, method ('card', 'offline', 'cash', ...), from, to (payment statuses)
  payment_failed  amount, currency, method
  payment_held    amount, currency, method, cause
  refunded        amount, currency, method, from, to (payment statuses; the same when the money was never credited)
  note            text (and, for rows kept from before history was data, the old action, from and to)
  confirmed       (nothing: who and when say it) the customer confirmed a visit already confirmed by the business
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.i18n import Said, Text, lazy
from domain.model import HistoryEntry

BOOKED = 'booked'
STATUS_CHANGED = 'status_changed'
RESCHEDULED = 'rescheduled'
STAFF_CHANGED = 'staff_changed'
PAID = 'paid'
PAYMENT_FAILED = 'payment_failed'
PAYMENT_HELD = 'payment_held'
REFUNDED = 'refunded'
NOTE = 'note'
CONFIRMED = 'confirmed'
ACTIONS = (BOOKED, STATUS_CHANGED, RESCHEDULED, STAFF_CHANGED, PAID, PAYMENT_FAILED, PAYMENT_HELD, REFUNDED, NOTE,
           CONFIRMED)

CUSTOMER, STAFF, ADMIN, SYSTEM = 'customer', 'staff', 'admin', 'system'

# Why the system changed a status.
AWAITS_CONFIRMATION = 'awaits_confirmation'  # a rescheduled appointment waits for the business again
AFTER_RESCHEDULE = 'after_reschedule'  # the business's status after a reschedule
ACCOUNT_CLOSED = 'account_closed'  # the customer closed their account (also: a payment that came after it)
STATUS_MERGED = 'status_merged'  # the business merged the old status into another (the old one is gone)
CONFIRMED_FROM_REMINDER = 'confirmed_from_reminder'  # the customer confirmed the visit from a reminder
# Why a payment was held for the business to look at.
AMOUNT_MISMATCH = 'amount_mismatch'
APPOINTMENT_CANCELED = 'appointment_canceled'
ALREADY_PAID = 'already_paid'

_CAUSE_WORDS = {
    AWAITS_CONFIRMATION: lazy('The new time waits for the business to confirm it.'),
    AFTER_RESCHEDULE: lazy('The business sets this status after a reschedule.'),
    ACCOUNT_CLOSED: lazy('The customer closed their account.'),
    STATUS_MERGED: lazy('The business merged two of its statuses.'),
    CONFIRMED_FROM_REMINDER: lazy('Confirmed from the reminder email.'),
}
HELD_WORDS = {
    AMOUNT_MISMATCH: lazy('A payment arrived that does not match the amount due; the business will check it.'),
    ACCOUNT_CLOSED: lazy('A payment arrived after the account was closed; the business will refund it.'),
    APPOINTMENT_CANCELED: lazy('A payment arrived after the appointment was canceled; the business will refund it.'),
    ALREADY_PAID: lazy('A second payment arrived for a balance already paid; the business will refund it.'),
}
_ACTOR_WORDS = {CUSTOMER: lazy('by you'), STAFF: lazy('by the staff'), ADMIN: lazy('by the business'),
                SYSTEM: lazy('automatically')}
# The business reads the same history at the front desk: there the customer is not "you".
_ACTOR_WORDS_FOR_BUSINESS = {**_ACTOR_WORDS, CUSTOMER: lazy('by the customer')}


# ---- making entries ----------------------------------------------------------------------------------------------


def booked(*, at: datetime, actor: str, status: str) -> HistoryEntry:
    """The appointment was made, with the status new bookings get."""
    return _entry(at, actor, BOOKED, status=status)


def status_changed(*, at: datetime, actor: str, from_status: str, to_status: str, reason: str = '',
                   cause: str = '', from_label: str = '') -> HistoryEntry:
    """The status moved from one key to another; `reason` is what the person typed, `cause` the system's why-code;
    `from_label` keeps the old status's name when that status is going (merged into another)."""
    return _entry(at, actor, STATUS_CHANGED, **{'from': from_status, 'to': to_status, 'reason': reason,
                                                 'cause': cause, 'from_label': from_label})


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


def refunded(*, at: datetime, actor: str, amount: int, currency: str, method: str, from_status: str = '',
             to_status: str = '') -> HistoryEntry:
    """Money was given back; the payment status went from `from_status` to `to_status`."""
    return _entry(at, actor, REFUNDED, amount=amount, currency=currency.upper(), method=method,
                  **{'from': str(from_status), 'to': str(to_status)})


def confirmed(*, at: datetime, actor: str) -> HistoryEntry:
    """The customer said they will come (from a reminder), the status staying as it was."""
    return _entry(at, actor, CONFIRMED)


def note(*, at: datetime, actor: str, text: str, **kept: str) -> HistoryEntry:
    """Free text, with whatever else was kept alongside it."""
    return _entry(at, actor, NOTE, text=text, **kept)


# ---- saying it ---------------------------------------------------------------------------------------------------


def actor_words(actor: str, *, reader: str = CUSTOMER) -> Said:
    """Who did it, as `reader` reads it: the customer ('by you', the default) or the business (ADMIN: 'by the
    customer')."""
    words = _ACTOR_WORDS_FOR_BUSINESS if reader == ADMIN else _ACTOR_WORDS
    return words.get(actor, actor)


def reason_words(data: Mapping[str, Any]) -> Said:
    """Why a status changed: the words the person typed, else the system's reason in words ('' when neither)."""
    return change_reason(reason=str(data.get('reason') or ''), cause=str(data.get('cause') or ''))


def change_reason(*, reason: str = '', cause: str = '') -> Said:
    """The words for a change's why: what a person typed wins (a str, shown as typed); else the why-code in words
    (a Text, shown in the reader's language)."""
    found: Text | None = _CAUSE_WORDS.get(cause)
    return reason or found or ''


# ---- helpers -----------------------------------------------------------------------------------------------------


def _entry(at: datetime, actor: str, action: str, **data: Any) -> HistoryEntry:
    return HistoryEntry(at=at, actor=actor, action=action, data={k: v for k, v in data.items() if v != ''})


def _utc_iso(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError('history times are aware datetimes')
    return value.astimezone(ZoneInfo('UTC')).isoformat()

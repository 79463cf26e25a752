"""Money the customer owes and pays: what is due, what a checkout charges, and whether what arrived matches.

Pure rules on plain values. Amounts are integer minor units in the tenant's currency; nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# amount_due, the one rule of what is owed, lives with the values it is about; callers may take it from here too.
from domain.i18n import N_, Said, Text, label, lazy, text_from_data
from domain.model import Appointment, CustomerPackage, Payment, PaymentState, PaymentStatus, amount_due

CARD = 'card'
OFFLINE = 'offline'

# How a payment status reads for the customer (the cards' badge and the appointment's history).
STATUS_LABELS = {PaymentStatus.UNPAID: lazy('Unpaid'), PaymentStatus.DEPOSIT_PAID: lazy('Deposit paid'),
                 PaymentStatus.PAID: lazy('Paid')}
HELD_FOR_REVIEW = lazy('Held for review')
NOT_COMPLETED = lazy('Not completed')


class PaymentRefused(Exception):
    """A payment that cannot start, with the reason in words for the customer."""

    def __init__(self, message: Said) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentMethod:
    key: str  # 'card' or 'offline'
    label: Text
    instructions: Said = ''


NOTHING_DUE = lazy('Nothing is due for this appointment.')


def why_nothing_to_pay(appt: Appointment) -> Text | None:
    """An appointment can be paid while it holds its slot (not canceled or rejected) and something is due."""
    if not appt.status.busy:
        return lazy('An appointment that is %(status)s needs no payment.',
                    status=label(appt.status.label, lowercase=True))
    if appt.amount_due <= 0:
        return NOTHING_DUE
    return None


def deposit_due(*, deposit: int, paid: int) -> int:
    """What is still owed towards the deposit: the deposit less what was paid, never below zero."""
    return max(deposit - paid, 0)


def package_due(cp: CustomerPackage) -> int:
    """A package is owed its price less what was paid for it."""
    return amount_due(price=cp.package.price, paid=cp.amount_paid)


def appointment_checkout_amount(appt: Appointment, *, requested: int | None = None) -> int:
    """A checkout charges the whole balance, or a smaller part of it (a deposit) when one is asked for.

    Refuses when nothing is due, when the appointment no longer holds its slot (canceled, rejected), or when the
    part asked for is not between one minor unit and the balance.
    """
    nothing = why_nothing_to_pay(appt)
    if nothing:
        raise PaymentRefused(nothing)
    due = appt.amount_due
    if requested is None:
        return due
    if requested <= 0:
        raise PaymentRefused(lazy('The amount to pay must be more than zero.'))
    if requested > due:
        raise PaymentRefused(lazy('That is more than what is due for this appointment.'))
    return requested


def booking_deposit(appt: Appointment) -> int:
    """At booking, a service that asks for a deposit is charged the deposit still owed (zero when none is asked)."""
    return min(deposit_due(deposit=appt.deposit, paid=appt.amount_paid), appt.amount_due)


def package_checkout_amount(cp: CustomerPackage) -> int:
    """A package checkout charges the package's whole unpaid price; a paid package cannot be paid again."""
    due = package_due(cp)
    if due <= 0:
        raise PaymentRefused(lazy('This package is already paid.'))
    return due


def idempotency_key(*, tenant_id: int, kind: str, target_id: int, amount: int, paid: int, settled: int) -> str:
    """The same request for the same balance gets the same key, so a double click or a second tab reuses one
    checkout; once a payment for the target settles (paid, failed or flagged) the next request gets a new key."""
    if kind not in ('appointment', 'package'):
        raise ValueError(f'unknown payment target: {kind}')
    return f'kairos-t{tenant_id}-{kind}{target_id}-amount{amount}-paid{paid}-n{settled}'


def amount_matches(*, expected: int, expected_currency: str, received: int | None,
                   received_currency: str | None) -> bool:
    """Money is credited only when the provider reports exactly the amount and currency that were asked for."""
    if received is None or received_currency is None:
        return False
    return received == expected and received_currency.lower() == expected_currency.lower()


def webhook_outcome(*, event_type: str, session_payment_status: str | None) -> PaymentState | None:
    """What a Checkout event means for the payment: completed and paid, or an async success, settles it as paid;
    an async failure or a checkout left to expire fails it (so the next attempt opens a new checkout); a completed
    session still awaiting a delayed method changes nothing yet."""
    if event_type in ('checkout.session.completed', 'checkout.session.async_payment_succeeded'):
        return PaymentState.SUCCEEDED if session_payment_status in ('paid', 'no_payment_required') else None
    if event_type in ('checkout.session.async_payment_failed', 'checkout.session.expired'):
        return PaymentState.FAILED
    return None


def can_credit(payment: Payment) -> bool:
    """Only a payment still waiting may be settled: a settled one never changes the balance twice."""
    return payment.state == PaymentState.PENDING


CANCELED_BEFORE_PAYMENT = 'canceled'
CLOSED_BEFORE_PAYMENT = 'closed'


def why_not_credit(*, account_open: bool, appointment_stands: bool | None) -> str | None:
    """Money is credited only to an open account, and for an appointment only while it still holds its slot (not
    canceled or rejected); otherwise the payment is held for the business to refund. None when it may be credited,
    else which of the two it is."""
    if not account_open:
        return CLOSED_BEFORE_PAYMENT
    if appointment_stands is False:
        return CANCELED_BEFORE_PAYMENT
    return None


def payment_methods(*, card_enabled: bool, offline_instructions: Said) -> tuple[PaymentMethod, ...]:
    """The ways to pay: card when the business set up Stripe, offline when it wrote instructions for it."""
    methods: list[PaymentMethod] = []
    if card_enabled:
        methods.append(PaymentMethod(key=CARD, label=lazy('Card (secure Stripe checkout)')))
    instructions = offline_instructions.strip() if isinstance(offline_instructions, str) else offline_instructions
    if instructions:
        methods.append(PaymentMethod(key=OFFLINE, label=lazy('Pay in person'), instructions=instructions))
    return tuple(methods)


def why_not_book_from_package(cp: CustomerPackage, *, service_id: int | None, now: datetime) -> Text | None:
    """None when a session of this service may be booked from the package; otherwise the reason."""
    reason = cp.why_not_schedule(now)
    if reason:
        return reason
    if service_id is not None and service_id not in cp.package.service_ids:
        return lazy('This package does not include that service.')
    return None


_METHOD_LABELS = {CARD: N_('Card (Stripe)'), OFFLINE: N_('In person'), 'cash': N_('Cash'),
                  'transfer': N_('Bank transfer')}


def payment_note(payment: Payment) -> Said:
    """A payment's note to show: Kairos's words (stored as data) in the reader's language, a person's as typed."""
    return text_from_data(payment.note)


def method_label(method: str) -> Text:
    """How a way of paying reads on a receipt ('card' -> 'Card (Stripe)')."""
    return label(_METHOD_LABELS.get(method, method.capitalize()))

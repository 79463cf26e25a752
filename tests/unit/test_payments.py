"""The money rules, as tables: what is due, what a checkout charges, keys, and whether what arrived matches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import payments as dp
from domain.model import (
    DEFAULT_STATUSES,
    Appointment,
    CustomerPackage,
    Package,
    Payment,
    PaymentState,
    PaymentStatus,
    Service,
    Staff,
)
from tests.support.words import en

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STATUS = {s.key: s for s in DEFAULT_STATUSES}


def appt(*, price: int = 4500, deposit: int = 1000, paid: int = 0, status: str = 'approved') -> Appointment:
    return Appointment(id=7, customer_id=1, service=Service(id=1, name='Haircut', price=price, deposit=deposit),
                       staff=Staff(id=1, name='Mia'), location=None, start=NOW + timedelta(days=1),
                       end=NOW + timedelta(days=1, minutes=45), status=STATUS[status], price=price, deposit=deposit,
                       amount_paid=paid)


def package(*, paid: int = 0, used: int = 0, sessions: int = 5, expires: timedelta = timedelta(days=30),
            service_ids: tuple[int, ...] = (1,)) -> CustomerPackage:
    return CustomerPackage(id=3, customer_id=1, package=Package(id=2, name='Five cuts', sessions=sessions, price=20000,
                                                                validity_days=90, service_ids=service_ids),
                           purchased_at=NOW - timedelta(days=60), expires_at=NOW + expires, sessions_used=used,
                           amount_paid=paid)


@pytest.mark.parametrize(('price', 'deposit', 'paid', 'due', 'status'), [
    (4500, 1000, 0, 4500, PaymentStatus.UNPAID),
    (4500, 1000, 999, 3501, PaymentStatus.UNPAID),
    (4500, 1000, 1000, 3500, PaymentStatus.DEPOSIT_PAID),
    (4500, 0, 500, 4000, PaymentStatus.DEPOSIT_PAID),
    (4500, 1000, 4500, 0, PaymentStatus.PAID),
    (4500, 1000, 5000, 0, PaymentStatus.PAID),
    (0, 0, 0, 0, PaymentStatus.PAID),
])
def test_amount_due_and_payment_status(price: int, deposit: int, paid: int, due: int, status: PaymentStatus) -> None:
    a = appt(price=price, deposit=deposit, paid=paid)
    assert dp.amount_due(price=price, paid=paid) == a.amount_due == due
    assert a.payment_status == status


@pytest.mark.parametrize(('paid', 'status', 'requested', 'charged'), [
    (0, 'approved', None, 4500),
    (1000, 'pending', None, 3500),
    (0, 'approved', 1000, 1000),
    (0, 'approved', 4500, 4500),
    (0, 'no-show', None, 4500),
])
def test_what_a_checkout_charges(paid: int, status: str, requested: int | None, charged: int) -> None:
    assert dp.appointment_checkout_amount(appt(paid=paid, status=status), requested=requested) == charged


@pytest.mark.parametrize(('paid', 'status', 'requested', 'reason'), [
    (4500, 'approved', None, 'Nothing is due for this appointment.'),
    (0, 'canceled', None, 'An appointment that is canceled needs no payment.'),
    (0, 'rejected', 1000, 'An appointment that is rejected needs no payment.'),
    (0, 'approved', 0, 'The amount to pay must be more than zero.'),
    (0, 'approved', -5, 'The amount to pay must be more than zero.'),
    (1000, 'approved', 4000, 'That is more than what is due for this appointment.'),
])
def test_a_checkout_is_refused_with_the_reason(paid: int, status: str, requested: int | None, reason: str) -> None:
    with pytest.raises(dp.PaymentRefused) as refused:
        dp.appointment_checkout_amount(appt(paid=paid, status=status), requested=requested)
    assert en(refused.value.message) == en(reason)


@pytest.mark.parametrize(('price', 'deposit', 'paid', 'charged'), [
    (4500, 1000, 0, 1000),
    (4500, 1000, 400, 600),
    (4500, 1000, 1000, 0),
    (4500, 0, 0, 0),
    (500, 1000, 0, 500),  # a deposit larger than the price never asks for more than the price
])
def test_the_deposit_taken_at_booking(price: int, deposit: int, paid: int, charged: int) -> None:
    assert dp.booking_deposit(appt(price=price, deposit=deposit, paid=paid)) == charged


@pytest.mark.parametrize(('paid', 'charged'), [(0, 20000), (5000, 15000)])
def test_a_package_checkout_charges_the_unpaid_price(paid: int, charged: int) -> None:
    assert dp.package_checkout_amount(package(paid=paid)) == charged


def test_a_paid_package_is_not_paid_again() -> None:
    with pytest.raises(dp.PaymentRefused, match='already paid'):
        dp.package_checkout_amount(package(paid=20000))


def test_the_idempotency_key_is_the_same_for_the_same_request_and_new_once_a_payment_settles() -> None:
    base = {'tenant_id': 1, 'kind': 'appointment', 'target_id': 7, 'amount': 4500, 'paid': 0, 'settled': 0}
    key = dp.idempotency_key(**base)
    assert key == dp.idempotency_key(**base) == 'kairos-t1-appointment7-amount4500-paid0-n0'
    variants = [{'tenant_id': 2}, {'kind': 'package'}, {'target_id': 8}, {'amount': 1000}, {'paid': 1000},
                {'settled': 1}]
    keys = {dp.idempotency_key(**{**base, **change}) for change in variants}
    assert key not in keys and len(keys) == len(variants)
    assert len(key) <= 255  # Stripe's limit
    with pytest.raises(ValueError):
        dp.idempotency_key(**{**base, 'kind': 'gift'})


@pytest.mark.parametrize(('received', 'currency', 'matches'), [
    (4500, 'eur', True),
    (4500, 'EUR', True),
    (4499, 'eur', False),
    (45000, 'eur', False),
    (4500, 'usd', False),
    (None, 'eur', False),
    (4500, None, False),
])
def test_money_is_credited_only_for_exactly_what_was_asked(received: int | None, currency: str | None,
                                                           matches: bool) -> None:
    assert dp.amount_matches(expected=4500, expected_currency='eur', received=received,
                             received_currency=currency) is matches


@pytest.mark.parametrize(('event', 'session_status', 'outcome'), [
    ('checkout.session.completed', 'paid', PaymentState.SUCCEEDED),
    ('checkout.session.completed', 'unpaid', None),  # a delayed method: wait for the async events
    ('checkout.session.async_payment_succeeded', 'paid', PaymentState.SUCCEEDED),
    ('checkout.session.async_payment_failed', 'unpaid', PaymentState.FAILED),
    ('checkout.session.expired', 'unpaid', PaymentState.FAILED),
    ('payment_intent.succeeded', 'paid', None),
])
def test_what_a_checkout_event_means(event: str, session_status: str, outcome: PaymentState | None) -> None:
    assert dp.webhook_outcome(event_type=event, session_payment_status=session_status) == outcome


@pytest.mark.parametrize(('state', 'creditable'), [
    (PaymentState.PENDING, True), (PaymentState.SUCCEEDED, False), (PaymentState.FAILED, False),
    (PaymentState.FLAGGED, False),
])
def test_only_a_waiting_payment_can_be_settled(state: PaymentState, creditable: bool) -> None:
    payment = Payment(id=1, amount=4500, currency='eur', method='card', state=state, created_at=NOW)
    assert dp.can_credit(payment) is creditable


@pytest.mark.parametrize(('card', 'instructions', 'keys'), [
    (True, 'Pay at the desk.', ['card', 'offline']),
    (False, 'Pay at the desk.', ['offline']),
    (True, '   ', ['card']),
    (False, '', []),
])
def test_the_ways_to_pay(card: bool, instructions: str, keys: list[str]) -> None:
    methods = dp.payment_methods(card_enabled=card, offline_instructions=instructions)
    assert [m.key for m in methods] == keys
    assert all(m.instructions == 'Pay at the desk.' for m in methods if m.key == 'offline')


@pytest.mark.parametrize(('cp', 'service_id', 'reason'), [
    (package(), 1, None),
    (package(), None, None),
    (package(used=4), 1, None),
    (package(used=5), 1, 'All sessions of this package are used.'),
    (package(expires=timedelta(0)), 1, 'This package has expired.'),
    (package(expires=-timedelta(days=1), used=5), 1, 'This package has expired.'),
    (package(), 2, 'This package does not include that service.'),
])
def test_booking_a_session_from_a_package(cp: CustomerPackage, service_id: int | None, reason: str | None) -> None:
    assert en(dp.why_not_book_from_package(cp, service_id=service_id, now=NOW)) == en(reason)

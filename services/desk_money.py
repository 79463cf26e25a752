"""The desk's money: the queue of flagged payments (money held for a person to look at) and what to do about each,
refund it through Stripe or accept it as credit, and refunding a card payment of an appointment.

A refund asks Stripe first (with an idempotency key per payment, so a retry never refunds twice), then records it in
one transaction: the payment is 'refunded', what had been credited to the appointment or package is taken back, the
appointment's history says so "by the staff", the audit log names the admin, and the customer's email about the
refund is queued.
"""

from __future__ import annotations

from datetime import datetime

import stripe

from domain import desk as dd
from domain import history as dh
from domain import model as d
from domain import payments as dp
from domain.admins import AdminRole
from domain.i18n import lazy, text_to_data
from domain.rules import NotAllowed
from services import admin_auth, audit, events, receipts
from services import payments as payment_service
from storage import appointments as appointment_db
from storage import desk as desk_db
from storage import packages as package_db
from storage import payments as payment_db
from storage.db import Database

NOT_FOUND = lazy('That payment was not found.')
REFUNDED_NOTE = lazy('Refunded by the business.')
ACCEPTED_NOTE = lazy('Accepted as credit by the business.')


def flagged_payments(db: Database, *, tenant_id: int, admin_id: int) -> list[dd.FlaggedPayment]:
    with db.read() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        return desk_db.flagged_payments(s, tenant_id=tenant_id)


def _own(payment: tuple[int, d.Payment] | None, tenant_id: int) -> d.Payment:
    if payment is None or payment[0] != tenant_id:
        raise NotAllowed(NOT_FOUND)
    return payment[1]


def refund(db: Database, *, tenant_id: int, admin_id: int, payment_id: int, now: datetime) -> None:
    """Give a card payment back through Stripe: a flagged one (never credited) or a credited one (taken back from
    the appointment or package)."""
    with db.read() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        found = payment_db.payment(s, payment_id=payment_id)
        owner = payment_db.target_tenant(s, appointment_id=found.appointment_id,
                                         customer_package_id=found.customer_package_id) if found else None
    payment = _own((owner, found) if found and owner is not None else None, tenant_id)
    if payment.method != dp.CARD or not payment.provider_ref:
        raise NotAllowed(lazy('Only a card payment can be refunded here; give cash back in person.'))
    if payment.state not in (d.PaymentState.SUCCEEDED, d.PaymentState.FLAGGED):
        raise NotAllowed(lazy('This payment cannot be refunded: it is not a completed payment.'))
    client = payment_service.stripe_client()
    try:
        session = client.v1.checkout.sessions.retrieve(payment.provider_ref)
        intent = session.payment_intent
        intent_id = intent if isinstance(intent, str) else getattr(intent, 'id', None)
        if not intent_id:
            raise NotAllowed(lazy('Stripe has no payment to refund for this checkout.'))
        client.v1.refunds.create(params={'payment_intent': intent_id, 'amount': payment.amount},
                                 options={'idempotency_key': f'kairos-refund-{tenant_id}-{payment.id}'})
    except stripe.StripeError as error:
        raise NotAllowed(lazy('Stripe did not refund it: %(reason)s', reason=error.user_message or str(error))) \
            from error
    customer_id = None
    with db.write() as s:
        locked = _own(payment_db.payment_for_update(s, payment_id=payment_id), tenant_id)
        if locked.state == d.PaymentState.REFUNDED:
            return  # refunded meanwhile (another tab): Stripe's idempotency key made it the same refund
        credited = locked.state == d.PaymentState.SUCCEEDED
        if locked.appointment_id is not None:
            if credited:
                was, now_is = appointment_db.credit_appointment(s, appointment_id=locked.appointment_id,
                                                                amount=-locked.amount)
                before, after = was.value, now_is.value
            else:
                before = after = desk_db.payment_status(s, appointment_id=locked.appointment_id)
            appointment_db.add_history(s, tenant_id=tenant_id, appointment_id=locked.appointment_id,
                                       entry=dh.refunded(at=now, actor=dh.STAFF, amount=locked.amount,
                                                         currency=locked.currency, method=locked.method,
                                                         from_status=before, to_status=after))
        elif locked.customer_package_id is not None and credited:
            package_db.credit_package(s, customer_package_id=locked.customer_package_id, amount=-locked.amount)
        payment_db.settle_payment(s, payment_id=payment_id, state=d.PaymentState.REFUNDED, at=now,
                                  note=text_to_data(REFUNDED_NOTE))
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='payment.refund',
                     target=f'payment {payment_id}', before={'state': locked.state.value},
                     after={'state': 'refunded', 'amount': locked.amount, 'currency': locked.currency}, now=now)
        customer_id = payment_db.payment_customer(s, payment=locked)
        receipts.queue_refund_notice(s, tenant_id=tenant_id, payment_id=payment_id, now=now)
    if customer_id is not None:
        events.publish(events.customer_topic(tenant_id, customer_id), {'kind': 'payment', 'payment_id': payment_id,
                                                                      'outcome': 'refunded'})


def accept(db: Database, *, tenant_id: int, admin_id: int, payment_id: int, now: datetime) -> None:
    """Keep a flagged payment as the customer's credit: credited to its appointment or package (which may then show
    more paid than its price), history "by the staff", a receipt emailed."""
    customer_id = None
    with db.write() as s:
        admin_auth.require_role_in(s, tenant_id=tenant_id, admin_id=admin_id, needed=AdminRole.MANAGER)
        locked = _own(payment_db.payment_for_update(s, payment_id=payment_id), tenant_id)
        if locked.state != d.PaymentState.FLAGGED:
            raise NotAllowed(lazy('This payment is no longer waiting for a decision.'))
        payment_db.settle_payment(s, payment_id=payment_id, state=d.PaymentState.SUCCEEDED, at=now,
                                  note=text_to_data(ACCEPTED_NOTE))
        payment_service.credit(s, tenant_id=tenant_id, payment=locked, now=now, actor=dh.STAFF)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='payment.accept',
                     target=f'payment {payment_id}', before={'state': 'flagged'}, after={'state': 'succeeded'},
                     now=now)
        customer_id = payment_db.payment_customer(s, payment=locked)
        receipts.queue_payment_confirmation(s, tenant_id=tenant_id, payment_id=payment_id)
    if customer_id is not None:
        events.publish(events.customer_topic(tenant_id, customer_id), {'kind': 'payment', 'payment_id': payment_id,
                                                                      'outcome': 'credited'})


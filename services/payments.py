"""Paying what is due: Stripe Checkout sessions out, signed Stripe webhooks in, and the record of every payment.

The balance changes only here, and only from a webhook whose signature checks out: the customer coming back to
the panel from Stripe proves nothing. Every Stripe call is blocking: the UI calls these through run.io_bound.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import stripe

from domain import history as dh
from domain import model as d
from domain import payments as dp
from domain.i18n import Said, lazy, text_to_data
from domain.payments import PaymentRefused
from domain.rules import offline_instructions, why_not_pay, why_not_pay_package
from services import audit, events, receipts
from services import formatting as fmt
from services.config import get_config
from storage import appointments as appointment_db
from storage import customers as customer_db
from storage import packages as package_db
from storage import payments as payment_db
from storage import tenants as tenant_db
from storage.db import Database

__all__ = ['PaymentRefused', 'WebhookRejected', 'WebhookResult', 'start_checkout', 'handle_webhook',
           'payment_options', 'record_offline_payment', 'card_enabled',
           'expire_open_checkouts']

log = logging.getLogger(__name__)

HANDLED_EVENTS = frozenset({'checkout.session.completed', 'checkout.session.async_payment_succeeded',
                            'checkout.session.async_payment_failed', 'checkout.session.expired'})
EXPIRED_NOTE = lazy('The checkout expired before it was paid.')
CARD_UNAVAILABLE = lazy('Card payment is not available right now. Please try again in a moment or pay in person.')


class WebhookRejected(Exception):
    """A webhook that is not provably from Stripe: the route answers 400 and nothing changes."""


@dataclass(frozen=True, slots=True)
class WebhookResult:
    outcome: str  # credited, flagged, failed, expired, waiting, duplicate, ignored, unknown
    payment_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentOptions:
    """What the Pay drawer shows: the amount due, the currency and the ways to pay."""

    amount_due: int
    currency: str
    methods: tuple[dp.PaymentMethod, ...]


def card_enabled() -> bool:
    cfg = get_config()
    return bool(cfg.stripe_secret_key and cfg.stripe_webhook_secret)


def stripe_client() -> stripe.StripeClient:
    cfg = get_config()
    if not cfg.stripe_secret_key:
        raise PaymentRefused(lazy('Card payment is not set up for this business. Please pay in person.'))
    base = {'api': cfg.stripe_api_base.rstrip('/')} if cfg.stripe_api_base else None
    return stripe.StripeClient(cfg.stripe_secret_key, max_network_retries=2,
                               base_addresses=base)  # type: ignore[arg-type]  # Stripe's TypedDict is private


# ---- what the Pay drawer shows --------------------------------------------------------------------------------


def payment_options(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int | None = None,
                    customer_package_id: int | None = None) -> PaymentOptions:
    """The balance of the customer's appointment or package and the enabled methods; refuses when nothing is due."""
    with db.read() as s:
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
        currency = tenant_db.tenant_currency(s, tenant_id=tenant_id)
        if appointment_id is not None:
            appt = appointment_db.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                                       appointment_id=appointment_id,
                                                       status_list=tenant_db.statuses(s, tenant_id=tenant_id),
                                                       with_history=False)
            if appt is None:
                raise PaymentRefused(lazy('That appointment was not found.'))
            due = dp.appointment_checkout_amount(appt)
        else:
            cp = _package_or_refuse(s, tenant_id=tenant_id, customer_id=customer_id,
                                    customer_package_id=customer_package_id)
            reason = why_not_pay_package(cp, settings)
            if reason:
                raise PaymentRefused(reason)
            due = dp.package_checkout_amount(cp)
    return PaymentOptions(amount_due=due, currency=currency, methods=dp.payment_methods(
        # Kairos's default instructions in the reader's language, the business's own as it wrote them.
        card_enabled=card_enabled(), offline_instructions=offline_instructions(settings)))


# ---- checkout -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Intent:
    payment_id: int
    key: str
    amount: int
    currency: str
    description: str
    email: str
    provider_ref: str = ''  # the Checkout Session an earlier click opened for this same payment


def start_checkout(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int | None = None,
                   customer_package_id: int | None = None, amount: int | None = None, success_url: str,
                   cancel_url: str, now: datetime) -> str:
    """Open a Stripe hosted Checkout for the customer's appointment (the balance, or `amount` such as a deposit) or
    unpaid package, and return the address to send the browser to. Raises PaymentRefused with the reason.

    A pending Payment row records the attempt under a deterministic idempotency key: the same request twice (two
    clicks, two tabs) reuses one row and, through Stripe's Idempotency-Key, one Checkout Session.
    """
    if (appointment_id is None) == (customer_package_id is None):
        raise ValueError('pay for exactly one appointment or one package')
    client = stripe_client()
    with db.write() as s:
        intent = _record_intent(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id,
                                customer_package_id=customer_package_id, amount=amount, now=now)
    if intent.provider_ref and _expired(client, intent):
        # Its checkout ran out (and the expiry event has not reached us): close that attempt and open a new one.
        with db.write() as s:
            payment_db.settle_payment(s, payment_id=intent.payment_id, state=d.PaymentState.FAILED, at=now,
                                      note=text_to_data(EXPIRED_NOTE))
            intent = _record_intent(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id,
                                    customer_package_id=customer_package_id, amount=amount, now=now)
    metadata = {'tenant_id': str(tenant_id), 'payment_id': str(intent.payment_id)}
    if appointment_id is not None:
        metadata['appointment_id'] = str(appointment_id)
    else:
        metadata['customer_package_id'] = str(customer_package_id)
    params: dict[str, Any] = {
        'mode': 'payment',
        'line_items': [{'quantity': 1, 'price_data': {
            'currency': intent.currency, 'unit_amount': intent.amount,
            'product_data': {'name': intent.description}}}],
        'success_url': success_url,
        'cancel_url': cancel_url,
        'client_reference_id': str(intent.payment_id),
        'metadata': metadata,
        'payment_intent_data': {'metadata': metadata},
    }
    if intent.email:
        params['customer_email'] = intent.email
    try:
        session = client.v1.checkout.sessions.create(
            params=params,  # type: ignore[arg-type]  # a plain dict where Stripe types a SessionCreateParams TypedDict
            options={'idempotency_key': intent.key})
    except stripe.StripeError as error:
        log.warning('Stripe refused a checkout for payment %s: %s', intent.payment_id, error)
        raise PaymentRefused(CARD_UNAVAILABLE) from error
    with db.write() as s:
        payment_db.set_provider_ref(s, payment_id=intent.payment_id, provider_ref=session.id)
    if not session.url or session.status not in (None, 'open'):
        raise PaymentRefused('This payment is already being processed. Your balance updates as soon as Stripe '
                             'confirms it.')
    return session.url


def _expired(client: stripe.StripeClient, intent: _Intent) -> bool:
    """Whether the checkout an earlier click opened for this payment has expired."""
    try:
        session = client.v1.checkout.sessions.retrieve(intent.provider_ref)
    except stripe.StripeError as error:
        log.warning('Stripe could not say how checkout %s stands: %s', intent.provider_ref, error)
        raise PaymentRefused(CARD_UNAVAILABLE) from error
    return session.status == 'expired'


def _record_intent(s: Any, *, tenant_id: int, customer_id: int, appointment_id: int | None,
                   customer_package_id: int | None, amount: int | None, now: datetime) -> _Intent:
    currency = tenant_db.tenant_currency(s, tenant_id=tenant_id).lower()
    customer = customer_db.customer(s, tenant_id=tenant_id, customer_id=customer_id)
    if customer is None or not customer.active:
        raise PaymentRefused(lazy('This account is closed.'))
    if appointment_id is not None:
        kind, target = 'appointment', appointment_id
        # Hold the appointment row (PostgreSQL; SQLite's write lock already serialises) so two tabs make one row.
        if not appointment_db.lock_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                               appointment_id=appointment_id):
            raise PaymentRefused(lazy('That appointment was not found.'))
        appt = appointment_db.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                                   appointment_id=appointment_id,
                                                   status_list=tenant_db.statuses(s, tenant_id=tenant_id),
                                                   with_history=False)
        assert appt is not None
        if amount is None:  # the panel's Pay now: the same rule that decides whether the button shows
            reason = why_not_pay(appt, tenant_db.panel_settings(s, tenant_id=tenant_id))
            if reason:
                raise PaymentRefused(reason)
        charge = dp.appointment_checkout_amount(appt, requested=amount)
        paid = appt.amount_paid
        tz = ZoneInfo(tenant_db.tenant_timezone(s, tenant_id=tenant_id))
        description = f'{appt.service.name}, {fmt.date_time(appt.start, tz)}'
        if amount is not None and amount < appt.amount_due:
            description = f'Deposit: {description}'
    else:
        assert customer_package_id is not None
        kind, target = 'package', customer_package_id
        cp = _package_or_refuse(s, tenant_id=tenant_id, customer_id=customer_id,
                                customer_package_id=customer_package_id, lock=True)
        reason = why_not_pay_package(cp, tenant_db.panel_settings(s, tenant_id=tenant_id))
        if reason:  # the same rule that decides whether the package card shows Pay
            raise PaymentRefused(reason)
        charge = dp.package_checkout_amount(cp)
        if amount is not None and amount != charge:
            raise PaymentRefused(lazy('A package is paid in full.'))
        paid = cp.amount_paid
        description = f'Package: {cp.package.name} ({cp.package.sessions} sessions)'
    settled = payment_db.settled_count(s, tenant_id=tenant_id, appointment_id=appointment_id,
                                       customer_package_id=customer_package_id)
    key = dp.idempotency_key(tenant_id=tenant_id, kind=kind, target_id=target, amount=charge, paid=paid,
                             settled=settled)
    payment_id = payment_db.pending_payment_id(s, tenant_id=tenant_id, idempotency_key=key)
    provider_ref = ''
    if payment_id is not None:
        earlier = payment_db.payment(s, payment_id=payment_id)
        provider_ref = earlier.provider_ref if earlier else ''
    else:
        payment_id = payment_db.add_payment(s, tenant_id=tenant_id, amount=charge, currency=currency, method=dp.CARD,
                                            state=d.PaymentState.PENDING.value, created_at=now,
                                            appointment_id=appointment_id,
                                            customer_package_id=customer_package_id, idempotency_key=key)
    return _Intent(payment_id=payment_id, key=key, amount=charge, currency=currency, description=description,
                   email=customer.email, provider_ref=provider_ref)


def _package_or_refuse(s: Any, *, tenant_id: int, customer_id: int, customer_package_id: int | None,
                       lock: bool = False) -> d.CustomerPackage:
    cp = None
    if customer_package_id is not None:
        if lock:
            package_db.lock_customer_package(s, tenant_id=tenant_id, customer_id=customer_id,
                                             customer_package_id=customer_package_id)
        cp = package_db.customer_package(s, tenant_id=tenant_id, customer_id=customer_id,
                                         customer_package_id=customer_package_id)
    if cp is None:
        raise PaymentRefused(lazy('That package was not found.'))
    return cp


# ---- webhooks -------------------------------------------------------------------------------------------------


def handle_webhook(db: Database, *, payload: bytes, signature: str | None, now: datetime) -> WebhookResult:
    """Apply one Stripe event, once. Raises WebhookRejected unless Stripe's signature over the exact body checks out.

    The event id is remembered in the same transaction that credits, so a replay or a duplicate changes nothing;
    money is credited only when the amount and currency are exactly what the checkout asked for, otherwise the
    payment is flagged for the business to look at.
    """
    secret = get_config().stripe_webhook_secret
    if not secret:
        raise WebhookRejected('no webhook secret is configured')
    try:
        stripe.Webhook.construct_event(payload, signature or '', secret)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise WebhookRejected(str(error)) from error
    event = json.loads(payload)
    event_type = str(event.get('type', ''))
    if event_type not in HANDLED_EVENTS:
        return WebhookResult('ignored')
    obj = event.get('data', {}).get('object', {}) or {}
    with db.write() as s:
        found = _find_payment(s, obj)
        if not payment_db.record_event(s, event_id=str(event['id']), tenant_id=found[0] if found else None,
                                       event_type=event_type, now=now):
            return WebhookResult('duplicate', found[1].id if found else None)
        if found is None:
            log.warning('Stripe event %s names no payment of ours (session %s)', event.get('id'), obj.get('id'))
            return WebhookResult('unknown')
        tenant_id, payment = found
        result = _apply(s, tenant_id=tenant_id, payment=payment, event_type=event_type, obj=obj, now=now)
        customer_id = payment_db.payment_customer(s, payment=payment)
        if result.outcome == 'credited':  # the confirmation email commits with the credit
            receipts.queue_payment_confirmation(s, tenant_id=tenant_id, payment_id=payment.id)
    if customer_id is not None:  # after the commit: the customer's open panels refresh their balance
        events.publish(events.customer_topic(tenant_id, customer_id), {'kind': 'payment', 'payment_id': payment.id,
                                                                      'outcome': result.outcome})
    return result


def _find_payment(s: Any, obj: dict[str, Any]) -> tuple[int, d.Payment] | None:
    raw = (obj.get('metadata') or {}).get('payment_id') or obj.get('client_reference_id')
    if raw and str(raw).isdigit():
        found = payment_db.payment_for_update(s, payment_id=int(raw))
        # The metadata must agree with the session we opened for that payment (when we know it).
        if found and (not found[1].provider_ref or found[1].provider_ref == obj.get('id')):
            return found
    if obj.get('id'):
        return payment_db.payment_by_provider_ref(s, provider_ref=str(obj['id']))
    return None


def _apply(s: Any, *, tenant_id: int, payment: d.Payment, event_type: str, obj: dict[str, Any],
           now: datetime) -> WebhookResult:
    outcome = dp.webhook_outcome(event_type=event_type, session_payment_status=obj.get('payment_status'))
    if outcome is None:
        return WebhookResult('waiting', payment.id)  # a delayed method: the async events will settle it
    if not dp.can_credit(payment):
        return WebhookResult('duplicate', payment.id)
    session_id = str(obj.get('id') or '')
    if event_type == 'checkout.session.expired':
        # The customer left the checkout unpaid: nothing happened to the appointment, so no history line.
        payment_db.settle_payment(s, payment_id=payment.id, state=d.PaymentState.FAILED, at=now,
                                  provider_ref=session_id,
                                  note=text_to_data(EXPIRED_NOTE))
        return WebhookResult('expired', payment.id)
    if outcome == d.PaymentState.FAILED:
        payment_db.settle_payment(s, payment_id=payment.id, state=d.PaymentState.FAILED, at=now,
                                  provider_ref=session_id,
                                  note=text_to_data(lazy('The payment did not go through.')))
        _history(s, tenant_id=tenant_id, payment=payment,
                 entry=dh.payment_failed(at=now, actor=dh.SYSTEM, amount=payment.amount, currency=payment.currency,
                                         method=payment.method))
        return WebhookResult('failed', payment.id)
    received, received_currency = obj.get('amount_total'), obj.get('currency')
    if not dp.amount_matches(expected=payment.amount, expected_currency=payment.currency, received=received,
                             received_currency=received_currency):
        got: Said = (fmt.money(received, received_currency or '?', code=True) if isinstance(received, int)
                     else lazy('no amount'))
        payment_db.settle_payment(s, payment_id=payment.id, state=d.PaymentState.FLAGGED, at=now,
                                  provider_ref=session_id,
                                  note=text_to_data(lazy(
                                      'Stripe reported %(received)s; the checkout asked for %(asked)s. Not credited.',
                                      received=got, asked=fmt.money(payment.amount, payment.currency, code=True))))
        _held(s, tenant_id=tenant_id, payment=payment, now=now, cause=dh.AMOUNT_MISMATCH)
        log.warning('Payment %s flagged: amount %s %s, expected %s %s', payment.id, received, received_currency,
                    payment.amount, payment.currency)
        return WebhookResult('flagged', payment.id)
    # Hold the appointment or package row before reading what it still owes: two payments for one target (two
    # tabs' checkouts, a webhook and an in-person payment) are credited one after the other, never both in full.
    account_open, stands = payment_db.lock_target(s, payment=payment)
    refusal = dp.why_not_credit(account_open=account_open, appointment_stands=stands)
    if refusal is not None:
        after = 'the account was closed' if refusal == dp.CLOSED_BEFORE_PAYMENT else 'the appointment was canceled'
        amount = fmt.money(payment.amount, payment.currency, code=True)
        note = (lazy('%(amount)s arrived after the account was closed. Not credited: to be refunded.', amount=amount)
                if refusal == dp.CLOSED_BEFORE_PAYMENT else
                lazy('%(amount)s arrived after the appointment was canceled. Not credited: to be refunded.',
                     amount=amount))
        payment_db.settle_payment(s, payment_id=payment.id, state=d.PaymentState.FLAGGED, at=now,
                                  provider_ref=session_id, note=text_to_data(note))
        _held(s, tenant_id=tenant_id, payment=payment, now=now,
              cause=dh.ACCOUNT_CLOSED if refusal == dp.CLOSED_BEFORE_PAYMENT else dh.APPOINTMENT_CANCELED)
        log.warning('Payment %s flagged: it arrived after %s', payment.id, after)
        return WebhookResult('flagged', payment.id)
    if payment.amount > payment_db.amount_still_due(s, payment=payment):
        # Paid meanwhile another way (in person, another tab's checkout): crediting would take more than is owed.
        payment_db.settle_payment(s, payment_id=payment.id, state=d.PaymentState.FLAGGED, at=now,
                                  provider_ref=session_id,
                                  note=text_to_data(lazy(
                                      '%(amount)s arrived after the balance had been paid another way. Not credited: '
                                      'to be refunded.',
                                      amount=fmt.money(payment.amount, payment.currency, code=True))))
        _held(s, tenant_id=tenant_id, payment=payment, now=now, cause=dh.ALREADY_PAID)
        log.warning('Payment %s flagged: more than the %s still due', payment.id, payment.currency)
        return WebhookResult('flagged', payment.id)
    payment_db.settle_payment(s, payment_id=payment.id, state=d.PaymentState.SUCCEEDED, at=now, provider_ref=session_id)
    _credit(s, tenant_id=tenant_id, payment=payment, now=now)
    return WebhookResult('credited', payment.id)


def credit(s: Any, *, tenant_id: int, payment: d.Payment, now: datetime, actor: str = dh.SYSTEM) -> None:
    """Credit a payment to its appointment (with a 'paid' history line by `actor`) or package, in the caller's
    transaction."""
    _credit(s, tenant_id=tenant_id, payment=payment, now=now, actor=actor)


def _credit(s: Any, *, tenant_id: int, payment: d.Payment, now: datetime, actor: str = dh.SYSTEM) -> None:
    if payment.appointment_id is not None:
        before_status, after_status = appointment_db.credit_appointment(s, appointment_id=payment.appointment_id,
                                                                        amount=payment.amount)
        _history(s, tenant_id=tenant_id, payment=payment, entry=dh.paid(
            at=now, actor=actor, amount=payment.amount, currency=payment.currency, method=payment.method,
            from_status=before_status, to_status=after_status))
    elif payment.customer_package_id is not None:
        package_db.credit_package(s, customer_package_id=payment.customer_package_id, amount=payment.amount)


def _held(s: Any, *, tenant_id: int, payment: d.Payment, now: datetime, cause: str) -> None:
    _history(s, tenant_id=tenant_id, payment=payment, entry=dh.payment_held(
        at=now, actor=dh.SYSTEM, amount=payment.amount, currency=payment.currency, method=payment.method, cause=cause))


def _history(s: Any, *, tenant_id: int, payment: d.Payment, entry: d.HistoryEntry) -> None:
    if payment.appointment_id is not None:
        appointment_db.add_history(s, tenant_id=tenant_id, appointment_id=payment.appointment_id, entry=entry)


def expire_open_checkouts(db: Database, *, tenant_id: int, customer_id: int, now: datetime) -> int:
    """Close the customer's open Stripe Checkouts (their account was closed), so nobody can pay into them later;
    returns how many were expired. A checkout Stripe will not expire (already paid meanwhile) is left to its
    webhook, which flags the money for a refund."""
    with db.read() as s:
        pending = [p for p in payment_db.pending_with_checkout(s, tenant_id=tenant_id, customer_id=customer_id)
                   if p.method == dp.CARD]
    if not pending:
        return 0
    if not get_config().stripe_secret_key:
        log.warning('%s open checkouts of closed customer %s could not be expired: Stripe is not configured',
                    len(pending), customer_id)
        return 0
    client = stripe_client()
    expired = 0
    for payment in pending:
        try:
            client.v1.checkout.sessions.expire(payment.provider_ref)
        except stripe.StripeError as error:
            log.warning('Stripe did not expire checkout %s of payment %s: %s', payment.provider_ref, payment.id,
                        error)
            continue
        with db.write() as s:
            found = payment_db.payment_for_update(s, payment_id=payment.id)
            if found is not None and dp.can_credit(found[1]):
                payment_db.settle_payment(s, payment_id=payment.id, state=d.PaymentState.FAILED, at=now,
                                          note=text_to_data(EXPIRED_NOTE))
        expired += 1
    return expired


# ---- offline payments (the business records them) -------------------------------------------------------------


def record_offline_payment(db: Database, *, tenant_id: int, amount: int, method: str = dp.OFFLINE,
                           appointment_id: int | None = None, customer_package_id: int | None = None,
                           note: str = '', now: datetime, admin_id: int | None = None,
                           actor: str = dh.SYSTEM) -> int:
    """The business records money taken in person; it is credited at once and gets a receipt like any other.
    `admin_id`: the admin who recorded it at the desk (its history says `actor`, and the audit log names them)."""
    if amount <= 0:
        raise PaymentRefused(lazy('The amount must be more than zero.'))
    if (appointment_id is None) == (customer_package_id is None):
        raise ValueError('record a payment for exactly one appointment or one package')
    with db.write() as s:
        currency = tenant_db.tenant_currency(s, tenant_id=tenant_id).lower()
        if payment_db.target_tenant(s, appointment_id=appointment_id,
                                    customer_package_id=customer_package_id) != tenant_id:
            raise PaymentRefused(lazy('That appointment or package was not found.'))
        payment_id = payment_db.add_payment(s, tenant_id=tenant_id, amount=amount, currency=currency, method=method,
                                            state=d.PaymentState.SUCCEEDED.value, created_at=now,
                                            appointment_id=appointment_id, customer_package_id=customer_package_id,
                                            note=note)
        payment = payment_db.payment(s, payment_id=payment_id)
        assert payment is not None
        _credit(s, tenant_id=tenant_id, payment=payment, now=now, actor=actor)
        if admin_id is not None:
            audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='payment.record',
                         target=f'appointment {appointment_id}' if appointment_id is not None
                         else f'package {customer_package_id}',
                         after={'amount': amount, 'currency': currency, 'method': method}, now=now)
        customer_id = payment_db.payment_customer(s, payment=payment)
        receipts.queue_payment_confirmation(s, tenant_id=tenant_id, payment_id=payment_id)
    if customer_id is not None:
        events.publish(events.customer_topic(tenant_id, customer_id), {'kind': 'payment', 'payment_id': payment_id,
                                                                      'outcome': 'credited'})
    return payment_id

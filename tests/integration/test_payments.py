"""Paying through the real Stripe SDK against our Stripe-compatible server, with webhooks signed as Stripe signs them.

The balance moves only when a correctly signed webhook arrives, once, for exactly the amount that was asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from domain import payments as dp
from domain.i18n import text_from_data
from domain.model import PaymentStatus
from domain.settings import PanelSettings
from services import accounts, panel, payments, receipts
from services.config import reset_config
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import customers as customer_db
from storage import packages as package_db
from storage import payments as payment_db
from storage import tables as t
from storage import tenants as tenant_db
from tests.support.fake_stripe import FakeStripe

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECRET = 'whsec_test_secret'
SUCCESS, CANCEL = 'http://panel.test/?paid=1', 'http://panel.test/?canceled=1'


@pytest.fixture
def stripe_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv('KAIROS_STRIPE_SECRET_KEY', 'sk_test_kairos')
    monkeypatch.setenv('KAIROS_STRIPE_WEBHOOK_SECRET', SECRET)
    reset_config()
    yield
    reset_config()


def webhook_endpoint(db, now: datetime = NOW):
    """What POST /webhooks/stripe does: 200 when handled (even as a duplicate), 400 when not provably Stripe's."""
    def deliver(body: bytes, signature: str) -> int:
        try:
            payments.handle_webhook(db, payload=body, signature=signature, now=now)
        except payments.WebhookRejected:
            return 400
        return 200
    return deliver


@pytest.fixture
def fake(db, stripe_env, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    with FakeStripe(webhook_secret=SECRET, deliver=webhook_endpoint(db)) as server:
        monkeypatch.setenv('KAIROS_STRIPE_API_BASE', server.url)
        reset_config()
        yield server


def seed(db, *, settings: PanelSettings | None = None, status: str = 'approved') -> dict[str, int]:
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='default', name='Studio', timezone='Europe/Berlin', currency='EUR',
                                         settings=settings)
        svc = catalog_db.create_service(s, tenant_id=tenant, name='Haircut', duration_min=45, price=4500, deposit=1000)
        staff = catalog_db.create_staff(s, tenant_id=tenant, name='Mia', service_ids=[svc],
                                        weekly={0: [(time(9), time(17))]})
        ada = customer_db.create_customer(s, tenant_id=tenant, email='ada@example.com', first_name='Ada', now=NOW)
        bob = customer_db.create_customer(s, tenant_id=tenant, email='bob@example.com', first_name='Bob', now=NOW)
        appt = appointment_db.create_appointment(s, tenant_id=tenant, customer_id=ada, service_id=svc, staff_id=staff,
                                                 start=NOW + timedelta(days=2), duration=timedelta(minutes=45),
                                                 status_key=status, price=4500, deposit=1000)
        package = package_db.create_package(s, tenant_id=tenant, name='Five cuts', sessions=5, price=20000,
                                            validity_days=90, service_ids=[svc])
        cp = package_db.create_customer_package(s, tenant_id=tenant, customer_id=ada, package_id=package,
                                                purchased_at=NOW - timedelta(days=1), validity_days=90)
    return {'tenant': tenant, 'ada': ada, 'bob': bob, 'appt': appt, 'cp': cp, 'svc': svc, 'staff': staff}


def checkout(db, ids: dict[str, int], **kw) -> str:
    target = {'customer_package_id': ids['cp']} if kw.pop('package', False) else {'appointment_id': ids['appt']}
    return payments.start_checkout(db, tenant_id=ids['tenant'], customer_id=kw.pop('customer', ids['ada']),
                                   success_url=SUCCESS, cancel_url=CANCEL, now=NOW, **target, **kw)


def appointment(db, ids: dict[str, int]):
    found = panel.appointment_detail(db, tenant_id=ids['tenant'], customer_id=ids['ada'], appointment_id=ids['appt'])
    assert found is not None
    return found


def note_of(row) -> str:
    """A payment's note as the business reads it in English (Kairos's words are stored as data)."""
    return str(text_from_data(row.note))


def payment_rows(db) -> list[t.Payment]:
    with db.read() as s:
        return list(s.exec(sa.select(t.Payment).order_by(t.Payment.id)).scalars())


def session_of(fake: FakeStripe, url: str) -> dict:
    return fake.sessions[url.rsplit('/', 1)[-1]]


def test_checkout_is_made_through_the_sdk_with_the_appointment_and_a_deterministic_key(db, fake) -> None:
    ids = seed(db)
    url = checkout(db, ids)
    session = session_of(fake, url)
    assert url.startswith(fake.url + '/pay/cs_test_')
    assert session['amount_total'] == 4500 and session['currency'] == 'eur'
    assert session['metadata']['appointment_id'] == str(ids['appt'])
    assert session['success_url'] == SUCCESS and session['cancel_url'] == CANCEL
    assert session['customer_email'] == 'ada@example.com'
    sent = [headers for method, path, headers in fake.requests if path == '/v1/checkout/sessions']
    expected_key = dp.idempotency_key(tenant_id=ids['tenant'], kind='appointment', target_id=ids['appt'],
                                      amount=4500, paid=0, settled=0)
    assert sent[0]['Idempotency-Key'] == expected_key
    assert sent[0]['Authorization'] == 'Bearer sk_test_kairos'
    # A second click (or a second tab) gets the same session and the same pending payment: nothing is doubled.
    assert checkout(db, ids) == url
    assert len(fake.sessions) == 1
    rows = payment_rows(db)
    assert [(r.state, r.amount, r.idempotency_key, r.provider_ref) for r in rows] == [
        ('pending', 4500, expected_key, session['id'])]
    # Coming back from Stripe proves nothing: the balance has not moved.
    assert appointment(db, ids).amount_paid == 0


def test_a_signed_completed_event_credits_the_balance_once_and_records_history(db, fake) -> None:
    ids = seed(db)
    url = checkout(db, ids)
    event = fake.complete(session_of(fake, url)['id'])
    assert fake.deliveries[-1].status == 200
    appt = appointment(db, ids)
    assert appt.amount_paid == 4500 and appt.amount_due == 0 and appt.payment_status == PaymentStatus.PAID
    assert [h.data for h in appt.history if h.action == 'paid'] == [
        {'amount': 4500, 'currency': 'EUR', 'method': 'card', 'from': 'unpaid', 'to': 'paid'}]
    assert payment_rows(db)[0].state == 'succeeded'
    # Stripe retries, or someone replays the captured request: accepted, and nothing changes the second time.
    assert fake.deliver_event(event) == 200
    assert fake.deliver_event(event) == 200
    appt = appointment(db, ids)
    assert appt.amount_paid == 4500
    assert len([h for h in appt.history if h.action == 'paid']) == 1
    with db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(t.WebhookEvent)).scalar_one() == 1
    # The same session reported again under a new event id does not credit twice either.
    fake.send_event('checkout.session.completed', event['data']['object'])
    assert appointment(db, ids).amount_paid == 4500


@pytest.mark.parametrize('forgery', ['wrong secret', 'body changed after signing', 'no signature'])
def test_a_forged_webhook_gets_400_and_changes_nothing(db, fake, forgery: str) -> None:
    ids = seed(db)
    session = session_of(fake, checkout(db, ids))
    session.update(status='complete', payment_status='paid')
    event = {'id': 'evt_forged', 'object': 'event', 'type': 'checkout.session.completed',
             'created': 0, 'data': {'object': session}}
    if forgery == 'wrong secret':
        status = fake.deliver_event(event, secret='whsec_someone_else')
    elif forgery == 'body changed after signing':
        status = fake.deliver_event(event, tamper=lambda body: body.replace('"paid"', '"paid" ', 1))
    else:
        status = webhook_endpoint(db)(b'{"id": "evt_forged", "type": "checkout.session.completed"}', '')
    assert status == 400
    assert appointment(db, ids).amount_paid == 0
    assert [r.state for r in payment_rows(db)] == ['pending']
    with db.read() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(t.WebhookEvent)).scalar_one() == 0


def test_the_credit_and_its_confirmation_email_commit_together_once(db, fake) -> None:
    from storage import outbox

    def queued() -> list[tuple[str, str, str]]:
        with db.read() as s:
            return [(r.template, r.recipient, r.status) for r in outbox.emails(s, limit=100)]

    ids = seed(db)
    url = checkout(db, ids)
    event = fake.complete(session_of(fake, url)['id'])
    # written by the webhook's crediting transaction, before anything was sent
    assert queued() == [('payment_received', 'ada@example.com', 'queued')]
    assert fake.deliver_event(event) == 200  # a replay credits nothing and promises nothing more
    assert queued() == [('payment_received', 'ada@example.com', 'queued')]


def test_an_amount_that_does_not_match_is_recorded_and_flagged_not_credited(db, fake) -> None:
    ids = seed(db)
    session_id = session_of(fake, checkout(db, ids))['id']
    fake.complete(session_id, amount_total=450)
    assert fake.deliveries[-1].status == 200
    appt = appointment(db, ids)
    assert appt.amount_paid == 0 and appt.payment_status == PaymentStatus.UNPAID
    row = payment_rows(db)[0]
    assert row.state == 'flagged'
    assert '4.50 EUR' in note_of(row) and '45.00 EUR' in note_of(row)
    assert [(h.action, h.data['cause']) for h in appt.history if h.action.startswith('pay')] == [
        ('payment_held', 'amount_mismatch')]


def test_a_matching_amount_in_another_currency_is_flagged_too(db, fake) -> None:
    ids = seed(db)
    fake.complete(session_of(fake, checkout(db, ids))['id'], currency='usd')
    assert appointment(db, ids).amount_paid == 0
    assert payment_rows(db)[0].state == 'flagged'


def test_a_delayed_method_credits_only_when_it_succeeds(db, fake) -> None:
    ids = seed(db)
    session_id = session_of(fake, checkout(db, ids))['id']
    fake.complete(session_id, async_payment=True)
    assert appointment(db, ids).amount_paid == 0
    assert payment_rows(db)[0].state == 'pending'
    fake.settle_async(session_id, succeeded=True)
    assert appointment(db, ids).amount_paid == 4500
    assert payment_rows(db)[0].state == 'succeeded'


def test_a_failed_delayed_payment_credits_nothing_and_the_next_attempt_gets_a_new_checkout(db, fake) -> None:
    ids = seed(db)
    first = checkout(db, ids)
    session_id = session_of(fake, first)['id']
    fake.complete(session_id, async_payment=True)
    fake.settle_async(session_id, succeeded=False)
    appt = appointment(db, ids)
    assert appt.amount_paid == 0
    assert payment_rows(db)[0].state == 'failed'
    assert [(h.action, h.data) for h in appt.history if h.action.startswith('pay')] == [
        ('payment_failed', {'amount': 4500, 'currency': 'EUR', 'method': 'card'})]
    second = checkout(db, ids)
    assert second != first
    assert [r.state for r in payment_rows(db)] == ['failed', 'pending']


def test_a_checkout_left_to_expire_is_closed_and_the_next_attempt_gets_a_new_one(db, fake) -> None:
    ids = seed(db)
    first = checkout(db, ids)
    fake.expire(session_of(fake, first)['id'])
    rows = payment_rows(db)
    assert [(r.state, note_of(r)) for r in rows] == [('failed', 'The checkout expired before it was paid.')]
    appt = appointment(db, ids)
    assert appt.amount_paid == 0 and [h for h in appt.history if h.action.startswith('pay')] == []  # nothing happened
    second = checkout(db, ids)
    assert second != first and session_of(fake, second)['status'] == 'open'
    assert [r.state for r in payment_rows(db)] == ['failed', 'pending']


def test_an_expired_checkout_whose_event_never_came_is_replaced_on_the_next_click(db, fake) -> None:
    ids = seed(db)
    first = checkout(db, ids)
    assert checkout(db, ids) == first  # a second click while it is open: the same checkout
    fake.expire(session_of(fake, first)['id'], notify=False)
    second = checkout(db, ids)
    assert second != first and session_of(fake, second)['status'] == 'open'
    assert [(r.state, note_of(r)) for r in payment_rows(db)] == [
        ('failed', 'The checkout expired before it was paid.'), ('pending', '')]


def test_the_receipt_is_dated_when_the_money_arrived_not_when_the_checkout_opened(db, fake) -> None:
    ids = seed(db)
    url = checkout(db, ids)  # at NOW
    fake.deliver = webhook_endpoint(db, now=NOW + timedelta(hours=3, minutes=20))  # paid later, e.g. by bank
    fake.complete(session_of(fake, url)['id'])
    [paid] = payment_rows(db)
    receipt = receipts.receipt(db, tenant_id=ids['tenant'], customer_id=ids['ada'], payment_id=paid.id)
    assert receipt.paid_at == NOW + timedelta(hours=3, minutes=20)
    assert '23 November 2026, 13:20 (Europe/Berlin)' in receipts.receipt_html(receipt)


def test_a_deposit_goes_through_the_same_path_and_leaves_the_rest_due(db, fake) -> None:
    ids = seed(db)
    url = checkout(db, ids, amount=1000)
    assert session_of(fake, url)['amount_total'] == 1000
    fake.complete(session_of(fake, url)['id'])
    appt = appointment(db, ids)
    assert appt.payment_status == PaymentStatus.DEPOSIT_PAID and appt.amount_due == 3500
    options = payments.payment_options(db, tenant_id=ids['tenant'], customer_id=ids['ada'],
                                       appointment_id=ids['appt'])
    assert options.amount_due == 3500 and options.currency == 'EUR'
    assert [m.key for m in options.methods] == ['card', 'offline']
    rest = checkout(db, ids)
    assert session_of(fake, rest)['amount_total'] == 3500
    fake.complete(session_of(fake, rest)['id'])
    assert appointment(db, ids).payment_status == PaymentStatus.PAID


def test_refusals_say_why_and_open_no_checkout(db, fake) -> None:
    ids = seed(db)
    with pytest.raises(payments.PaymentRefused) as refused:
        checkout(db, ids, customer=ids['bob'])
    assert str(refused.value.message) == 'That appointment was not found.'
    with pytest.raises(payments.PaymentRefused) as refused:
        checkout(db, ids, amount=9999)
    assert str(refused.value.message) == 'That is more than what is due for this appointment.'
    fake.complete(session_of(fake, checkout(db, ids))['id'])
    with pytest.raises(payments.PaymentRefused) as refused:
        checkout(db, ids)
    assert str(refused.value.message) == 'Nothing is due for this appointment.'
    assert len(fake.sessions) == 1


def test_hide_pay_now_refuses_the_balance_on_the_server_but_not_a_booking_deposit(db, fake) -> None:
    ids = seed(db, settings=PanelSettings(hide_pay_now=True))
    with pytest.raises(payments.PaymentRefused, match='front desk'):
        checkout(db, ids)
    assert session_of(fake, checkout(db, ids, amount=1000))['amount_total'] == 1000


def test_a_canceled_appointment_is_not_paid(db, fake) -> None:
    ids = seed(db, status='canceled')
    with pytest.raises(payments.PaymentRefused, match='canceled'):
        checkout(db, ids)
    assert fake.sessions == {}


def test_an_unpaid_package_is_paid_through_the_same_checkout(db, fake) -> None:
    ids = seed(db)
    url = checkout(db, ids, package=True)
    session = session_of(fake, url)
    assert session['amount_total'] == 20000
    assert session['metadata']['customer_package_id'] == str(ids['cp'])
    fake.complete(session['id'])
    with db.read() as s:
        cp = package_db.customer_package(s, tenant_id=ids['tenant'], customer_id=ids['ada'],
                                         customer_package_id=ids['cp'])
    assert cp is not None and cp.paid and cp.amount_paid == 20000
    with pytest.raises(payments.PaymentRefused, match='already paid'):
        checkout(db, ids, package=True)


def test_card_payment_is_refused_plainly_when_stripe_is_not_set_up(db, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = seed(db)
    monkeypatch.delenv('KAIROS_STRIPE_SECRET_KEY', raising=False)
    reset_config()
    try:
        with pytest.raises(payments.PaymentRefused) as refused:
            checkout(db, ids)
        assert str(refused.value.message) == 'Card payment is not set up for this business. Please pay in person.'
        options = payments.payment_options(db, tenant_id=ids['tenant'], customer_id=ids['ada'],
                                           appointment_id=ids['appt'])
        assert [m.key for m in options.methods] == ['offline']
        assert 'front desk' in str(options.methods[0].instructions)  # Kairos's default words, translated when shown
    finally:
        reset_config()


def test_a_checkout_paid_after_the_balance_was_paid_in_person_is_flagged_not_credited(db, fake) -> None:
    ids = seed(db)
    url = checkout(db, ids)  # the customer opens a checkout and leaves the tab open...
    payments.record_offline_payment(db, tenant_id=ids['tenant'], appointment_id=ids['appt'], amount=4500,
                                    method='cash', now=NOW)  # ...pays at the desk...
    fake.complete(session_of(fake, url)['id'])  # ...and later pays the old checkout too
    appt = appointment(db, ids)
    assert appt.amount_paid == 4500 and appt.payment_status == PaymentStatus.PAID  # not 9000
    card = payment_rows(db)[0]
    assert (card.method, card.state) == ('card', 'flagged') and 'to be refunded' in note_of(card)
    assert [h.action for h in appt.history if h.action.startswith('pay')][-1] == 'payment_held'


def test_an_offline_payment_recorded_by_the_business_is_credited_at_once(db) -> None:
    ids = seed(db)
    payments.record_offline_payment(db, tenant_id=ids['tenant'], appointment_id=ids['appt'], amount=4500,
                                    method='cash', now=NOW)
    appt = appointment(db, ids)
    assert appt.payment_status == PaymentStatus.PAID
    assert [h.data for h in appt.history if h.action == 'paid'] == [
        {'amount': 4500, 'currency': 'EUR', 'method': 'cash', 'from': 'unpaid', 'to': 'paid'}]


# ---- money stays consistent under concurrency, cancellations and closed accounts ------------------------------


@contextmanager
def credits_meet_in_the_middle(db, parties: int = 2, wait: float = 2.0) -> Iterator[None]:
    """Hold each webhook's transaction just before it adds money, until the other one gets there too (or `wait`
    runs out): without a lock on the appointment both have already read what is still due, the worst interleaving.
    With the lock the second one waits on the row instead, and the first goes on when the wait runs out."""
    barrier = threading.Barrier(parties, timeout=wait)

    def before(conn, cursor, statement: str, *args) -> None:
        if statement.lstrip().upper().startswith('UPDATE APPOINTMENT SET AMOUNT_PAID') or \
                statement.lstrip().upper().startswith('UPDATE CUSTOMER_PACKAGE SET AMOUNT_PAID'):
            with suppress(threading.BrokenBarrierError):
                barrier.wait()

    sa.event.listen(db.engine, 'before_cursor_execute', before)
    try:
        yield
    finally:
        sa.event.remove(db.engine, 'before_cursor_execute', before)


def test_two_checkouts_of_one_appointment_paid_at_once_never_credit_more_than_its_price(db, fake) -> None:
    ids = seed(db)
    full = session_of(fake, checkout(db, ids))['id']  # one tab pays the whole 45.00 ...
    deposit = session_of(fake, checkout(db, ids, amount=1000))['id']  # ... another only the 10.00 deposit
    assert full != deposit and len(payment_rows(db)) == 2
    with credits_meet_in_the_middle(db):
        threads = [threading.Thread(target=fake.complete, args=(sid,)) for sid in (full, deposit)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert all(d.status == 200 for d in fake.deliveries)
    assert appointment(db, ids).amount_paid in (4500, 1000)  # one of them, never 55.00 for a 45.00 appointment
    assert sorted(r.state for r in payment_rows(db)) == ['flagged', 'succeeded']


def test_two_checkouts_of_one_package_paid_at_once_never_credit_more_than_its_price(db, fake) -> None:
    ids = seed(db)
    first = session_of(fake, checkout(db, ids, package=True))['id']
    with db.write() as s:  # a second pending checkout for the same package (say, opened before a price change)
        payment_db.add_payment(s, tenant_id=ids['tenant'], amount=20000, currency='eur', method=dp.CARD,
                               state='pending',
                               created_at=NOW, customer_package_id=ids['cp'], idempotency_key='second-tab')
    second_id = payment_rows(db)[-1].id
    second = fake.sessions[first] | {'id': 'cs_test_second', 'client_reference_id': str(second_id),
                                     'metadata': {'payment_id': str(second_id)}}
    fake.sessions['cs_test_second'] = second
    with credits_meet_in_the_middle(db):
        threads = [threading.Thread(target=fake.complete, args=(sid,)) for sid in (first, 'cs_test_second')]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    with db.read() as s:
        paid = s.get(t.CustomerPackage, ids['cp']).amount_paid
    assert paid == 20000
    assert sorted(r.state for r in payment_rows(db)) == ['flagged', 'succeeded']


def test_a_payment_for_an_appointment_canceled_meanwhile_is_flagged_not_credited(db, fake) -> None:
    ids = seed(db)
    session = session_of(fake, checkout(db, ids))['id']
    with db.write() as s:  # the business cancels the visit while the customer is still on Stripe's page
        s.execute(sa.update(t.Appointment).where(t.Appointment.id == ids['appt']).values(status_key='canceled'))
    fake.complete(session)
    assert appointment(db, ids).amount_paid == 0
    [row] = payment_rows(db)
    assert row.state == 'flagged' and 'after the appointment was canceled' in note_of(row)
    assert (appointment(db, ids).history[-1].action, appointment(db, ids).history[-1].data['cause']) == (
        'payment_held', 'appointment_canceled')


def test_a_payment_for_a_closed_account_is_flagged_not_credited(db, fake) -> None:
    ids = seed(db)
    session = session_of(fake, checkout(db, ids, package=True))['id']
    with db.write() as s:  # closed without going through the panel (so its checkout was not expired)
        s.execute(sa.update(t.Customer).where(t.Customer.id == ids['ada']).values(deleted_at=NOW))
    fake.complete(session)
    with db.read() as s:
        assert s.get(t.CustomerPackage, ids['cp']).amount_paid == 0
    [row] = payment_rows(db)
    assert row.state == 'flagged' and 'after the account was closed' in note_of(row)


def test_closing_an_account_expires_its_open_checkouts_through_stripe(db, fake, private_outbox) -> None:
    ids = seed(db, settings=PanelSettings(allow_account_deletion=True))
    appt_session = session_of(fake, checkout(db, ids))['id']
    package_session = session_of(fake, checkout(db, ids, package=True))['id']
    accounts.delete_account(db, tenant_id=ids['tenant'], customer_id=ids['ada'], confirmation='DELETE', now=NOW)
    assert sorted(fake.expired_by_api) == sorted([appt_session, package_session])
    expire_calls = [path for method, path, _ in fake.requests if path.endswith('/expire')]
    assert sorted(expire_calls) == sorted(f'/v1/checkout/sessions/{sid}/expire'
                                          for sid in (appt_session, package_session))
    assert {fake.sessions[sid]['status'] for sid in (appt_session, package_session)} == {'expired'}
    assert [r.state for r in payment_rows(db)] == ['failed', 'failed']
    # The hosted page no longer takes money, and nothing was credited.
    assert appointment_paid(db, ids) == 0


def appointment_paid(db, ids: dict[str, int]) -> int:
    with db.read() as s:
        return s.get(t.Appointment, ids['appt']).amount_paid

"""The desk's money against a real database and the Stripe-compatible test server: the queue of flagged payments,
refunding one through Stripe or accepting it as credit, refunding a credited card payment, and that one business
never reaches another's payments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain import model as d
from domain.rules import NotAllowed
from services import desk, desk_money, payments
from services.config import reset_config
from tests.integration.test_payments import NOW, SECRET, checkout, seed, session_of, webhook_endpoint
from tests.support.fake_stripe import FakeStripe
from tests.support.seed import add_admin, seed_world

pytestmark = pytest.mark.usefixtures('private_outbox')


@pytest.fixture
def fake(db, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    monkeypatch.setenv('KAIROS_STRIPE_SECRET_KEY', 'sk_test_kairos')
    monkeypatch.setenv('KAIROS_STRIPE_WEBHOOK_SECRET', SECRET)
    with FakeStripe(webhook_secret=SECRET, deliver=webhook_endpoint(db)) as server:
        monkeypatch.setenv('KAIROS_STRIPE_API_BASE', server.url)
        reset_config()
        yield server
    reset_config()


def admin_of(db, tenant_id: int, email: str = 'owner@example.com') -> int:
    from domain.admins import AdminRole
    from storage import admins as admin_db
    with db.write() as s:
        return admin_db.create_admin(s, tenant_id=tenant_id, email=email, name='Owner', role=AdminRole.OWNER,
                                     password_hash='x')


def paid_twice(db, fake: FakeStripe) -> tuple[dict[str, int], int]:
    """Ada opens a card checkout for the balance, pays in person meanwhile, then completes the checkout: the card
    payment arrives after the balance was paid and is flagged."""
    ids = seed(db)
    admin = admin_of(db, ids['tenant'])
    url = checkout(db, ids)
    payments.record_offline_payment(db, tenant_id=ids['tenant'], amount=4500, appointment_id=ids['appt'], now=NOW)
    fake.complete(session_of(fake, url)['id'])
    return ids, admin


def flagged(db, ids, admin) -> list:
    return desk_money.flagged_payments(db, tenant_id=ids['tenant'], admin_id=admin)


def test_a_card_payment_after_the_balance_was_paid_is_queued_and_refunded_through_stripe(db, fake) -> None:
    ids, admin = paid_twice(db, fake)
    queue = flagged(db, ids, admin)
    assert [(f.amount, f.method, f.customer_email, f.appointment_id) for f in queue] == [
        (4500, 'card', 'ada@example.com', ids['appt'])]
    desk_money.refund(db, tenant_id=ids['tenant'], admin_id=admin, payment_id=queue[0].payment_id, now=NOW)
    assert [(r['amount'], r['status']) for r in fake.refunds.values()] == [(4500, 'succeeded')]
    assert flagged(db, ids, admin) == []
    opened = desk.detail(db, tenant_id=ids['tenant'], admin_id=admin, appointment_id=ids['appt'])
    assert opened.appointment.amount_paid == 4500, 'the refunded money had never been credited'
    last = opened.appointment.history[-1]
    assert (last.action, last.actor, last.data['amount']) == ('refunded', 'staff', 4500)
    assert [p.state for p in opened.payments if p.method == 'card'] == [d.PaymentState.REFUNDED]
    # A second click refunds nothing more.
    with pytest.raises(NotAllowed):
        desk_money.refund(db, tenant_id=ids['tenant'], admin_id=admin, payment_id=queue[0].payment_id, now=NOW)
    assert len(fake.refunds) == 1


def test_a_flagged_payment_accepted_as_credit_is_credited_by_the_staff(db, fake) -> None:
    ids, admin = paid_twice(db, fake)
    queue = flagged(db, ids, admin)
    desk_money.accept(db, tenant_id=ids['tenant'], admin_id=admin, payment_id=queue[0].payment_id, now=NOW)
    assert flagged(db, ids, admin) == [] and fake.refunds == {}
    opened = desk.detail(db, tenant_id=ids['tenant'], admin_id=admin, appointment_id=ids['appt'])
    assert opened.appointment.amount_paid == 9000
    assert (opened.appointment.history[-1].action, opened.appointment.history[-1].actor) == ('paid', 'staff')


def test_a_credited_card_payment_refunded_is_taken_back_from_the_appointment(db, fake) -> None:
    ids = seed(db)
    admin = admin_of(db, ids['tenant'])
    url = checkout(db, ids)
    fake.complete(session_of(fake, url)['id'])
    opened = desk.detail(db, tenant_id=ids['tenant'], admin_id=admin, appointment_id=ids['appt'])
    card = next(p for p in opened.payments if p.method == 'card')
    paid = opened.appointment.amount_paid
    assert paid > 0
    desk_money.refund(db, tenant_id=ids['tenant'], admin_id=admin, payment_id=card.id, now=NOW)
    after = desk.detail(db, tenant_id=ids['tenant'], admin_id=admin, appointment_id=ids['appt'])
    assert after.appointment.amount_paid == paid - card.amount
    assert after.appointment.history[-1].data['to'] == 'unpaid'


def test_cash_is_not_refunded_through_stripe_and_another_business_cannot_touch_the_queue(db, fake) -> None:
    ids, admin = paid_twice(db, fake)
    opened = desk.detail(db, tenant_id=ids['tenant'], admin_id=admin, appointment_id=ids['appt'])
    cash = next(p for p in opened.payments if p.method != 'card')
    with pytest.raises(NotAllowed):
        desk_money.refund(db, tenant_id=ids['tenant'], admin_id=admin, payment_id=cash.id, now=NOW)
    other = seed_world(db, now=NOW, slug='clinic')
    theirs = add_admin(db, other, email='boss@clinic.example')
    assert desk_money.flagged_payments(db, tenant_id=other.tenant_id, admin_id=theirs) == []
    # The overview's count of payments to review: this business's one, none of it for the other
    assert desk.today(db, tenant_id=ids['tenant'], admin_id=admin, now=NOW).flagged_payments == 1
    assert desk.today(db, tenant_id=other.tenant_id, admin_id=theirs, now=NOW).flagged_payments == 0
    card = flagged(db, ids, admin)[0].payment_id
    for act in (desk_money.refund, desk_money.accept):
        with pytest.raises(NotAllowed):
            act(db, tenant_id=other.tenant_id, admin_id=theirs, payment_id=card, now=NOW)
    assert len(flagged(db, ids, admin)) == 1 and fake.refunds == {}

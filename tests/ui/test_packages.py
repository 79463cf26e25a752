"""The Packages view, the Pay drawer and receipts, as a customer sees and uses them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from nicegui.testing import User

from domain.model import PaymentState
from domain.settings import PanelDesigner, PanelSettings
from services import formatting as fmt
from services import payments, receipts
from services.config import reset_config
from storage import appointments as appointment_db
from storage import packages as package_db
from storage import payments as payment_db
from storage import tables as t
from tests.support.fake_stripe import FakeStripe
from tests.support.seed import World, add_appointment, at, seed_world
from tests.ui.conftest import appointments_shown, card_field, go_to, sections, signed_in
from ui.components.appointments_view import AppointmentsView

SECRET = 'whsec_ui_tests'


def add_package(db, world: World, *, sessions: int = 3, used: int = 1, paid: bool = False,
                bought_days_ago: int = 10, validity_days: int = 90, name: str = 'Three cuts') -> int:
    now = datetime.now(UTC)
    with db.write() as s:
        package = package_db.create_package(s, tenant_id=world.tenant_id, name=name, sessions=sessions, price=12000,
                                            validity_days=validity_days, service_ids=[world.services['cut']])
        cp = package_db.create_customer_package(s, tenant_id=world.tenant_id, customer_id=world.ada, package_id=package,
                                                purchased_at=now - timedelta(days=bought_days_ago),
                                                validity_days=validity_days, amount_paid=12000 if paid else 0)
        for i in range(used):
            appointment_db.create_appointment(s, tenant_id=world.tenant_id, customer_id=world.ada,
                                              service_id=world.services['cut'], staff_id=world.staff['mia'],
                                              start=at(now, -3 - i), duration=timedelta(minutes=45), price=0,
                                              customer_package_id=cp)
    return cp


@pytest.fixture
def fake_stripe(db, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    def deliver(body: bytes, signature: str) -> int:
        try:
            payments.handle_webhook(db, payload=body, signature=signature, now=datetime.now(UTC))
        except payments.WebhookRejected:
            return 400
        return 200

    with FakeStripe(webhook_secret=SECRET, deliver=deliver) as server:
        monkeypatch.setenv('KAIROS_STRIPE_SECRET_KEY', 'sk_test_ui')
        monkeypatch.setenv('KAIROS_STRIPE_WEBHOOK_SECRET', SECRET)
        monkeypatch.setenv('KAIROS_STRIPE_API_BASE', server.url)
        reset_config()
        yield server
    reset_config()


async def open_packages(user: User) -> None:
    await signed_in(user)
    assert 'Packages' in sections(user)
    go_to(user, '/packages')
    await user.should_see(marker='package-list')


async def test_a_package_card_shows_sessions_used_payment_and_expiry_and_books_from_it(user: User, db) -> None:
    world = seed_world(db)
    cp = add_package(db, world, used=1)
    await open_packages(user)
    await user.should_see('Three cuts')
    await user.should_see('1 of 3 sessions used · 2 left')
    await user.should_see('Unpaid')
    await user.should_see('Valid until')
    progress = user.find(marker='package-progress').elements.pop()
    assert progress.props['aria-label'] == 'Sessions used: 1 of 3'
    assert progress.props['value'] == pytest.approx(1 / 3)
    schedule = user.find(marker='package-schedule').elements.pop()
    assert schedule.props['href'] == f'/book?package={cp}'
    user.find(marker='package-pay')  # unpaid: it can be paid


async def test_a_used_up_or_expired_package_offers_no_session_and_says_why(user: User, db) -> None:
    world = seed_world(db)
    add_package(db, world, sessions=2, used=2, paid=True, name='Two cuts')
    add_package(db, world, used=0, paid=True, bought_days_ago=40, validity_days=30, name='Old cuts')
    await open_packages(user)
    await user.should_see('All sessions of this package are used.')
    await user.should_see('This package has expired.')
    await user.should_see('Paid')
    await user.should_not_see(marker='package-schedule')
    await user.should_not_see(marker='package-pay')


async def test_the_packages_view_is_absent_where_no_packages_are_sold_or_the_designer_hides_it(user: User,
                                                                                               db) -> None:
    seed_world(db)
    await signed_in(user)
    assert 'Packages' not in sections(user)


async def test_the_designer_can_hide_packages(user: User, db) -> None:
    world = seed_world(db, settings=PanelSettings(designer=PanelDesigner(show_packages=False)))
    add_package(db, world)
    await signed_in(user)
    assert sections(user) == ['Appointments', 'Profile', 'Security']


async def test_the_pay_drawer_shows_the_amount_due_and_in_person_instructions_without_stripe(user: User,
                                                                                            db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, settings=PanelSettings(offline_payment_instructions='Pay at reception, cash or card.'))
    appt = add_appointment(db, world, start=at(now, 5), service='colour', price=12000, deposit=3000, paid=3000)
    await signed_in(user)
    await appointments_shown(user, 1)
    user.find(AppointmentsView).trigger('action', {'kind': 'pay', 'id': appt})
    await user.should_see(marker='pay-drawer')
    await user.should_see('Amount due')
    await user.should_see('€90.00')
    await user.should_see('Pay at reception, cash or card.')
    await user.should_not_see(marker='pay-card')


async def test_paying_by_card_opens_a_checkout_and_the_card_turns_paid_when_stripe_confirms(
        user: User, db, fake_stripe: FakeStripe) -> None:
    now = datetime.now(UTC)
    world = seed_world(db)
    appt = add_appointment(db, world, start=at(now, 5), price=4500)
    await signed_in(user)
    await card_field(user, appt, 'payment_label', 'Unpaid, €45.00 due')
    user.find(AppointmentsView).trigger('action', {'kind': 'pay', 'id': appt})
    await user.should_see(marker='pay-drawer')
    await user.should_see('Card (secure Stripe checkout)')
    user.find(marker='pay-card').click()
    for _ in range(100):
        if fake_stripe.sessions:
            break
        await asyncio.sleep(0.05)
    [session] = fake_stripe.sessions.values()
    for _ in range(100):  # the browser is sent to Stripe's hosted page
        if any(path.startswith(session['url']) for path in user.back_history):
            break
        await asyncio.sleep(0.05)
    assert any(path.startswith(session['url']) for path in user.back_history)
    assert session['amount_total'] == 4500 and session['success_url'].endswith(f'/?paid={appt}')
    await user.open(f'/?paid={appt}')  # Stripe sends the browser back to the panel
    await user.should_see('Payment received — your balance updates as soon as Stripe confirms it.')
    await card_field(user, appt, 'payment_label', 'Unpaid, €45.00 due')  # coming back proves nothing
    await asyncio.to_thread(fake_stripe.complete, session['id'])
    await card_field(user, appt, 'payment_label', 'Paid')


async def test_coming_back_from_stripe_shows_a_notice(user: User, db) -> None:
    seed_world(db)
    await signed_in(user)
    await user.open('/?paid=1')
    await user.should_see('Payment received — your balance updates as soon as Stripe confirms it.')
    await user.open('/?canceled=1')
    await user.should_see('Payment canceled — nothing was charged. You can pay whenever you like.')


async def test_the_details_drawer_offers_a_receipt_for_each_payment_received(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db)
    appt = add_appointment(db, world, start=at(now, 5), price=4500)
    payment_id = payments.record_offline_payment(db, tenant_id=world.tenant_id, appointment_id=appt, amount=4500,
                                                 method='cash', now=now)
    await signed_in(user)
    await appointments_shown(user, 1)
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': appt})
    await user.should_see('Receipts')
    link = user.find(marker='receipt-download').elements.pop()
    assert link.props['href'] == f'/receipts/{payment_id}'
    assert link.props['aria-label'].startswith('Download receipt for €45.00')


async def test_the_details_list_names_the_receipts_own_day_and_file(user: User, db) -> None:
    """A card checkout opened one day and paid the next, for a customer in Tokyo of a studio in Berlin: the list
    shows the day the receipt is dated (when the money arrived, in the customer's zone) and downloads it under the
    receipt's own file name."""
    now = datetime.now(UTC)
    world = seed_world(db)
    appt = add_appointment(db, world, start=at(now, 5), price=4500)
    opened = (now - timedelta(days=3)).replace(hour=14, minute=0, second=0, microsecond=0)  # 23:00 in Tokyo
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(timezone='Asia/Tokyo'))
        payment_id = payment_db.add_payment(s, tenant_id=world.tenant_id, amount=4500, currency='eur',
                                            method='card', state='pending', created_at=opened, appointment_id=appt)
        payment_db.settle_payment(s, payment_id=payment_id, state=PaymentState.SUCCEEDED,
                                  at=opened + timedelta(hours=12))
    receipt = receipts.receipt(db, tenant_id=world.tenant_id, customer_id=world.ada, payment_id=payment_id)
    assert receipt.timezone == 'Asia/Tokyo'
    paid_day = fmt.date(receipt.paid_at, ZoneInfo('Asia/Tokyo'))
    assert paid_day != fmt.date(opened, ZoneInfo('Asia/Tokyo'))  # the day the checkout opened is not it
    await signed_in(user)
    await appointments_shown(user, 1)
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': appt})
    await user.should_see('Receipts')
    link = user.find(marker='receipt-download').elements.pop()
    assert link.props['download'] == receipt.filename == f'receipt-{world.tenant_id}-{payment_id:06d}.html'
    assert link.props['aria-label'] == f'Download receipt for €45.00 paid {paid_day}'
    assert fmt.long_date(receipt.paid_at, ZoneInfo('Asia/Tokyo')) in receipts.receipt_html(receipt)


async def test_the_webhook_route_needs_no_session_but_a_valid_signature(user: User, db,
                                                                        fake_stripe: FakeStripe) -> None:
    import stripe

    body = '{"id": "evt_route", "object": "event", "type": "checkout.session.completed", "data": {"object": {}}}'
    good = stripe.WebhookSignature.generate_signature_header(body, SECRET)
    forged = stripe.WebhookSignature.generate_signature_header(body, 'whsec_someone_else')
    client = user.http_client
    refused = await client.post('/webhooks/stripe', content=body, headers={'Stripe-Signature': forged})
    assert refused.status_code == 400
    missing = await client.post('/webhooks/stripe', content=body)
    assert missing.status_code == 400
    accepted = await client.post('/webhooks/stripe', content=body, headers={'Stripe-Signature': good})
    assert accepted.status_code == 200  # outside the sign-in gate: no redirect to /login
    assert accepted.json()['outcome'] == 'unknown'  # it names no payment of ours: recorded, nothing credited


async def test_a_receipt_downloads_only_for_its_own_customer(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db)
    appt = add_appointment(db, world, start=at(now, 5), price=4500)
    bobs = add_appointment(db, world, customer=world.bob, start=at(now, 6), staff='leo')
    mine = payments.record_offline_payment(db, tenant_id=world.tenant_id, appointment_id=appt, amount=4500, now=now)
    his = payments.record_offline_payment(db, tenant_id=world.tenant_id, appointment_id=bobs, amount=4500, now=now)
    anonymous = await user.http_client.get(f'/receipts/{mine}', follow_redirects=False)
    assert anonymous.status_code in (302, 303, 307) and '/login' in anonymous.headers['location']
    await signed_in(user)
    got = await user.http_client.get(f'/receipts/{mine}')
    assert got.status_code == 200
    assert got.headers['content-disposition'].startswith('attachment; filename="receipt-')
    assert '45.00 EUR' in got.text and 'Ada Lovelace' in got.text
    assert (await user.http_client.get(f'/receipts/{his}')).status_code == 404

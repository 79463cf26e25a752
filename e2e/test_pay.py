"""A customer pays a balance end to end: Pay drawer, Stripe's hosted checkout (our loopback stand-in), the signed
webhook, back in the panel where the card now says Paid, and a receipt to download."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from e2e.conftest import Server, sign_in
from services import auth
from storage import appointments as appointment_db
from storage import customers as customer_db
from storage import tables as t
from storage import tenants as tenant_db
from storage.db import Database
from tests.support.fake_stripe import FakeStripe

PASSWORD = 'pay-the-balance-2026'


def a_customer_with_a_balance(server: Server) -> tuple[str, int]:
    """A fresh customer of the demo studio with one upcoming, unpaid appointment (so no other journey is touched)."""
    db = Database(server.env['KAIROS_DATABASE_URL'])
    email = f'payer-{uuid.uuid4().hex[:8]}@example.com'
    now = datetime.now(UTC)
    with db.write() as s:
        tenant = tenant_db.tenant_by_slug(s, slug='default')
        assert tenant is not None
        service = s.exec(select(t.Service).where(t.Service.tenant_id == tenant.id, t.Service.price > 0)
                         .order_by(t.Service.id)).first()
        staff = s.exec(select(t.StaffService.staff_id).where(t.StaffService.service_id == service.id)).first()
        customer = customer_db.create_customer(s, tenant_id=tenant.id, email=email, first_name='Pat', last_name='Payer',
                                               password_hash=auth.hash_password(PASSWORD), now=now)
        start = (now + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
        appointment_db.create_appointment(s, tenant_id=tenant.id, customer_id=customer, service_id=service.id,
                                          staff_id=staff,
                                          start=start, duration=timedelta(minutes=service.duration_min),
                                          status_key='approved',
                                          price=service.price, created_at=now)
    return email, service.price


def test_a_customer_pays_the_balance_by_card_and_the_card_turns_paid(page: Page, server: Server,
                                                                      fake_stripe: FakeStripe,
                                                                      artifacts: Path) -> None:
    page.set_viewport_size({'width': 390, 'height': 844})
    email, price = a_customer_with_a_balance(server)
    sign_in(page, server, email=email, password=PASSWORD)
    card = page.get_by_role('article').first
    expect(card).to_contain_text('Unpaid')

    card.get_by_role('button', name='Pay').click()
    drawer = page.get_by_role('dialog')
    expect(drawer.get_by_text('Amount due')).to_be_visible()
    amount = f'€{price / 100:,.2f}'
    expect(drawer.get_by_text(amount, exact=True)).to_be_visible()
    drawer.get_by_role('radio', name='Pay in person').click()
    expect(drawer.get_by_role('note', name='How to pay in person')).to_be_visible()
    drawer.get_by_role('radio', name='Card (secure Stripe checkout)').click()
    page.screenshot(path=artifacts / 'pay-drawer-390x844.png')
    drawer.get_by_role('button', name=f'Pay {amount} by card').click()

    page.wait_for_url(f'{fake_stripe.url}/pay/**')  # Stripe's hosted checkout
    expect(page.get_by_role('heading', name='Test checkout')).to_be_visible()
    expect(page.get_by_text(f'{price / 100:.2f} EUR')).to_be_visible()
    page.get_by_role('button', name='Pay').click()  # Stripe sends the signed webhook, then sends the customer back

    page.wait_for_url(f'{server.url}/?paid=*')
    expect(page.get_by_role('status').filter(has_text='Payment received')).to_be_visible()
    card = page.get_by_role('article').first
    expect(card).to_contain_text('Paid')
    expect(card).not_to_contain_text('Unpaid')
    expect(card.get_by_role('button', name='Pay', exact=True)).to_have_count(0)
    assert [d.status for d in fake_stripe.deliveries][-1] == 200

    card.get_by_role('button', name='Details').click()
    drawer = page.get_by_role('dialog')
    expect(drawer.get_by_text('Receipts')).to_be_visible()
    with page.expect_download() as download:
        drawer.get_by_role('link', name=f'Download receipt for {amount}').click()
    receipt = Path(download.value.path()).read_text()
    assert 'Lumen Studio' in receipt and f'{price / 100:.2f} EUR' in receipt and 'Card (Stripe)' in receipt


def test_a_forged_webhook_is_refused_by_the_running_server(server: Server, fake_stripe: FakeStripe) -> None:
    event = {'id': f'evt_forged_{uuid.uuid4().hex[:6]}', 'object': 'event', 'type': 'checkout.session.completed',
             'data': {'object': {'id': 'cs_test_forged', 'payment_status': 'paid', 'amount_total': 1,
                                 'currency': 'eur', 'metadata': {'payment_id': '1'}}}}
    assert fake_stripe.deliver_event(event, secret='whsec_not_the_real_one') == 400


def test_the_packages_view_on_a_phone(page: Page, server: Server, artifacts: Path) -> None:
    page.set_viewport_size({'width': 390, 'height': 844})
    sign_in(page, server)
    page.get_by_role('tab', name='Packages').click()
    cards = page.get_by_role('article')
    expect(cards.first).to_be_visible()
    progress = page.get_by_role('progressbar').first
    expect(progress).to_have_attribute('aria-label', re.compile(r'Sessions used: \d+ of \d+'))
    expect(page.get_by_role('link', name='Schedule a session').first).to_have_attribute(
        'href', re.compile(r'package=\d+'))
    page.screenshot(path=artifacts / 'packages-390x844.png', full_page=True)

"""Every switch the business sets, in both positions, as a customer sees it: each Panel Designer toggle and each rule
setting on and off; the panel switched off; an unknown host in multi-tenant mode; a payment confirmed by email
through the real webhook route."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from nicegui.testing import User

from domain.settings import PanelDesigner, PanelSettings
from services.config import reset_config
from services.tenants import forget_tenants
from storage import packages as package_db
from tests.support.seed import World, add_appointment, at, seed_world
from tests.ui.conftest import appointments_shown, sections, signed_in
from ui.components.appointments_view import AppointmentsView


def state(user: User) -> dict[str, Any]:
    return user.find(AppointmentsView).elements.pop().state


def next_facts(s: dict[str, Any]) -> dict[str, str]:
    return {f['what']: f['text'] for f in s['dashboard']['next']['facts']}


def add_package(db, world: World, *, paid: bool = False) -> int:
    now = datetime.now(UTC)
    with db.write() as s:
        package = package_db.create_package(s, tenant_id=world.tenant_id, name='Three cuts', sessions=3, price=12000,
                                            validity_days=90, service_ids=[world.services['cut']])
        return package_db.create_customer_package(s, tenant_id=world.tenant_id, customer_id=world.ada,
                                                  package_id=package,
                                                  purchased_at=now - timedelta(days=1), validity_days=90,
                                                  amount_paid=12000 if paid else 0)


async def panel_with(user: User, db, settings: PanelSettings, *, past_tab: bool = False) -> dict[str, Any]:
    """Ada signed in with one upcoming visit (Leo at the park, €45 unpaid) and one past one; the Appointments state."""
    now = datetime.now(UTC)
    world = seed_world(db, now=now, settings=settings)
    add_appointment(db, world, start=at(now, 4), staff='leo', location='park', status='pending')
    add_appointment(db, world, start=at(now, -6), staff='mia', status='approved', paid=4500)
    await signed_in(user)
    await appointments_shown(user, 1, tab='past' if past_tab else None)
    return state(user)


def first_row(s: dict[str, Any]) -> dict[str, Any]:
    return s['rows'][0]


# ---- the Panel Designer: each toggle, on and off --------------------------------------------------------------------

DESIGNER: list[Any] = [
    # (toggle, what the customer sees with it on, with it off)
    pytest.param('show_mini_dashboard', lambda s: s['dashboard'] is not None, True, False, id='mini-dashboard'),
    pytest.param('show_staff', lambda s: first_row(s)['staff'], 'Leo Park', '', id='staff on cards'),
    pytest.param('show_staff', lambda s: next_facts(s).get('Staff'), 'Leo Park', None, id='staff on the next visit'),
    pytest.param('show_staff', lambda s: 'with Leo Park' in first_row(s)['label'], True, False,
                 id="staff in the card's name"),
    pytest.param('show_staff_avatar', lambda s: first_row(s)['staff_avatar'] is not None, True, False,
                 id='staff avatar'),
    pytest.param('show_location', lambda s: first_row(s)['location'], 'Park Avenue 9', '', id='location on cards'),
    pytest.param('show_location', lambda s: next_facts(s).get('Location'), 'Park Avenue 9', None,
                 id='location on the next visit'),
    pytest.param('show_price', lambda s: first_row(s)['price'], '€45.00', '', id='price'),
    pytest.param('show_payment_status', lambda s: first_row(s)['payment_label'], 'Unpaid, €45.00 due', '',
                 id='payment line'),
    pytest.param('show_status_badge', lambda s: first_row(s)['status_label'], 'Pending', '', id='status badge'),
]


@pytest.mark.parametrize('on', [True, False], ids=['on', 'off'])
@pytest.mark.parametrize(('toggle', 'seen', 'when_on', 'when_off'), DESIGNER)
async def test_a_designer_toggle_shows_or_hides_its_part(user: User, db, toggle: str, seen: Callable,
                                                        when_on: Any, when_off: Any, on: bool) -> None:
    s = await panel_with(user, db, PanelSettings(designer=PanelDesigner(**{toggle: on})))
    assert seen(s) == (when_on if on else when_off)


@pytest.mark.parametrize('on', [True, False], ids=['on', 'off'])
async def test_the_rebook_toggle(user: User, db, on: bool) -> None:
    s = await panel_with(user, db, PanelSettings(designer=PanelDesigner(show_rebook=on)), past_tab=True)
    assert first_row(s)['rebook_url'].startswith('/book?service=') is on


@pytest.mark.parametrize(('show_price', 'show_payment'), [(True, False), (False, True)])
async def test_price_and_payment_line_are_separate_decisions(user: User, db, show_price: bool,
                                                             show_payment: bool) -> None:
    s = await panel_with(user, db, PanelSettings(designer=PanelDesigner(show_price=show_price,
                                                                        show_payment_status=show_payment)))
    assert (first_row(s)['price'], first_row(s)['payment_label']) == (
        '€45.00' if show_price else '', 'Unpaid, €45.00 due' if show_payment else '')


async def test_a_free_appointment_says_free(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4), price=0)
    await signed_in(user)
    await appointments_shown(user, 1)
    assert (first_row(state(user))['price'], first_row(state(user))['payment_label']) == ('Free', '')


async def test_a_booking_link_with_a_query_still_gets_the_service(user: User, db) -> None:
    s = await panel_with(user, db, PanelSettings(booking_url='/book?lang=de'), past_tab=True)
    assert first_row(s)['rebook_url'].startswith('/book?lang=de&service=')


@pytest.mark.parametrize('on', [True, False], ids=['on', 'off'])
async def test_the_photo_upload_toggle(user: User, db, on: bool) -> None:
    seed_world(db, settings=PanelSettings(designer=PanelDesigner(allow_avatar_upload=on)))
    await signed_in(user)
    await user.open('/profile')
    await user.should_see('Your profile', retries=50)
    if on:
        await user.should_see(marker='avatar-pick')
    else:
        await user.should_not_see(marker='avatar-pick')


@pytest.mark.parametrize('on', [True, False], ids=['on', 'off'])
async def test_the_packages_toggle(user: User, db, on: bool) -> None:
    world = seed_world(db, settings=PanelSettings(designer=PanelDesigner(show_packages=on)))
    add_package(db, world)
    await signed_in(user)
    assert ('Packages' in sections(user)) is on


# ---- the rules: each setting, on and off ----------------------------------------------------------------------------

RULES: list[Any] = [
    # (setting, the card's button it governs)
    pytest.param('reschedule_enabled', 'can_reschedule', id='reschedule'),
    pytest.param('status_change_enabled', 'can_status', id='change status'),
]


@pytest.mark.parametrize('on', [True, False], ids=['on', 'off'])
@pytest.mark.parametrize(('setting', 'button'), RULES)
async def test_a_rule_offers_or_withholds_its_action(user: User, db, setting: str, button: str,
                                                    on: bool) -> None:
    s = await panel_with(user, db, PanelSettings(**{setting: on}))
    assert first_row(s)[button] is on


@pytest.mark.parametrize('hidden', [False, True], ids=['Pay shown', 'Pay hidden'])
async def test_hide_pay_now_on_appointment_cards_and_package_cards(user: User, db, hidden: bool) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now, settings=PanelSettings(hide_pay_now=hidden,
                                                           offline_payment_instructions='Pay at reception.'))
    add_appointment(db, world, start=at(now, 4), price=4500)
    add_package(db, world)
    await signed_in(user)
    await appointments_shown(user, 1)
    assert first_row(state(user))['can_pay'] is not hidden
    await user.open('/packages')
    await user.should_see(marker='package-list', retries=50)
    await user.should_see('Three cuts', retries=50)  # the list is there before its cards: they come from a read
    if hidden:
        await user.should_not_see(marker='package-pay')
        await user.should_see('Pay at reception.')
    else:
        await user.should_see(marker='package-pay')


@pytest.mark.parametrize('on', [True, False], ids=['on', 'off'])
async def test_the_account_deletion_setting(user: User, db, on: bool) -> None:
    seed_world(db, settings=PanelSettings(allow_account_deletion=on))
    await signed_in(user)
    await user.open('/profile')
    await user.should_see('Your profile', retries=50)
    if on:
        await user.should_see(marker='danger-zone')
    else:
        await user.should_not_see(marker='danger-zone')


@pytest.mark.parametrize('on', [True, False], ids=['on', 'off'])
async def test_the_sign_up_setting(user: User, db, on: bool) -> None:
    seed_world(db, settings=PanelSettings(allow_signup=on))
    await user.open('/login')
    if on:
        await user.should_see(marker='signup-link')
    else:
        await user.should_not_see(marker='signup-link')
    await user.open('/signup')
    if on:
        await user.should_see('Create account')
    else:
        await user.should_see('Sign-up is closed. Ask the business to create an account for you.')


# ---- the panel switched off ----------------------------------------------------------------------------------------

PANEL_PATHS = ('/', '/packages', '/profile', '/security')


async def test_with_the_panel_off_sign_in_works_and_says_so_and_no_section_loads(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now, settings=PanelSettings(panel_enabled=False))
    add_appointment(db, world, start=at(now, 4))
    add_package(db, world)
    await signed_in_off(user)
    for path in PANEL_PATHS:
        await user.open(path)
        await user.should_see('Lumen Studio has switched the customer panel off for now.')
        await user.should_not_see(marker='panel-chrome')
        await user.should_not_see(marker='appointments')
        await user.should_not_see(marker='profile')


async def signed_in_off(user: User) -> None:
    from tests.ui.conftest import sign_in

    await sign_in(user)
    await user.should_see(marker='panel-off', retries=50)  # signed in: the panel says it is off


async def test_with_the_panel_off_a_plain_get_of_any_panel_page_shows_nothing_of_the_panel(user: User,
                                                                                            db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now, settings=PanelSettings(panel_enabled=False))
    add_appointment(db, world, start=at(now, 4), service='colour', minutes=120, price=12000)
    await signed_in_off(user)
    for path in PANEL_PATHS:
        got = await user.http_client.get(path)
        assert got.status_code == 200, path
        assert 'has switched the customer panel off for now.' in got.text, path
        assert 'Colour &amp; cut' not in got.text and 'Colour & cut' not in got.text, path
        assert 'panel-chrome' not in got.text and 'appointments_view' not in got.text, path


async def test_with_the_panel_on_the_same_get_shows_the_panel(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4), service='colour', minutes=120, price=12000)
    await signed_in(user)
    got = await user.http_client.get('/')
    assert got.status_code == 200
    assert 'has switched the customer panel off' not in got.text
    assert 'appointments_view' in got.text


# ---- several businesses ----------------------------------------------------------------------------------------------

async def test_an_unknown_host_gets_a_404_and_a_known_one_its_business(user: User, db,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    seed_world(db, slug='studio', host='studio.example.com')
    monkeypatch.setenv('KAIROS_MULTI_TENANT', 'true')
    reset_config()
    forget_tenants()
    try:
        for path in ('/login', '/book', '/signup', '/'):
            unknown = await user.http_client.get(path, headers={'host': 'evil.example.com'}, follow_redirects=False)
            assert unknown.status_code in (303, 404), path
            if unknown.status_code == 303:  # the sign-in gate sends to /login first, which is then unknown
                unknown = await user.http_client.get(unknown.headers['location'],
                                                      headers={'host': 'evil.example.com'})
            assert unknown.status_code == 404, path
            assert 'There is no business at this address.' in unknown.text
        known = await user.http_client.get('/login', headers={'host': 'studio.example.com'})
        assert known.status_code == 200 and 'Lumen Studio' in known.text
    finally:
        monkeypatch.delenv('KAIROS_MULTI_TENANT')
        reset_config()
        forget_tenants()


# ---- the payment confirmation, through the real webhook route --------------------------------------------------------

async def test_a_card_payment_confirmed_by_stripe_at_the_webhook_route_emails_the_receipt(
        user: User, db, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stripe's fake posts its signed event to POST /webhooks/stripe over HTTP; the customer gets the confirmation
    with the receipt from a real SMTP server on loopback, once, however often Stripe retries."""
    from services import payments
    from tests.support.fake_stripe import FakeStripe
    from tests.support.smtp import smtp_configured, text_of

    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, 5), price=4500)
    loop = asyncio.get_running_loop()
    secret = 'whsec_route'

    def deliver(body: bytes, signature: str) -> int:
        posted = asyncio.run_coroutine_threadsafe(user.http_client.post(
            '/webhooks/stripe', content=body, headers={'Stripe-Signature': signature}), loop)
        return posted.result(timeout=30).status_code

    with smtp_configured(monkeypatch) as inbox, FakeStripe(webhook_secret=secret, deliver=deliver) as stripe:
        monkeypatch.setenv('KAIROS_STRIPE_SECRET_KEY', 'sk_test_route')
        monkeypatch.setenv('KAIROS_STRIPE_WEBHOOK_SECRET', secret)
        monkeypatch.setenv('KAIROS_STRIPE_API_BASE', stripe.url)
        reset_config()
        url = await asyncio.to_thread(payments.start_checkout, db, tenant_id=world.tenant_id, customer_id=world.ada,
                                      appointment_id=appt, success_url='http://test/?paid=1',
                                      cancel_url='http://test/?canceled=1', now=now)
        event = await asyncio.to_thread(stripe.complete, url.rsplit('/', 1)[-1])
        assert stripe.deliveries[-1].status == 200
        assert await asyncio.to_thread(stripe.deliver_event, event) == 200  # Stripe retries the same event
        confirmations = [m for m in await asyncio.to_thread(inbox.to, 'ada@example.com')
                         if m['Subject'] == 'Payment received: 45.00 EUR, thank you']
        assert len(confirmations) == 1
        body = text_of(confirmations[0])
        assert 'Paid by: Card (Stripe)' in body and 'For: Haircut with Mia Wong' in body
        assert [p.get_filename() for p in confirmations[0].iter_attachments()][0].startswith('receipt-')
    reset_config()


@pytest.mark.parametrize('on', [True, False], ids=['on', 'off'])
async def test_the_details_drawer_follows_the_same_toggles(user: User, db, on: bool) -> None:
    designer = PanelDesigner(show_staff=on, show_location=on, show_price=on, show_payment_status=on)
    s = await panel_with(user, db, PanelSettings(designer=designer))
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': first_row(s)['id']})
    await user.should_see('Duration', retries=50)
    for shown in ('Leo Park', 'Park Avenue 9', '€45.00', 'Due'):
        if on:
            await user.should_see(shown)
        else:
            await user.should_not_see(shown)

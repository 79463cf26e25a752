"""What the business switched off stays off on the server too: each switch, on and off, called as the page calls it
(or as a forged event would), with the reason the customer reads. Also where a visit happens, and the payment
confirmation email with its receipt."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain import rules
from domain.settings import PanelDesigner, PanelSettings
from services import accounts, appointments, avatars, booking, panel, payments, receipts
from services.config import reset_config
from tests.integration.test_avatars import photo
from tests.support.fake_stripe import FakeStripe
from tests.support.seed import add_appointment, seed_world
from tests.support.smtp import html_of, text_of, token_in

BERLIN = ZoneInfo('Europe/Berlin')
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday, 09:00 in Berlin
SOON = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # Thursday 10:00 in Berlin
STRONG = 'violet-harbour-71-tandem'
SECRET = 'whsec_switches'

pytestmark = pytest.mark.usefixtures('fresh_limits')


def local(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=BERLIN).astimezone(UTC)


# ---- each switch: on, the service does it; off, it refuses with the reason ------------------------------------------

def _upload(db, world) -> object:
    return avatars.save_avatar(db, tenant_id=world.tenant_id, customer_id=world.ada, data=photo(), now=NOW)


def _sign_up(db, world) -> object:
    return accounts.sign_up(db, tenant_id=world.tenant_id, email='new@example.com', password=STRONG,
                            first_name='New', last_name='Person', now=NOW)


def _delete(db, world) -> object:
    return accounts.delete_account(db, tenant_id=world.tenant_id, customer_id=world.ada, confirmation='DELETE',
                                   now=NOW)


def _reschedule(db, world) -> object:
    appt = add_appointment(db, world, start=SOON, status='pending')
    return booking.reschedule(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt,
                              new_start=SOON + timedelta(days=1), now=NOW)


def _cancel(db, world) -> object:
    appt = add_appointment(db, world, start=SOON, status='pending')
    return appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt,
                                      target='canceled', now=NOW)


def _pay_package(db, world) -> object:
    from storage import packages as package_db

    with db.write() as s:
        package = package_db.create_package(s, tenant_id=world.tenant_id, name='Five cuts', sessions=5, price=20000,
                                            validity_days=90, service_ids=[world.services['cut']])
        cp = package_db.create_customer_package(s, tenant_id=world.tenant_id, customer_id=world.ada, package_id=package,
                                                purchased_at=NOW - timedelta(days=1), validity_days=90)
    return payments.payment_options(db, tenant_id=world.tenant_id, customer_id=world.ada, customer_package_id=cp)


def _pay_package_checkout(db, world) -> object:
    """The package's checkout itself (a forged click when the card hides Pay): refused before Stripe is asked."""
    from storage import packages as package_db

    with db.write() as s:
        package = package_db.create_package(s, tenant_id=world.tenant_id, name='Five cuts', sessions=5, price=20000,
                                            validity_days=90, service_ids=[world.services['cut']])
        cp = package_db.create_customer_package(s, tenant_id=world.tenant_id, customer_id=world.ada, package_id=package,
                                                purchased_at=NOW - timedelta(days=1), validity_days=90)
    return payments.start_checkout(db, tenant_id=world.tenant_id, customer_id=world.ada, customer_package_id=cp,
                                   success_url='http://panel.test/ok', cancel_url='http://panel.test/no', now=NOW)


REFUSALS = (avatars.AvatarRefused, accounts.AccountError, booking.BookingRefused, appointments.NotAllowed,
            payments.PaymentRefused)

SWITCHES = [
    # (action, the setting that switches it off, the reason the customer reads)
    pytest.param(_upload, {'designer': PanelDesigner(allow_avatar_upload=False)},
                 'This business does not take profile photos.', id='profile photo upload'),
    pytest.param(_sign_up, {'allow_signup': False}, rules.SIGNUP_CLOSED, id='sign-up'),
    pytest.param(_delete, {'allow_account_deletion': False},
                 'Deleting your account is not offered here. Contact the business to close it.',
                 id='account deletion'),
    pytest.param(_reschedule, {'reschedule_enabled': False}, 'This business does not offer rescheduling online.',
                 id='reschedule'),
    pytest.param(_cancel, {'status_change_enabled': False}, 'This business does not offer status changes online.',
                 id='status change'),
    pytest.param(_pay_package, {'hide_pay_now': True, 'offline_payment_instructions': 'Pay at reception.'},
                 'Pay at reception.', id='package pay (options)'),
    pytest.param(_pay_package_checkout, {'hide_pay_now': True, 'offline_payment_instructions': 'Pay at reception.'},
                 'Pay at reception.', id='package pay (checkout)'),
    pytest.param(_reschedule, {'panel_enabled': False}, rules.PANEL_OFF, id='panel off: reschedule'),
    pytest.param(_cancel, {'panel_enabled': False}, rules.PANEL_OFF, id='panel off: status change'),
    pytest.param(_upload, {'panel_enabled': False}, rules.PANEL_OFF, id='panel off: photo'),
]


@pytest.mark.parametrize(('action', 'off', 'reason'), SWITCHES)
def test_switched_on_the_service_does_it(db, private_outbox, stripe, action, off: dict, reason: str) -> None:
    world = seed_world(db, now=NOW)
    action(db, world)  # no refusal


@pytest.mark.parametrize(('action', 'off', 'reason'), SWITCHES)
def test_switched_off_the_service_refuses_with_the_reason(db, private_outbox, stripe, action, off: dict,
                                                         reason: str) -> None:
    world = seed_world(db, now=NOW, settings=PanelSettings(**off))  # card payment is set up: only the setting refuses
    with pytest.raises(REFUSALS) as refused:
        action(db, world)
    assert str(refused.value.message) == str(reason)


def test_a_refused_photo_leaves_the_old_one(db) -> None:
    world = seed_world(db, now=NOW)
    url = _upload(db, world)
    panel_off = PanelSettings(designer=PanelDesigner(allow_avatar_upload=False))
    with db.write() as s:
        from storage import tenants as tenant_db

        tenant_db.save_panel_settings(s, tenant_id=world.tenant_id, settings=panel_off)
    with pytest.raises(avatars.AvatarRefused):
        _upload(db, world)
    assert accounts.get_customer(db, tenant_id=world.tenant_id, customer_id=world.ada).avatar_url == url


@pytest.mark.parametrize(('auto', 'welcomed'), [(True, True), (False, False)])
def test_auto_account_welcomes_a_new_guest_only_when_on_and_the_booking_stands_either_way(
        db, inbox, auto: bool, welcomed: bool) -> None:
    world = seed_world(db, now=NOW, settings=PanelSettings(auto_create_account=auto))
    booking.hold_for_guest(db, tenant_id=world.tenant_id, service_id=world.services['cut'], staff_id=world.staff['mia'],
                           start=local(24, 10), first_name='Grace', last_name='Guest', email='guest@example.com',
                           phone='', notes='', now=NOW, address='198.51.100.7')
    token = token_in(inbox.last_to('guest@example.com'), '/book/confirm')
    booked, guest, created = booking.confirm_hold(db, tenant_id=world.tenant_id, token=token,
                                                  now=NOW + timedelta(minutes=5))
    assert created
    assert booked.customer_id == guest.id and booked.start == local(24, 10)
    subjects = [m['Subject'] for m in inbox.to('guest@example.com')]
    assert any('Welcome' in s or 'password' in s.lower() for s in subjects) is welcomed, subjects


# ---- where the visit happens ----------------------------------------------------------------------------------------

def test_a_staff_member_at_two_locations_needs_the_customer_to_say_where(db, private_outbox) -> None:
    world = seed_world(db, now=NOW)  # Leo works at Main Street 1 and Park Avenue 9; Mia only at Main Street 1
    kw = {'tenant_id': world.tenant_id, 'customer_id': world.ada, 'service_id': world.services['cut'], 'now': NOW}
    with pytest.raises(booking.BookingRefused) as refused:
        booking.book(db, staff_id=world.staff['leo'], start=local(24, 10), **kw)
    assert str(refused.value.message) == str(rules.CHOOSE_LOCATION)
    at_park = booking.book(db, staff_id=world.staff['leo'], start=local(24, 10), location_id=world.locations['park'],
                           **kw)
    assert at_park.location is not None and at_park.location.name == 'Park Avenue 9'
    with_mia = booking.book(db, staff_id=world.staff['mia'], start=local(24, 11), **kw)  # one place: hers
    assert with_mia.location is not None and with_mia.location.name == 'Main Street 1'
    with pytest.raises(booking.BookingRefused):  # not where Mia works
        booking.book(db, staff_id=world.staff['mia'], start=local(25, 10), location_id=world.locations['park'], **kw)
    # "Any staff" at the park: only Leo works there, and the visit is stored at the park.
    anyone = booking.book(db, staff_id=None, start=local(25, 14), location_id=world.locations['park'], **kw)
    assert (anyone.staff.name, anyone.location.name if anyone.location else None) == ('Leo Park', 'Park Avenue 9')
    stored = {a.id: a.location.name if a.location else '—' for a in
              panel.all_appointments(db, tenant_id=world.tenant_id, customer_id=world.ada)}
    assert '—' not in stored.values()


def test_an_online_visit_asks_no_place_and_stores_none(db, private_outbox) -> None:
    from storage import catalog as catalog_db
    from tests.support.seed import WEEK

    world = seed_world(db, now=NOW)
    with db.write() as s:
        online = catalog_db.create_service(s, tenant_id=world.tenant_id, name='Video consultation', duration_min=30,
                                           meeting_url='https://meet.example.com/lumen')
        zoe = catalog_db.create_staff(s, tenant_id=world.tenant_id, name='Zoe Online', service_ids=[online],
                                      location_ids=[world.locations['main'], world.locations['park']], weekly=WEEK)
    booked = booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=online, staff_id=zoe,
                          start=local(24, 10), now=NOW)
    assert booked.location is None and booked.service.is_online


# ---- the payment confirmation, with the receipt -----------------------------------------------------------------

def test_money_taken_at_the_desk_is_confirmed_to_the_customer_with_the_receipt(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    appt = add_appointment(db, world, start=SOON, price=4500)
    payment_id = payments.record_offline_payment(db, tenant_id=world.tenant_id, appointment_id=appt, amount=4500,
                                                 method='cash', now=NOW)
    msg = inbox.last_to('ada@example.com')
    assert msg['Subject'] == 'Payment received: 45.00 EUR, thank you'
    assert 'For: Haircut with Mia Wong, Thu 26 Nov 2026, 10:00' in text_of(msg)
    body = text_of(msg)
    assert 'Hello Ada' in body and 'Paid by: Cash' in body and f'Receipt number: {world.tenant_id}-{payment_id:06d}' \
        in body
    assert f'/receipts/{payment_id}?view=1' in body
    html = html_of(msg)
    assert html is not None and '45.00 EUR' in html
    [receipt] = [p for p in msg.iter_attachments() if p.get_filename() == f'receipt-{world.tenant_id}-'
                 f'{payment_id:06d}.html']
    assert 'Amount paid: 45.00 EUR' in receipt.get_content()
    assert inbox.to('bob@example.com') == []


def test_no_confirmation_for_a_closed_account_or_another_business(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    other = seed_world(db, now=NOW, slug='other', host='other.example', ada_email='ada@other.example')
    appt = add_appointment(db, world, start=SOON, price=4500)
    payment_id = payments.record_offline_payment(db, tenant_id=world.tenant_id, appointment_id=appt, amount=1000,
                                                 now=NOW)
    assert receipts.send_payment_confirmation(db, tenant_id=other.tenant_id, payment_id=payment_id) is False
    assert len(inbox.to('ada@example.com')) == 1 and inbox.to('ada@other.example') == []  # only the real one
    accounts.delete_account(db, tenant_id=world.tenant_id, customer_id=world.ada, confirmation='DELETE', now=NOW)
    assert receipts.send_payment_confirmation(db, tenant_id=world.tenant_id, payment_id=payment_id) is False


@pytest.fixture
def stripe(db, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    def deliver(body: bytes, signature: str) -> int:
        try:
            payments.handle_webhook(db, payload=body, signature=signature, now=NOW)
        except payments.WebhookRejected:
            return 400
        return 200

    with FakeStripe(webhook_secret=SECRET, deliver=deliver) as server:
        monkeypatch.setenv('KAIROS_STRIPE_SECRET_KEY', 'sk_test_switches')
        monkeypatch.setenv('KAIROS_STRIPE_WEBHOOK_SECRET', SECRET)
        monkeypatch.setenv('KAIROS_STRIPE_API_BASE', server.url)
        reset_config()
        yield server
    reset_config()


def test_a_card_payment_is_confirmed_once_when_stripe_says_it_settled(db, inbox, stripe: FakeStripe) -> None:
    world = seed_world(db, now=NOW)
    appt = add_appointment(db, world, start=SOON, price=4500)
    url = payments.start_checkout(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt,
                                  success_url='http://panel.test/ok', cancel_url='http://panel.test/no', now=NOW)
    assert inbox.to('ada@example.com') == []  # a checkout opened is not a payment
    session_id = url.rsplit('/', 1)[-1]
    stripe.complete(session_id)
    [msg] = [m for m in inbox.to('ada@example.com') if m['Subject'].startswith('Payment received')]
    assert 'Paid by: Card (Stripe)' in text_of(msg)
    stripe.deliver_event(stripe.events[stripe.deliveries[-1].event_id])  # Stripe retries: no second email
    assert stripe.deliveries[-1].status == 200
    assert len([m for m in inbox.to('ada@example.com') if m['Subject'].startswith('Payment received')]) == 1


def test_a_payment_of_the_wrong_amount_is_not_confirmed(db, inbox, stripe: FakeStripe) -> None:
    world = seed_world(db, now=NOW)
    appt = add_appointment(db, world, start=SOON, price=4500)
    url = payments.start_checkout(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt,
                                  success_url='http://panel.test/ok', cancel_url='http://panel.test/no', now=NOW)
    stripe.complete(url.rsplit('/', 1)[-1], amount_total=100)
    assert not [m for m in inbox.to('ada@example.com') if m['Subject'].startswith('Payment received')]

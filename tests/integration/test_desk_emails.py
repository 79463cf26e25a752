"""What the customer reads after the front desk acts (SQLite, then PostgreSQL, through a real aiosmtpd server): a
refund from the flagged-payments queue or from the appointment page tells them in their language what was refunded,
for which appointment, and when to expect it; and every other desk action sends what the customer side sends for the
same change: a status change, a move, money taken at the desk (its receipt), a booking made at the desk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from domain.rules import NotAllowed
from services import desk, desk_money, payments
from services.config import reset_config
from tests.integration.test_payments import NOW, SECRET, checkout, seed, session_of, webhook_endpoint
from tests.support.fake_stripe import FakeStripe
from tests.support.seed import add_admin, add_appointment, seed_world
from tests.support.smtp import html_of, text_of

BERLIN = ZoneInfo('Europe/Berlin')


@pytest.fixture
def fake(db, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    monkeypatch.setenv('KAIROS_STRIPE_SECRET_KEY', 'sk_test_kairos')
    monkeypatch.setenv('KAIROS_STRIPE_WEBHOOK_SECRET', SECRET)
    with FakeStripe(webhook_secret=SECRET, deliver=webhook_endpoint(db)) as server:
        monkeypatch.setenv('KAIROS_STRIPE_API_BASE', server.url)
        reset_config()
        yield server
    reset_config()


def owner(db, tenant_id: int) -> int:
    from domain.admins import AdminRole
    from storage import admins as admin_db
    with db.write() as s:
        return admin_db.create_admin(s, tenant_id=tenant_id, email='owner@example.com', name='Owner',
                                     role=AdminRole.OWNER, password_hash='x')


def speaks(db, customer_id: int, language: str) -> None:
    with db.write() as s:
        s.execute(sa.text('UPDATE customer SET language=:l WHERE id=:i'), {'l': language, 'i': customer_id})


def subjects(inbox, address: str) -> list[str]:
    return [str(m['Subject']) for m in inbox.to(address)]


def test_a_refund_from_the_flagged_queue_tells_the_customer_in_their_language(db, fake, inbox) -> None:
    ids = seed(db)
    admin = owner(db, ids['tenant'])
    speaks(db, ids['ada'], 'de')
    url = checkout(db, ids)
    payments.record_offline_payment(db, tenant_id=ids['tenant'], amount=4500, appointment_id=ids['appt'], now=NOW)
    fake.complete(session_of(fake, url)['id'])
    before = len(inbox.to('ada@example.com'))
    queued = desk_money.flagged_payments(db, tenant_id=ids['tenant'], admin_id=admin)
    desk_money.refund(db, tenant_id=ids['tenant'], admin_id=admin, payment_id=queued[0].payment_id, now=NOW)
    mail = inbox.to('ada@example.com')[before:]
    assert len(mail) == 1
    body = text_of(mail[0])
    assert str(mail[0]['Subject']).startswith('Erstattung')
    assert '45,00' in body and 'EUR' in body, 'the amount, in German money'
    assert 'Haircut' in body and 'Mia' in body, 'for which appointment'
    assert '10 Werktage' in body, 'when to expect it'
    assert 'lang="de"' in (html_of(mail[0]) or '')
    # A second click refunds nothing more and sends nothing more.
    with pytest.raises(NotAllowed):
        desk_money.refund(db, tenant_id=ids['tenant'], admin_id=admin, payment_id=queued[0].payment_id, now=NOW)
    assert len(inbox.to('ada@example.com')) == before + 1


def test_a_refund_from_the_appointment_page_names_the_appointment_and_the_money(db, fake, inbox) -> None:
    ids = seed(db)
    admin = owner(db, ids['tenant'])
    url = checkout(db, ids)
    fake.complete(session_of(fake, url)['id'])
    card = next(p for p in desk.detail(db, tenant_id=ids['tenant'], admin_id=admin,
                                       appointment_id=ids['appt']).payments if p.method == 'card')
    desk_money.refund(db, tenant_id=ids['tenant'], admin_id=admin, payment_id=card.id, now=NOW)
    refund = [m for m in inbox.to('ada@example.com') if str(m['Subject']).startswith('Refund')]
    assert len(refund) == 1
    body = text_of(refund[0])
    amount = f'{card.amount // 100:d}.{card.amount % 100:02d}'
    assert amount in body and 'EUR' in body
    assert 'Haircut with Mia' in body
    assert '5 to 10 business days' in body
    assert inbox.to('bob@example.com') == [], 'nobody else hears of it'


# ---- every other desk action sends what the customer side sends ---------------------------------------------------


def local(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def studio(db):
    world = seed_world(db, now=NOW, slug='studio')
    return world, add_admin(db, world)


def test_a_status_set_at_the_desk_emails_the_customer(db, studio, inbox) -> None:
    world, admin = studio
    appt = add_appointment(db, world, customer=world.bob, start=local(26, 9), status='pending')
    desk.set_status(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt, target='approved',
                    reason='Confirmed by phone', now=NOW)
    mail = inbox.last_to('bob@example.com')
    assert 'Approved' in str(mail['Subject'])
    assert 'Confirmed by phone' in text_of(mail)


def test_a_move_at_the_desk_emails_the_new_time(db, studio, inbox) -> None:
    world, admin = studio
    appt = add_appointment(db, world, customer=world.bob, start=local(26, 9))
    desk.reschedule(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt, new_start=local(26, 11),
                    now=NOW)
    mail = inbox.last_to('bob@example.com')
    assert str(mail['Subject']).startswith('New time')
    assert '11:00' in text_of(mail) and '09:00' in text_of(mail)


def test_money_taken_at_the_desk_sends_the_receipt(db, studio, inbox) -> None:
    world, admin = studio
    appt = add_appointment(db, world, start=local(24, 10))
    desk.take_payment(db, tenant_id=world.tenant_id, admin_id=admin, appointment_id=appt, amount=4500,
                      method='cash', now=NOW)
    mail = inbox.last_to('ada@example.com')
    assert str(mail['Subject']).startswith('Payment received')
    assert '45.00' in text_of(mail)
    assert [p.get_filename() for p in mail.iter_attachments()][0].startswith('receipt-')


def test_a_booking_made_at_the_desk_sends_the_booking_email(db, studio, inbox) -> None:
    world, admin = studio
    desk.book(db, tenant_id=world.tenant_id, admin_id=admin, customer_id=world.bob,
              service_id=world.services['cut'], staff_id=world.staff['mia'], start=local(27, 15), now=NOW)
    mail = inbox.last_to('bob@example.com')
    assert str(mail['Subject']).startswith('Booked')
    assert [p.get_filename() for p in mail.iter_attachments()][0].endswith('.ics')

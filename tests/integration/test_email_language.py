"""Emails arrive at a real SMTP server in their reader's language: a customer's own choice, else the business's
default; staff always in the business's language. Arabic HTML reads right to left."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from domain.settings import PanelSettings
from services import accounts, booking, emails, notify, payments
from storage import tables as t
from tests.support.seed import seed_world
from tests.support.smtp import html_of, text_of, token_in

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Berlin, a Wednesday


def _world(db, *, default_language: str = 'en', ada_language: str | None = None):
    world = seed_world(db, now=NOW, settings=replace(PanelSettings(), default_language=default_language))
    with db.write() as s:
        s.execute(sa.update(t.Staff).where(t.Staff.id == world.staff['mia']).values(email='mia@lumen.example'))
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(language=ada_language))
    return world


def _book(db, world) -> int:
    booked = booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                          staff_id=world.staff['mia'], start=START, now=NOW, location_id=world.locations['main'])
    notify.wait_for_notifications()
    return booked.id


def _summary(msg) -> str:
    [part] = [p for p in msg.iter_attachments() if p.get_content_type() == 'text/calendar']
    return str(Calendar.from_ical(part.get_payload(decode=True)).walk('VEVENT')[0]['SUMMARY'])


def test_a_portuguese_customer_gets_the_booking_email_in_portuguese_and_staff_in_the_business_language(
        sqlite_db, inbox) -> None:
    world = _world(sqlite_db, default_language='en', ada_language='pt_PT')
    _book(sqlite_db, world)

    customer = inbox.last_to('ada@example.com')
    assert customer['Subject'] == 'Marcado: Haircut, quarta, 25/11/2026, 10:00 – 10:45 (Europe/Berlin)'
    body = text_of(customer)
    assert body.startswith('Olá Ada,')
    assert 'está na agenda' in body and 'Estado: Pendente' in body and 'Onde: Main Street 1' in body
    assert 'Quando: quarta, 25/11/2026' in body  # the date in Portuguese too
    html = html_of(customer)
    assert html is not None and '<html lang="pt-PT" dir="ltr">' in html and 'Ver a reserva' in html
    assert _summary(customer) == 'Haircut com Mia Wong'

    staff = inbox.last_to('mia@lumen.example')
    assert staff['Subject'].startswith('Booked: Haircut, Wed 25 Nov 2026')
    assert text_of(staff).startswith('Hello Mia,') and 'is in the diary' in text_of(staff)
    assert _summary(staff) == 'Haircut with Mia Wong'


def test_an_arabic_customer_gets_a_right_to_left_email(sqlite_db, inbox) -> None:
    world = _world(sqlite_db, default_language='de', ada_language='ar')
    _book(sqlite_db, world)

    customer = inbox.last_to('ada@example.com')
    assert customer['Subject'].startswith('تم الحجز: Haircut')
    body = text_of(customer)
    assert body.startswith('مرحبًا Ada،') and 'الحالة: قيد الانتظار' in body
    html = html_of(customer)
    assert html is not None and '<html lang="ar" dir="rtl">' in html and 'text-align:right' in html
    assert 'عرض الحجز' in html

    staff = inbox.last_to('mia@lumen.example')  # staff read the business's language, German
    assert staff['Subject'].startswith('Gebucht: Haircut, Mi., 25. Nov. 2026')
    assert text_of(staff).startswith('Hallo Mia,') and 'Status: Ausstehend' in text_of(staff)
    assert re.search(r'dir="ltr"', html_of(staff) or '')


def test_a_customer_without_a_choice_reads_the_business_default(sqlite_db, inbox) -> None:
    world = _world(sqlite_db, default_language='es')
    appt_id = _book(sqlite_db, world)
    payments.record_offline_payment(sqlite_db, tenant_id=world.tenant_id, amount=4500, method='cash',
                                    appointment_id=appt_id, now=NOW)
    notify.wait_for_notifications()

    paid = inbox.last_to('ada@example.com')
    assert paid['Subject'] == 'Pago recibido: 45,00 EUR, gracias'
    assert 'Forma de pago: Efectivo' in text_of(paid)
    [receipt] = [p for p in paid.iter_attachments() if p.get_filename().startswith('receipt-')]
    document = receipt.get_content()
    assert '<html lang="es" dir="ltr">' in document and 'Importe pagado: 45,00 EUR' in document
    assert 'Haircut con Mia Wong' in document


def test_an_email_kind_lists_its_placeholders_and_every_part_is_filled() -> None:
    for kind in emails.KINDS.values():
        values = {name: f'<{name}>' for name in kind.placeholders}
        for locale in ('en', 'pt_PT', 'es', 'de', 'ar'):
            subject, text, html = emails.render(kind.name, values, locale=locale)
            assert '%(' not in subject + text + (html or ''), (kind.name, locale)
            assert '<business>' in text, (kind.name, locale)
            assert html is not None and '&lt;business&gt;' in html and '<business>' not in html


def test_the_subject_alone_is_the_subject_of_the_whole_email() -> None:
    # subject_for fills only the values its subject names (a change writes it in its transaction); render fills all.
    from domain.i18n import lazy

    settings = replace(PanelSettings(), text_overrides={'de': {'Booked: %(service)s, %(when)s': 'Gebucht: %(when)s'}})
    own = emails.EmailOverride(subject='$service at $business ($status, $nothing)', text='$name\n', html=None)
    for kind in emails.KINDS.values():
        values = {name: f'<{name}>' for name in kind.placeholders} | {'status': lazy('Approved'), 'reason': None}
        for locale in ('en', 'pt_PT', 'de', 'ar'):
            for mine in (None, {(kind.name, locale): own}):
                whole = emails.render_for(kind.name, values, locale=locale, settings=settings, own=mine)
                alone = emails.subject_for(kind.name, values, locale=locale, settings=settings, own=mine)
                assert alone == whole[0], (kind.name, locale, mine)


def test_a_business_rewords_an_email_line_per_language(sqlite_db, inbox) -> None:
    world = seed_world(sqlite_db, now=NOW, settings=replace(
        PanelSettings(), default_language='pt_PT', text_overrides={'pt_PT': {'Hello %(name)s,': 'Bom dia, %(name)s!'}}))
    _book(sqlite_db, world)
    body = text_of(inbox.last_to('ada@example.com'))
    assert body.startswith('Bom dia, Ada!') and 'está na agenda' in body


def test_a_business_own_email_replaces_one_kind_in_one_language(monkeypatch, tmp_path) -> None:
    from services.config import reset_config

    own = emails.EmailOverride(subject='Reserva em $business', text='Olá $name: $link\n',
                               html='<p>Olá $name</p>')
    values = {'name': '<Ada>', 'business': 'Lumen', 'link': 'https://x.test/'}
    subject, text, html = emails.render('magic_link', values, locale='pt_PT',
                                        overrides={('magic_link', 'pt_PT'): own})
    assert (subject, text, html) == ('Reserva em Lumen', 'Olá <Ada>: https://x.test/\n', '<p>Olá &lt;Ada&gt;</p>')
    assert emails.render('magic_link', values, locale='de',
                         overrides={('magic_link', 'pt_PT'): own})[0] == 'Ihr Anmeldelink für Lumen'
    (tmp_path / 'magic_link.de.txt').write_text('Subject: Link für $business\n\nHallo $name: $link\n')
    monkeypatch.setenv('KAIROS_TEMPLATES_DIR', str(tmp_path))
    reset_config()
    try:
        assert emails.render('magic_link', values, locale='de')[:2] == ('Link für Lumen', 'Hallo <Ada>: https://x.test/\n')
        assert emails.render('magic_link', values, locale='es')[0] == 'Su enlace de acceso a Lumen'
    finally:
        reset_config()


# ---- emails asked for from a page, before the account has a language of its own ------------------------------------

STRONG = 'orchid-Lantern-42-velvet'


def _customer_language(db, world, email: str) -> str | None:
    with db.read() as s:
        return s.scalar(sa.select(t.Customer.language).where(t.Customer.tenant_id == world.tenant_id,
                                                             t.Customer.email_norm == email))


@pytest.mark.usefixtures('fresh_limits')
def test_signing_up_on_a_portuguese_page_sends_the_confirmation_in_portuguese_and_keeps_the_language(
        sqlite_db, inbox) -> None:
    world = _world(sqlite_db, default_language='de')
    accounts.sign_up(sqlite_db, tenant_id=world.tenant_id, email='rui@example.com', password=STRONG,
                     first_name='Rui', last_name='Costa', now=NOW, locale='pt_PT')

    assert inbox.last_to('rui@example.com')['Subject'] == 'Confirme o seu email para Lumen Studio'
    assert text_of(inbox.last_to('rui@example.com')).startswith('Olá Rui,')
    assert _customer_language(sqlite_db, world, 'rui@example.com') == 'pt_PT'  # later emails read Portuguese too

    # Someone signs up again with the address from an Arabic page: the owner is told in the account's language;
    # an account that never chose one is told in the page's.
    accounts.sign_up(sqlite_db, tenant_id=world.tenant_id, email='rui@example.com', password=STRONG,
                     first_name='Rui', last_name='Costa', now=NOW, locale='ar')
    assert inbox.last_to('rui@example.com')['Subject'] == 'Já tem uma conta em Lumen Studio'
    accounts.sign_up(sqlite_db, tenant_id=world.tenant_id, email='ada@example.com', password=STRONG,
                     first_name='Ada', last_name='L', now=NOW, locale='ar')
    assert inbox.last_to('ada@example.com')['Subject'] == 'لديك حساب بالفعل لدى Lumen Studio'
    assert _customer_language(sqlite_db, world, 'ada@example.com') is None  # a visitor cannot set it


@pytest.mark.usefixtures('fresh_limits')
def test_a_page_in_a_language_kairos_does_not_ship_leaves_the_business_default(sqlite_db, inbox) -> None:
    world = _world(sqlite_db, default_language='de')
    accounts.sign_up(sqlite_db, tenant_id=world.tenant_id, email='kim@example.com', password=STRONG,
                     first_name='Kim', last_name='Lee', now=NOW, locale='ko')
    assert inbox.last_to('kim@example.com')['Subject'] == 'Bestätigen Sie Ihre E-Mail-Adresse für Lumen Studio'
    assert _customer_language(sqlite_db, world, 'kim@example.com') is None


@pytest.mark.usefixtures('fresh_limits')
def test_a_forgotten_password_link_reads_the_accounts_language_else_the_pages(sqlite_db, inbox) -> None:
    world = _world(sqlite_db, default_language='en')  # Ada never chose a language
    accounts.request_password_reset(sqlite_db, tenant_id=world.tenant_id, email='ada@example.com', now=NOW,
                                    locale='de')
    assert inbox.last_to('ada@example.com')['Subject'] == 'Setzen Sie Ihr Passwort für Lumen Studio zurück'
    accounts.request_magic_link(sqlite_db, tenant_id=world.tenant_id, email='ada@example.com', now=NOW,
                                locale='pt_PT')
    assert inbox.last_to('ada@example.com')['Subject'] == 'A sua ligação de início de sessão para Lumen Studio'

    with sqlite_db.write() as s:  # once she has chosen Arabic, her choice wins over the page's
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(language='ar'))
    accounts.request_password_reset(sqlite_db, tenant_id=world.tenant_id, email='ada@example.com', now=NOW,
                                    locale='de')
    assert inbox.last_to('ada@example.com')['Subject'] == 'أعد تعيين كلمة مرورك لدى Lumen Studio'


@pytest.mark.usefixtures('fresh_limits')
def test_a_guest_who_booked_in_portuguese_gets_an_account_and_welcome_in_portuguese(sqlite_db, inbox) -> None:
    world = _world(sqlite_db, default_language='en')
    booking.hold_for_guest(sqlite_db, tenant_id=world.tenant_id, service_id=world.services['cut'],
                           staff_id=world.staff['mia'], start=START, first_name='Inês', last_name='Sá',
                           email='ines@example.com', phone='', notes='', now=NOW, locale='pt_PT')
    held = inbox.last_to('ines@example.com')
    token = token_in(held, '/book/confirm')
    _, customer, created = booking.confirm_hold(sqlite_db, tenant_id=world.tenant_id, token=token, now=NOW)
    notify.wait_for_notifications()

    assert created and customer.language == 'pt_PT'
    assert inbox.last_to('ines@example.com')['Subject'] == 'Bem-vindo a Lumen Studio: defina a sua palavra-passe'

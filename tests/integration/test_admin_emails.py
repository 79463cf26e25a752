"""The business words its own emails (checked when saved, previewed, sent as a test to the admin) and the mailer
uses them; the outbox lists what was sent, queued and failed, and sends again; one business never sees another's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from domain.emails import EmailTemplate
from services import booking, notify
from services import email_templates as svc
from storage import admins as admin_db
from storage import outbox as outbox_db
from storage import tables as t
from tests.support.seed import seed_world
from tests.support.smtp import html_of, text_of

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

OWN = EmailTemplate(kind='appointment_booked', locale='en', subject='See you soon: $service',
                    text='Hi $name, we look forward to seeing you on $when.\n$business',
                    html='<p>Hi $name, we look forward to seeing you on <b>$when</b>.</p>')


def admin(db, tenant_id: int, email: str = 'owner@lumen.example') -> int:
    with db.write() as s:
        return admin_db.create_admin(s, tenant_id=tenant_id, email=email, password_hash='x')


def book(db, world) -> None:
    booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                 staff_id=world.staff['mia'], start=START, now=NOW)
    notify.wait_for_notifications()


def test_every_kind_lists_the_placeholders_it_fills() -> None:
    booked = svc.kind('appointment_booked')
    assert {'name', 'service', 'when', 'business', 'link', 'status'} <= set(booked.placeholders)
    assert 'minutes' in svc.kind('reset').placeholders
    # Every email Kairos sends can be reworded: a new kind without a name for the admin fails here.
    from services import emails

    assert {k.kind for k in svc.kinds()} == set(emails.KINDS)


def test_the_next_booking_email_carries_the_businesss_own_wording(sqlite_db, inbox) -> None:
    db = sqlite_db
    world = seed_world(db, now=NOW)
    svc.save_template(db, tenant_id=world.tenant_id, admin_id=None, template=OWN, now=NOW)
    book(db, world)
    msg = inbox.last_to('ada@example.com')
    assert msg['Subject'] == 'See you soon: Haircut'
    assert text_of(msg).startswith('Hi Ada, we look forward to seeing you on Wed 25 Nov 2026, 10:00–10:45')
    assert '<b>Wed 25 Nov 2026' in html_of(msg)
    assert svc.customised(db, tenant_id=world.tenant_id) == {('appointment_booked', 'en')}


def test_back_to_kaiross_wording(sqlite_db, inbox) -> None:
    db = sqlite_db
    world = seed_world(db, now=NOW)
    svc.save_template(db, tenant_id=world.tenant_id, admin_id=None, template=OWN, now=NOW)
    svc.reset_template(db, tenant_id=world.tenant_id, admin_id=None, kind_name='appointment_booked', locale='en',
                       now=NOW)
    assert not svc.editable(db, tenant_id=world.tenant_id, kind_name='appointment_booked', locale='en').own
    book(db, world)
    assert inbox.last_to('ada@example.com')['Subject'].startswith('Booked: Haircut')


@pytest.mark.parametrize(('change', 'field', 'words'), [
    ({'subject': 'Booked: $service for $dog'}, 'subject', 'Unknown placeholders: $dog.'),
    ({'text': 'Hello ${nme} and $pet'}, 'text', 'Unknown placeholders: $nme, $pet.'),
    ({'html': '<p>$secret_token</p>'}, 'html', 'Unknown placeholders: $secret_token.'),
    ({'text': 'It costs $ 5'}, 'text', 'write $$ for a dollar sign'),
    ({'subject': ''}, 'subject', 'cannot be empty'),
    ({'subject': 'Line one\nBcc: someone@example.com'}, 'subject', 'one line'),
    ({'locale': 'fr'}, 'locale', 'Kairos does not speak fr'),
])
def test_a_template_that_could_not_be_filled_is_refused_saying_which(db, change: dict, field: str,
                                                                    words: str) -> None:
    world = seed_world(db, now=NOW)
    values = {'kind': OWN.kind, 'locale': OWN.locale, 'subject': OWN.subject, 'text': OWN.text, 'html': OWN.html}
    with pytest.raises(svc.TemplateRefused) as refused:
        svc.save_template(db, tenant_id=world.tenant_id, admin_id=None,
                          template=EmailTemplate(**(values | change)), now=NOW)
    assert words in str(refused.value.problems[field])
    assert svc.customised(db, tenant_id=world.tenant_id) == set()


def test_the_preview_fills_sample_data_and_escapes_it_in_html() -> None:
    subject, text, html = svc.preview(OWN, business='A & B')
    assert subject == 'See you soon: Haircut'
    assert text.endswith('A & B')
    assert html is not None and '<b>Tue 24 Nov 2026' in html


def test_a_test_goes_to_the_signed_in_admin_only(sqlite_db, inbox) -> None:
    db = sqlite_db
    world = seed_world(db, now=NOW)
    owner = admin(db, world.tenant_id)
    other = seed_world(db, now=NOW, slug='other', host='other.example.com', ada_email='ada@other.example.com')
    stranger = admin(db, other.tenant_id, 'boss@other.example')
    address = svc.send_test(db, tenant_id=world.tenant_id, admin_id=owner, template=OWN, now=NOW)
    notify.wait_for_notifications()
    assert address == 'owner@lumen.example'
    msg = inbox.last_to('owner@lumen.example')
    assert msg['Subject'] == '[Test] See you soon: Haircut'
    assert 'Lumen Studio' in text_of(msg)
    with pytest.raises(svc.TemplateRefused):  # an admin id of another business sends nothing
        svc.send_test(db, tenant_id=world.tenant_id, admin_id=stranger, template=OWN, now=NOW)
    notify.wait_for_notifications()
    assert len(inbox.messages) == 1


def test_the_outbox_lists_a_businesss_emails_and_sends_again(db, private_outbox) -> None:
    world = seed_world(db, now=NOW)
    other = seed_world(db, now=NOW, slug='other', host='other.example.com', ada_email='ada@other.example.com')
    book(db, world)
    book(db, other)
    page = svc.outbox(db, tenant_id=world.tenant_id)
    assert page.counts == {'queued': 0, 'sent': 1, 'failed': 0}
    [sent] = page.emails
    assert (sent.recipient, sent.template) == ('ada@example.com', 'appointment_booked')

    svc.resend(db, tenant_id=world.tenant_id, admin_id=None, email_id=sent.id, now=NOW)
    again = svc.outbox(db, tenant_id=world.tenant_id)
    assert again.counts['queued'] + again.counts['sent'] == 2
    assert again.emails[0].subject == sent.subject and again.emails[0].message_id != sent.message_id

    with db.write() as s:  # a failed one tries again from its first attempt
        s.execute(sa.update(t.EmailOutbox).where(t.EmailOutbox.id == sent.id).values(
            status=outbox_db.FAILED, attempts=5, last_error='SMTPServerDisconnected'))
    assert svc.outbox(db, tenant_id=world.tenant_id, status='failed').emails[0].last_error
    svc.resend(db, tenant_id=world.tenant_id, admin_id=None, email_id=sent.id, now=NOW)
    with db.read() as s:
        row = outbox_db.email(s, tenant_id=world.tenant_id, email_id=sent.id)
    assert row is not None and (row.status, row.attempts) in (('queued', 0), ('sent', 1))

    # Another business's email is not in this outbox: it can neither be listed nor sent again from here.
    [theirs] = svc.outbox(db, tenant_id=other.tenant_id).emails
    assert theirs.id not in {e.id for e in svc.outbox(db, tenant_id=world.tenant_id).emails}
    with pytest.raises(svc.OutboxRefused):
        svc.resend(db, tenant_id=world.tenant_id, admin_id=None, email_id=theirs.id, now=NOW)


def test_one_businesss_wording_never_reaches_anothers_customers(sqlite_db, inbox) -> None:
    db = sqlite_db
    world = seed_world(db, now=NOW)
    other = seed_world(db, now=NOW, slug='other', host='other.example.com', ada_email='ada@other.example.com')
    svc.save_template(db, tenant_id=world.tenant_id, admin_id=None, template=OWN, now=NOW)
    book(db, other)
    assert inbox.last_to('ada@other.example.com')['Subject'].startswith('Booked: Haircut')
    assert not svc.editable(db, tenant_id=other.tenant_id, kind_name='appointment_booked', locale='en').own


def test_template_changes_tests_and_resends_are_in_the_audit_log(sqlite_db, inbox) -> None:
    from domain.admins import AuditFilter
    from storage import audit as audit_db

    db = sqlite_db
    world = seed_world(db, now=NOW)
    owner = admin(db, world.tenant_id)
    svc.save_template(db, tenant_id=world.tenant_id, admin_id=owner, template=OWN, now=NOW)
    svc.send_test(db, tenant_id=world.tenant_id, admin_id=owner, template=OWN, now=NOW)
    svc.reset_template(db, tenant_id=world.tenant_id, admin_id=owner, kind_name='appointment_booked', locale='en',
                       now=NOW)
    notify.wait_for_notifications()
    [sent] = svc.outbox(db, tenant_id=world.tenant_id).emails
    svc.resend(db, tenant_id=world.tenant_id, admin_id=owner, email_id=sent.id, now=NOW)
    with db.read() as s:
        log = audit_db.entries(s, tenant_id=world.tenant_id, where=AuditFilter()).entries
    assert [(e.action, e.target) for e in reversed(log)] == [
        ('email_template.update', 'appointment_booked/en'), ('email.test', 'appointment_booked/en'),
        ('email_template.reset', 'appointment_booked/en'), ('email.resend', str(sent.id))]
    assert log[-1].after['subject'] == OWN.subject

"""Change emails as they arrive at a real SMTP server on loopback: who gets them, what they say, the calendar file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from services import appointments, notify, panel
from storage import tables as t
from tests.support.seed import add_appointment, seed_world
from tests.support.smtp import html_of, text_of

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def _calendar(msg: EmailMessage) -> tuple[str, Calendar]:
    parts = [p for p in msg.iter_attachments() if p.get_content_type() == 'text/calendar']
    assert len(parts) == 1, [p.get_content_type() for p in msg.iter_attachments()]
    assert parts[0].get_filename().endswith('.ics')
    return parts[0].get_param('method'), Calendar.from_ical(parts[0].get_payload(decode=True))


def _staff_email(db, world, address: str = 'mia@lumen.example') -> None:
    with db.write() as s:
        s.execute(sa.update(t.Staff).where(t.Staff.id == world.staff['mia']).values(email=address))


def test_a_cancel_emails_customer_and_staff_with_a_calendar_cancellation(sqlite_db, inbox) -> None:
    db = sqlite_db
    world = seed_world(db, now=NOW)
    _staff_email(db, world)
    appt_id = add_appointment(db, world, start=START)
    appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                               target='canceled', reason='Train strike', now=NOW)
    notify.wait_for_notifications()

    customer = inbox.last_to('ada@example.com')
    assert customer['Subject'] == 'Haircut on Wed 25 Nov 2026, 10:00–10:45 (Europe/Berlin) is now Canceled'
    body = text_of(customer)
    assert body.startswith('Hello Ada,')
    assert 'changed from Approved to Canceled' in body
    assert 'Reason given: Train strike' in body
    assert 'Main Street 1' in body
    method, cal = _calendar(customer)
    assert method == 'CANCEL'
    assert cal['METHOD'] == 'CANCEL'
    event = cal.walk('VEVENT')[0]
    assert str(event['STATUS']) == 'CANCELLED'
    assert event.decoded('DTSTART') == START
    assert str(event['UID']) == f'appointment-{appt_id}@default.kairos'
    assert int(event['SEQUENCE']) == 1  # created, then one change

    staff = inbox.last_to('mia@lumen.example')
    assert text_of(staff).startswith('Hello Mia,')
    assert 'booked by Ada Lovelace' in text_of(staff)
    assert _calendar(staff)[0] == 'CANCEL'
    assert len(inbox.messages) == 2


def test_customer_times_read_in_their_own_zone(sqlite_db, inbox) -> None:
    db = sqlite_db
    world = seed_world(db, now=NOW)
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(timezone='America/New_York'))
    appt_id = add_appointment(db, world, start=START)
    appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                               target='canceled', now=NOW)
    notify.wait_for_notifications()
    assert 'Wed 25 Nov 2026, 04:00–04:45 (America/New_York)' in text_of(inbox.last_to('ada@example.com'))
    assert len(inbox.messages) == 1  # Mia has no address: nobody else is written to


def test_a_reschedule_email_carries_an_updated_invitation(sqlite_db, inbox) -> None:
    db = sqlite_db
    world = seed_world(db, now=NOW)
    _staff_email(db, world)
    appt_id = add_appointment(db, world, start=START)
    new_start = START + timedelta(days=1, hours=2)
    # What the reschedule service does with the shared helpers: move, record and queue the emails in one write.
    before = panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id)
    assert before is not None
    with db.write() as s:
        s.execute(sa.update(t.Appointment).where(t.Appointment.id == appt_id).values(
            start=new_start, end=new_start + timedelta(minutes=45), reschedule_count=1, status_key='pending'))
        appointments.record_reschedule(s, tenant_id=world.tenant_id, before=before, new_start=new_start,
                                       new_status='pending', reason='Clash at work', now=NOW)
        queued = notify.queue_change(s, tenant_id=world.tenant_id, appointment_id=appt_id, kind=notify.RESCHEDULED,
                                     previous_start=START, reason='Clash at work', now=NOW)
    assert queued == 2

    msg = inbox.last_to('ada@example.com')
    assert msg['Subject'] == 'New time for Haircut: Thu 26 Nov 2026, 12:00–12:45 (Europe/Berlin)'
    body = text_of(msg)
    assert 'New time: Thu 26 Nov 2026, 12:00–12:45 (Europe/Berlin)' in body
    assert 'Was: Wed 25 Nov 2026, 10:00–10:45 (Europe/Berlin)' in body
    assert 'Status: Pending' in body
    assert 'Reason given: Clash at work' in body
    html = html_of(msg)
    assert html is not None and '<s>Wed 25 Nov 2026, 10:00–10:45 (Europe/Berlin)</s>' in html
    method, cal = _calendar(msg)
    assert method == 'REQUEST'
    event = cal.walk('VEVENT')[0]
    assert event.decoded('DTSTART') == new_start
    assert str(event['STATUS']) == 'TENTATIVE'
    assert int(event['SEQUENCE']) == 2  # the move and the status it brought
    assert inbox.last_to('mia@lumen.example')['Subject'] == msg['Subject']


def test_the_business_can_edit_the_templates(sqlite_db, inbox, tmp_path, monkeypatch) -> None:
    from services.config import reset_config

    folder = tmp_path / 'templates'
    folder.mkdir()
    (folder / 'appointment_status.txt').write_text('Subject: $business: $status\n\nDear $name, see you another time.\n')
    monkeypatch.setenv('KAIROS_TEMPLATES_DIR', str(folder))
    reset_config()
    db = sqlite_db
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=START)
    appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                               target='canceled', now=NOW)
    notify.wait_for_notifications()
    msg = inbox.last_to('ada@example.com')
    assert msg['Subject'] == 'Lumen Studio: Canceled'
    assert text_of(msg).strip() == 'Dear Ada, see you another time.'
    assert html_of(msg) is None  # the business's own text wins; no stale built-in HTML beside it
    assert _calendar(msg)[0] == 'CANCEL'


def test_a_refused_change_sends_nothing(sqlite_db, inbox) -> None:
    db = sqlite_db
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=NOW + timedelta(minutes=30))
    with pytest.raises(appointments.NotAllowed):
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                                   target='canceled', now=NOW)
    notify.wait_for_notifications()
    assert inbox.messages == []


def test_a_mail_failure_does_not_undo_the_change(sqlite_db, monkeypatch) -> None:
    from services.config import reset_config
    from tests.support.smtp import free_port

    monkeypatch.setenv('KAIROS_SMTP_HOST', '127.0.0.1')
    monkeypatch.setenv('KAIROS_SMTP_PORT', str(free_port()))  # nobody listens there
    reset_config()
    db = sqlite_db
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=START)
    changed = appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada,
                                         appointment_id=appt_id, target='canceled', now=NOW)
    notify.wait_for_notifications()
    assert changed.status.key == 'canceled'
    reset_config()


def test_a_new_booking_emails_customer_and_staff_with_a_calendar_invitation(sqlite_db, inbox) -> None:
    from services import booking

    db = sqlite_db
    world = seed_world(db, now=NOW)
    _staff_email(db, world)
    booked = booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                          staff_id=world.staff['mia'], start=START, now=NOW)
    notify.wait_for_notifications()

    customer = inbox.last_to('ada@example.com')
    assert customer['Subject'] == 'Booked: Haircut, Wed 25 Nov 2026, 10:00–10:45 (Europe/Berlin)'
    body = text_of(customer)
    assert body.startswith('Hello Ada,')
    assert 'with Mia Wong' in body and 'Main Street 1' in body
    method, cal = _calendar(customer)
    assert method == 'REQUEST'
    assert cal.walk('VEVENT')[0].decoded('DTSTART') == booked.start == START
    staff = inbox.last_to('mia@lumen.example')
    assert staff['Subject'] == customer['Subject']
    assert 'booked by Ada Lovelace' in text_of(staff)

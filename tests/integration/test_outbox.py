"""Durable email: rows written with the change, sent after it commits, retried when the mail server fails, never twice.

Real parts only: the SQLite file and PostgreSQL, and an aiosmtpd server on loopback that can refuse messages with a
temporary error (451) as a busy mail server does.
"""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from services import booking, mail, notify
from services.config import reset_config
from storage import outbox
from storage import tables as t
from tests.support.seed import seed_world
from tests.support.smtp import text_of

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _rows(db) -> list[outbox.OutboxEmail]:
    with db.read() as s:
        return sorted(outbox.emails(s, limit=1000), key=lambda e: e.id)


def _staff_email(db, world) -> None:
    with db.write() as s:
        s.execute(sa.update(t.Staff).where(t.Staff.id == world.staff['mia']).values(email='mia@lumen.example'))


def _book(db, world, start: datetime = START):
    return booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                        staff_id=world.staff['mia'], start=start, now=NOW)


@pytest.fixture
def mail_settings(monkeypatch: pytest.MonkeyPatch):
    """Set KAIROS_MAIL_* for one test (after the inbox fixture has pointed SMTP at its server)."""

    def apply(**values: object) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f'KAIROS_MAIL_{key.upper()}', str(value))
        reset_config()

    yield apply
    reset_config()


def test_a_booking_writes_its_emails_with_it_and_they_leave_once_after_the_commit(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    _staff_email(db, world)
    _book(db, world)
    rows = _rows(db)
    assert [(r.template, r.recipient, r.status, r.attempts, r.tenant_id) for r in rows] == [
        ('appointment_booked', 'ada@example.com', 'queued', 0, world.tenant_id),
        ('appointment_booked', 'mia@lumen.example', 'queued', 0, world.tenant_id)]
    assert rows[0].subject == 'Booked: Haircut, Wed 25 Nov 2026, 10:00–10:45 (Europe/Berlin)'

    notify.wait_for_notifications()
    received = {str(m['Message-ID']): m for m in inbox.received}
    assert sorted(received) == sorted(r.message_id for r in rows)  # each exactly once, with the id it was given
    assert text_of(received[rows[0].message_id]).startswith('Hello Ada,')
    sent = _rows(db)
    assert [(r.status, r.attempts, r.last_error) for r in sent] == [('sent', 1, ''), ('sent', 1, '')]
    assert all(r.sent_at is not None and r.sent_at >= r.created_at for r in sent)

    notify.wait_for_notifications()
    assert len(inbox.received) == 2  # a second drain finds nothing due
    assert [r.recipient for r in mail.outbox_page(db, tenant_id=world.tenant_id, status='sent')] == [
        'mia@lumen.example', 'ada@example.com']  # newest first, for the admin area
    assert mail.outbox_page(db, tenant_id=world.tenant_id, status='failed') == []


def test_a_refused_booking_writes_no_email(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    _book(db, world)
    with pytest.raises(booking.SlotTaken):
        booking.book(db, tenant_id=world.tenant_id, customer_id=world.bob, service_id=world.services['cut'],
                     staff_id=world.staff['mia'], start=START, now=NOW)
    assert [r.recipient for r in _rows(db)] == ['ada@example.com']


def test_an_email_does_not_leave_before_its_transaction_commits(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    sent_meanwhile: list[int] = []
    with db.write() as s:
        message_id = mail.queue(s, tenant_id=world.tenant_id, template='note', to='ada@example.com', subject='Hi',
                                text='Only after the commit.')
        # Another sender looks while the transaction is still open: it sees nothing to send.
        other = threading.Thread(target=lambda: sent_meanwhile.append(mail.send_due(db)))
        other.start()
        other.join(30)
    assert sent_meanwhile == [0] and inbox.received == []
    assert [str(m['Message-ID']) for m in inbox.messages] == [message_id]


def test_a_rolled_back_change_sends_nothing(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    with pytest.raises(RuntimeError), db.write() as s:
        mail.queue(s, tenant_id=world.tenant_id, template='note', to='ada@example.com', subject='Hi', text='x')
        raise RuntimeError('the change failed after queueing its email')
    assert inbox.messages == [] and _rows(db) == []


def test_a_mail_server_error_is_retried_with_a_growing_wait_then_delivered(db, inbox, mail_settings) -> None:
    mail_settings(retry_seconds=60, max_attempts=5)
    world = seed_world(db, now=NOW)
    _book(db, world)
    inbox.refuse_next = 2  # 451 twice: a busy mail server
    [row] = _rows(db)
    t0 = row.next_attempt_at

    assert mail.send_due(db, now=t0) == 0
    [row] = _rows(db)
    assert (row.status, row.attempts) == ('queued', 1)
    assert '451' in row.last_error and 'try again later' in row.last_error
    assert row.next_attempt_at == t0 + timedelta(seconds=60)

    assert mail.send_due(db, now=t0 + timedelta(seconds=59)) == 0  # not due yet: the server is not asked
    assert len(inbox.attempts) == 1

    assert mail.send_due(db, now=t0 + timedelta(seconds=60)) == 0  # refused again: the wait doubles
    [row] = _rows(db)
    assert row.attempts == 2 and row.next_attempt_at == t0 + timedelta(seconds=60 + 120)

    assert mail.send_due(db, now=t0 + timedelta(seconds=180)) == 1
    [row] = _rows(db)
    assert (row.status, row.attempts, row.last_error) == ('sent', 3, '')
    assert len(inbox.attempts) == 3
    assert [str(m['Message-ID']) for m in inbox.received] == [row.message_id]  # the same message, once


def test_a_booking_email_is_written_with_its_machine_values_and_rendered_once_when_it_is_first_sent(
        db, inbox) -> None:
    """The booking writes the row (recipient, subject, Message-ID) without rendering its body: the sender renders it
    at its first attempt and keeps it, so a retry after the business renamed the service sends the same message."""
    world = seed_world(db, now=NOW)
    booked = _book(db, world)
    [row] = _rows(db)
    assert (row.recipient, row.subject) == ('ada@example.com',
                                            'Booked: Haircut, Wed 25 Nov 2026, 10:00–10:45 (Europe/Berlin)')
    assert 'text' not in row.content
    assert row.content['render'] == {
        'change': 'booked', 'appointment_id': booked.id, 'to': 'customer', 'locale': 'en', 'previous_start': None,
        'previous_status': '', 'reason': '', 'cause': '', 'now': NOW.isoformat()}

    inbox.refuse_next = 1
    assert mail.send_due(db, now=row.next_attempt_at) == 0
    [tried] = _rows(db)
    assert tried.attempts == 1 and tried.content['text'].startswith('Hello Ada,') and 'Haircut' in tried.content['text']
    with db.write() as s:
        s.execute(sa.update(t.Service).where(t.Service.id == world.services['cut']).values(name='Restyle'))
    assert mail.send_due(db, now=tried.next_attempt_at) == 1
    [msg] = inbox.received
    assert (str(msg['Message-ID']), msg['Subject']) == (row.message_id, row.subject)
    assert 'Haircut' in text_of(msg) and 'Restyle' not in text_of(msg)  # what the first attempt rendered
    assert _rows(db)[0].content == tried.content


def test_an_email_whose_appointment_is_gone_is_given_up_not_retried(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    booked = _book(db, world)
    with db.write() as s:
        s.execute(sa.delete(t.AppointmentHistory).where(t.AppointmentHistory.appointment_id == booked.id))
        s.execute(sa.delete(t.Appointment).where(t.Appointment.id == booked.id))
    [row] = _rows(db)
    assert mail.send_due(db, now=row.next_attempt_at) == 0
    [row] = _rows(db)
    assert (row.status, row.attempts) == ('failed', 1) and 'NothingToSend' in row.last_error
    assert inbox.attempts == []


def test_after_the_last_attempt_the_email_is_marked_failed_with_the_error(db, inbox, mail_settings) -> None:
    mail_settings(retry_seconds=1, max_attempts=2)
    world = seed_world(db, now=NOW)
    _book(db, world)
    inbox.refuse_next = 5
    [row] = _rows(db)
    mail.send_due(db, now=row.next_attempt_at)
    mail.send_due(db, now=row.next_attempt_at + timedelta(hours=1))
    mail.send_due(db, now=row.next_attempt_at + timedelta(hours=2))
    [row] = _rows(db)
    assert (row.status, row.attempts, row.sent_at) == ('failed', 2, None)
    assert '451' in row.last_error
    assert len(inbox.attempts) == 2 and inbox.received == []


def test_without_smtp_the_sender_writes_the_same_message_to_the_outbox_folder(db, private_outbox) -> None:
    from services.config import get_config

    world = seed_world(db, now=NOW)
    _book(db, world)
    notify.wait_for_notifications()
    files = list(Path(get_config().outbox_dir).glob('*.eml'))
    [row] = _rows(db)
    assert row.status == 'sent'
    [msg] = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert msg['Message-ID'] == row.message_id and msg['To'] == 'ada@example.com'


def test_two_senders_on_postgresql_never_send_a_row_twice(db, inbox) -> None:
    if not db.is_postgres:
        pytest.skip('SQLite serves one process and runs one sender')
    world = seed_world(db, now=NOW)
    with db.write() as s:
        ids = [mail.queue(s, tenant_id=world.tenant_id, template='note', to=f'c{i}@example.com', subject=f'No {i}',
                          text='x') for i in range(60)]
    start = threading.Barrier(2)
    counts: list[int] = []

    def sender() -> None:
        start.wait()
        counts.append(mail.send_due(db))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    received = [str(m['Message-ID']) for m in inbox.received]
    assert sorted(received) == sorted(ids)  # every row once: none lost, none twice
    assert sum(counts) == 60 and min(counts) > 0  # both senders did part of the work
    assert {r.status for r in _rows(db)} == {'sent'}


# ---- the emails of guest holds, email changes and payments commit with their change too --------------------------


def _hold(db, world, email: str = 'grace@example.com'):
    return booking.hold_for_guest(db, tenant_id=world.tenant_id, service_id=world.services['cut'],
                                  staff_id=world.staff['mia'], start=START, first_name='Grace', last_name='Hopper',
                                  email=email, phone='', notes='', now=NOW, address='198.51.100.7')


@pytest.mark.usefixtures('fresh_limits')
def test_a_guest_hold_and_its_confirmation_write_their_emails_with_them(db, inbox) -> None:
    world = seed_world(db, now=NOW)
    _hold(db, world)
    # in the outbox as soon as the hold committed, before any sender ran
    [row] = _rows(db)
    assert (row.template, row.recipient, row.status) == ('booking_hold', 'grace@example.com', 'queued')
    with pytest.raises(booking.SlotTaken):  # a hold that finds the time taken writes no email
        _hold(db, world, email='alan@example.com')
    assert [r.recipient for r in _rows(db)] == ['grace@example.com']

    link = inbox.last_to('grace@example.com')
    assert [str(link['Message-ID'])] == [row.message_id]
    booking.confirm_hold(db, tenant_id=world.tenant_id, token=link_token(link), now=NOW)
    queued = [(r.template, r.recipient) for r in _rows(db) if r.status == 'queued']
    # the new account's welcome and the booking's email were written in the confirmation's transaction
    assert queued == [('appointment_booked', 'grace@example.com'), ('welcome', 'grace@example.com')]
    assert {str(m['Subject']) for m in inbox.to('grace@example.com')[1:]} == {
        'Booked: Haircut, Wed 25 Nov 2026, 10:00–10:45 (Europe/Berlin)', 'Welcome to Lumen Studio: set your password'}


def link_token(msg) -> str:
    from tests.support.smtp import token_in

    return token_in(msg, '/book/confirm')


@pytest.mark.usefixtures('fresh_limits')
def test_an_email_change_writes_the_link_and_the_old_address_notice_with_the_change(db, inbox) -> None:
    from services import accounts
    from tests.support.smtp import token_in

    world = seed_world(db, now=NOW)
    accounts.request_email_change(db, tenant_id=world.tenant_id, customer_id=world.ada, new_email='ada@new.example',
                                  now=NOW, signed_in_at=NOW)
    [row] = _rows(db)
    assert (row.template, row.recipient, row.status) == ('email_change', 'ada@new.example', 'queued')
    token = token_in(inbox.last_to('ada@new.example'), '/confirm-email')
    accounts.confirm_email_change(db, tenant_id=world.tenant_id, token=token, now=NOW)
    notice = [r for r in _rows(db) if r.status == 'queued']
    assert [(r.template, r.recipient) for r in notice] == [('email_changed', 'ada@example.com')]
    assert '/undo-email?token=' in notice[0].content['text']
    assert [str(m['Message-ID']) for m in inbox.to('ada@example.com')] == [notice[0].message_id]


@pytest.mark.usefixtures('fresh_limits')
def test_a_change_that_fails_after_the_link_writes_no_old_address_notice(db, inbox) -> None:
    from services import accounts
    from tests.support.smtp import token_in

    world = seed_world(db, now=NOW)
    accounts.request_email_change(db, tenant_id=world.tenant_id, customer_id=world.ada, new_email='taken@example.com',
                                  now=NOW, signed_in_at=NOW)
    token = token_in(inbox.last_to('taken@example.com'), '/confirm-email')
    with db.write() as s:  # someone else takes the address meanwhile
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.bob).values(email='taken@example.com',
                                                                                  email_norm='taken@example.com'))
    with pytest.raises(accounts.AccountError):
        accounts.confirm_email_change(db, tenant_id=world.tenant_id, token=token, now=NOW)
    assert [r.template for r in _rows(db)] == ['email_change']


def test_a_payment_taken_at_the_desk_writes_its_confirmation_with_the_credit(db, inbox) -> None:
    from services import payments
    from tests.support.seed import add_appointment

    world = seed_world(db, now=NOW)
    appt = add_appointment(db, world, start=START)
    before = len(_rows(db))
    payment_id = payments.record_offline_payment(db, tenant_id=world.tenant_id, appointment_id=appt, amount=1000,
                                                 method='cash', now=NOW)
    [row] = _rows(db)[before:]
    assert (row.template, row.recipient, row.status) == ('payment_received', 'ada@example.com', 'queued')
    assert [name for name, _, _ in row.content['attachments']] == [f'receipt-{world.tenant_id}-{payment_id:06d}.html']
    [msg] = [m for m in inbox.to('ada@example.com') if str(m['Message-ID']) == row.message_id]
    assert [part.get_filename() for part in msg.iter_attachments()] == [
        f'receipt-{world.tenant_id}-{payment_id:06d}.html']


def test_the_sender_feeds_the_email_metrics(db, inbox, mail_settings) -> None:
    from services import metrics

    mail_settings(retry_seconds=60, max_attempts=5)
    world = seed_world(db, now=NOW)
    sent, failed = metrics.EMAILS_SENT._value.get(), metrics.EMAILS_FAILED._value.get()
    _book(db, world)
    [row] = _rows(db)
    assert mail.queued_count() == 1  # the outbox row this process queued, not yet sent
    inbox.refuse_next = 1
    mail.send_due(db, now=row.next_attempt_at)
    assert (metrics.EMAILS_SENT._value.get(), metrics.EMAILS_FAILED._value.get()) == (sent, failed + 1)
    assert mail.queued_count() == 1  # waiting for its retry
    mail.send_due(db, now=row.next_attempt_at + timedelta(minutes=1))
    assert (metrics.EMAILS_SENT._value.get(), metrics.EMAILS_FAILED._value.get()) == (sent + 1, failed + 1)
    notify.wait_for_notifications()
    assert mail.queued_count() == 0

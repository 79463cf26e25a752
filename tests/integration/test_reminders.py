"""Reminders and follow-ups on a real database (SQLite file and PostgreSQL), the clock driven by the test."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from domain.reminders import ReminderSettings
from domain.settings import PanelSettings
from services import appointments, reminders, tokens
from storage import appointments as appointment_db
from storage import reminders as reminder_db
from storage import tables as t
from storage.db import Database
from tests.support.seed import World, add_appointment, seed_world

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
H = timedelta(hours=1)


def _settings(**reminder_settings: object) -> PanelSettings:
    return PanelSettings(reminders=ReminderSettings(**reminder_settings))  # type: ignore[arg-type]


def _world(db: Database, **reminder_settings: object) -> World:
    defaults: dict[str, object] = {'minutes_before': (1440, 120)}
    return seed_world(db, now=NOW, settings=_settings(**{**defaults, **reminder_settings}))


def _outbox(db: Database, template: str = 'reminder') -> list[tuple[str, str]]:
    with db.read() as s:
        rows = s.execute(sa.select(t.EmailOutbox.recipient, t.EmailOutbox.subject).where(
            t.EmailOutbox.template == template).order_by(t.EmailOutbox.id)).all()
    return [(r[0], r[1]) for r in rows]


def _sent(db: Database, world: World, appt: int) -> list[tuple[datetime, int, bool]]:
    with db.read() as s:
        return [(start, minutes, skipped) for _, _, start, minutes, skipped
                in reminder_db.sent(s, tenant_id=world.tenant_id, appointment_id=appt)]


def test_each_reminder_goes_once_at_its_time_and_never_after_the_start(db: Database) -> None:
    world = _world(db)
    appt = add_appointment(db, world, start=START)
    assert reminders.run_due(db, now=START - 25 * H) == 0  # nothing due yet
    assert reminders.run_due(db, now=START - 24 * H) == 1  # the day-before reminder
    assert reminders.run_due(db, now=START - 23 * H) == 0  # ...once
    assert reminders.run_due(db, now=START - 2 * H) == 1  # the two-hours-before one
    assert reminders.run_due(db, now=START - 1 * H) == 0
    assert reminders.run_due(db, now=START + H) == 0
    assert len(_outbox(db)) == 2
    assert _sent(db, world, appt) == [(START, 1440, False), (START, 120, False)]


def test_a_canceled_appointment_gets_no_reminder(db: Database) -> None:
    world = _world(db)
    appt = add_appointment(db, world, start=START)
    appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt,
                               target='canceled', now=NOW)
    assert reminders.run_due(db, now=START - 24 * H) == 0
    assert reminders.run_due(db, now=START - 2 * H) == 0
    assert _outbox(db) == []


def test_a_rescheduled_appointment_gets_its_reminder_again_for_the_new_time(db: Database) -> None:
    world = _world(db, minutes_before=(1440,))
    appt = add_appointment(db, world, start=START)
    assert reminders.run_due(db, now=START - 24 * H) == 1
    later = START + 48 * H
    with db.write() as s:  # the customer moves it after the reminder went
        appointment_db.move_appointment(s, tenant_id=world.tenant_id, appointment_id=appt,
                                        staff_id=world.staff['mia'], start=later, end=later + 45 * timedelta(minutes=1),
                                        status_key='approved')
    assert reminders.run_due(db, now=START - 23 * H) == 0  # nothing due for the new time yet
    assert reminders.run_due(db, now=later - 24 * H) == 1
    assert reminders.run_due(db, now=later - 20 * H) == 0
    assert [start for start, _, _ in _sent(db, world, appt)] == [START, later]


def test_a_server_down_at_the_due_time_sends_only_the_nearest_reminder_and_only_before_the_start(
        db: Database) -> None:
    world = _world(db)
    late = add_appointment(db, world, start=START)
    missed = add_appointment(db, world, start=START + 3 * H, staff='leo', customer=world.bob)
    # Down for a day: at START - 1 h both of `late`'s reminders are due; `missed` starts in 3 h (the day-before one
    # is due), and an appointment that already started gets nothing.
    started = add_appointment(db, world, start=START - 90 * timedelta(minutes=1), staff='leo')
    assert reminders.run_due(db, now=START - H) == 2
    assert _sent(db, world, late) == [(START, 1440, True), (START, 120, False)]
    assert _sent(db, world, missed) == [(START + 3 * H, 1440, False)]
    assert _sent(db, world, started) == []
    assert reminders.run_due(db, now=START - 5 * timedelta(minutes=1)) == 0  # `late`: too close to its start


def test_a_business_sets_reminders_per_service_and_customers_may_turn_them_off(db: Database) -> None:
    world = _world(db, minutes_before=(1440,), per_service={})
    with db.write() as s:
        settings = _settings(minutes_before=(1440,), per_service={world.services['colour']: (60,)})
        s.execute(sa.update(t.Tenant).where(t.Tenant.id == world.tenant_id).values(settings=settings.to_dict()))
    cut = add_appointment(db, world, start=START)
    colour = add_appointment(db, world, start=START + 4 * H, service='colour', staff='leo', customer=world.bob)
    assert reminders.run_due(db, now=START - 24 * H) == 1
    assert [x[1] for x in _sent(db, world, cut)] == [1440]
    assert reminders.run_due(db, now=START + 3 * H) == 1  # the colour's own reminder, an hour ahead
    assert [x[1] for x in _sent(db, world, colour)] == [60]

    quiet = add_appointment(db, world, start=START + 48 * H)
    reminders.set_email_reminders(db, tenant_id=world.tenant_id, customer_id=world.ada, on=False)
    assert reminders.run_due(db, now=START + 24 * H) == 0
    assert _sent(db, world, quiet) == []


def test_two_instances_at_once_send_each_reminder_exactly_once(database_url: str) -> None:
    """Two schedulers with their own database handles (as two servers have) run the same round at the same time."""
    first, second = Database(database_url), Database(database_url)
    try:
        world = _world(first, minutes_before=(1440,))
        ids = []
        for i in range(60):
            start = START + i * timedelta(minutes=5)
            ids.append(add_appointment(first, world, start=start, staff='mia' if i % 2 else 'leo',
                                       customer=world.ada if i % 3 else world.bob))
        barrier = threading.Barrier(2)
        counts: list[int] = []
        errors: list[BaseException] = []

        def instance(db: Database) -> None:
            try:
                barrier.wait()
                counts.append(reminders.run_due(db, now=START - H))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=instance, args=(db,)) for db in (first, second)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        assert errors == []
        assert sum(counts) == 60
        assert len(_outbox(first)) == 60
        with first.read() as s:
            per_appointment = s.execute(sa.select(t.ReminderSent.appointment_id, sa.func.count()).group_by(
                t.ReminderSent.appointment_id)).all()
        assert sorted(a for a, _ in per_appointment) == sorted(ids)
        assert {n for _, n in per_appointment} == {1}
        assert reminders.run_due(second, now=START - H) == 0  # and once more changes nothing
    finally:
        first.dispose()
        second.dispose()


def test_a_follow_up_asks_for_a_rating_once_after_a_completed_visit(db: Database) -> None:
    world = _world(db, minutes_before=(), follow_up=True)
    done = add_appointment(db, world, start=START)
    no_show = add_appointment(db, world, start=START, staff='leo', customer=world.bob, status='no-show')
    end = START + 45 * timedelta(minutes=1)
    assert reminders.run_due(db, now=end + H) == 0  # too soon after the visit
    assert reminders.run_due(db, now=end + 3 * H) == 1
    assert reminders.run_due(db, now=end + 5 * H) == 0
    assert _sent(db, world, done) == [(START, 0, False)]
    assert _sent(db, world, no_show) == []

    rated = add_appointment(db, world, start=START + 24 * H)
    appointments.rate(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=rated, stars=5,
                      now=end + 26 * H)
    assert reminders.run_due(db, now=end + 27 * H) == 0


def test_the_follow_up_is_off_by_default(db: Database) -> None:
    world = _world(db, minutes_before=())
    add_appointment(db, world, start=START)
    assert reminders.run_due(db, now=START + 4 * H) == 0


def _reminder_token(db: Database, world: World, appt: int, now: datetime) -> str:
    with db.write() as s:
        return tokens.issue_in(s, tenant_id=world.tenant_id, customer_id=world.ada, purpose=tokens.Purpose.REMINDER,
                               now=now, payload=str(appt), keep_earlier=True, expires_at=START)


def test_confirming_from_a_reminder_approves_a_pending_visit_by_the_customer(db: Database) -> None:
    world = _world(db, ask_confirmation=True)
    appt = add_appointment(db, world, start=START, status='pending')
    token = _reminder_token(db, world, appt, NOW)
    view = reminders.reminder_view(db, tenant_id=world.tenant_id, token=token, now=NOW)
    assert view.confirm is None and view.cancel is None and view.confirmed_at is None
    after = reminders.confirm_visit(db, tenant_id=world.tenant_id, token=token, now=NOW)
    assert after.appointment.status.key == 'approved'
    assert after.confirmed_at == NOW
    with db.read() as s:
        assert reminder_db.confirmation(s, tenant_id=world.tenant_id, appointment_id=appt) == (NOW, 'customer')
    last = after.appointment.history[-1]
    assert (last.actor, last.action, last.data['from'], last.data['to'], last.data['cause']) == (
        'customer', 'status_changed', 'pending', 'approved', 'confirmed_from_reminder')
    with pytest.raises(appointments.NotAllowed):  # once
        reminders.confirm_visit(db, tenant_id=world.tenant_id, token=token, now=NOW)


def test_a_reminder_link_cancels_within_the_rules_and_only_its_own_appointment(db: Database) -> None:
    world = _world(db)
    appt = add_appointment(db, world, start=START)
    token = _reminder_token(db, world, appt, NOW)
    with pytest.raises(appointments.NotAllowed):  # this business does not ask for confirmations
        reminders.confirm_visit(db, tenant_id=world.tenant_id, token=token, now=NOW)
    late = reminders.reminder_view(db, tenant_id=world.tenant_id, token=token, now=START - 30 * timedelta(minutes=1))
    assert late.cancel is not None  # changes close an hour before (change_closes_minutes)
    after = reminders.cancel_visit(db, tenant_id=world.tenant_id, token=token, now=NOW)
    assert after.appointment.status.key == 'canceled'
    with pytest.raises(tokens.InvalidToken):
        reminders.reminder_view(db, tenant_id=world.tenant_id, token=token + 'x', now=NOW)
    with pytest.raises(tokens.InvalidToken):  # the link ends when the visit starts
        reminders.reminder_view(db, tenant_id=world.tenant_id, token=token, now=START)


def test_the_reminder_arrives_in_the_customers_language_and_zone_with_its_calendar_and_buttons(
        sqlite_db: Database, inbox) -> None:
    from email.message import EmailMessage

    from icalendar import Calendar

    from services import notify
    from tests.support.smtp import html_of, text_of

    db = sqlite_db
    world = _world(db, minutes_before=(1440,), ask_confirmation=True)
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(language='de',
                                                                                 timezone='America/New_York'))
    appt = add_appointment(db, world, start=START, status='pending')
    assert reminders.run_due(db, now=START - 24 * H) == 1
    notify.wait_for_notifications()

    msg: EmailMessage = inbox.last_to('ada@example.com')
    assert msg['Subject'].startswith('Erinnerung: Haircut')
    body = text_of(msg)
    assert body.startswith('Hallo Ada,')
    assert 'Lumen Studio' in body and 'Mia Wong' in body and 'Main Street 1' in body
    assert '04:00' in body and '(America/New_York)' in body  # 10:00 in Berlin, read in the customer's own zone
    assert 'Bitte bestätigen Sie' in body
    links = {kind: link for kind in ('confirm', 'reschedule', 'cancel')
             for link in body.split() if link.endswith(f'&do={kind}')}
    assert set(links) == {'confirm', 'reschedule', 'cancel'}
    assert all(link.startswith('http://127.0.0.1:8080/reminder?token=') for link in links.values())
    assert 'Mir Erinnerungen per E-Mail senden' in body and 'http://127.0.0.1:8080/profile' in body  # how to stop them
    html = html_of(msg)
    assert html is not None and 'lang="de"' in html and links['confirm'].replace('&', '&amp;') in html
    parts = [p for p in msg.iter_attachments() if p.get_content_type() == 'text/calendar']
    event = Calendar.from_ical(parts[0].get_payload(decode=True)).walk('VEVENT')[0]
    assert event.decoded('DTSTART') == START

    # The link opens our page; the click there confirms (the token alone changes nothing)
    token = links['confirm'].split('token=', 1)[1].split('&', 1)[0]
    with db.read() as s:
        assert reminder_db.confirmation(s, tenant_id=world.tenant_id, appointment_id=appt) == (None, None)
    after = reminders.confirm_visit(db, tenant_id=world.tenant_id, token=token, now=START - 23 * H)
    assert after.appointment.status.key == 'approved'


def test_a_moved_appointment_is_no_longer_confirmed(db: Database) -> None:
    world = _world(db, ask_confirmation=True)
    appt = add_appointment(db, world, start=START)
    token = _reminder_token(db, world, appt, NOW)
    reminders.confirm_visit(db, tenant_id=world.tenant_id, token=token, now=NOW)
    with db.write() as s:
        appointment_db.move_appointment(s, tenant_id=world.tenant_id, appointment_id=appt,
                                        staff_id=world.staff['mia'], start=START + H, end=START + 2 * H,
                                        status_key='pending')
    view = reminders.reminder_view(db, tenant_id=world.tenant_id, token=token, now=NOW)
    assert view.confirmed_at is None and view.confirm is None  # the new time may be confirmed again


def test_the_scheduler_runs_in_the_background_and_stops_with_the_runtime(sqlite_db: Database,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from services import runtime
    from services.config import reset_config

    monkeypatch.setenv('KAIROS_REMINDER_POLL_SECONDS', '0.05')
    reset_config()
    db = sqlite_db
    now = datetime.now(UTC)
    world = _world(db, minutes_before=(120,))
    appt = add_appointment(db, world, start=(now + H).replace(microsecond=0))
    reminders.start_scheduler(db)
    thread = runtime.get().reminders.thread
    assert thread is not None and thread.is_alive()
    for _ in range(200):  # wait for its first rounds (not timed: it only has to happen)
        if _sent(db, world, appt):
            break
        time.sleep(0.05)
    assert [minutes for _, minutes, _ in _sent(db, world, appt)] == [120]
    runtime.reset()
    assert not thread.is_alive()
    reset_config()


def test_the_follow_up_email_links_to_the_rating_prompt_and_says_how_to_stop(sqlite_db: Database, inbox) -> None:
    from services import notify
    from tests.support.smtp import text_of

    db = sqlite_db
    world = _world(db, minutes_before=(), follow_up=True)
    appt = add_appointment(db, world, start=START)
    assert reminders.run_due(db, now=START + 4 * H) == 1
    notify.wait_for_notifications()
    msg = inbox.last_to('ada@example.com')
    assert msg['Subject'] == 'How was your visit to Lumen Studio?'
    body = text_of(msg)
    assert 'Thank you for your visit: Haircut with Mia Wong on' in body
    assert f'http://127.0.0.1:8080/?open=details&appointment={appt}' in body
    assert 'turn off "Email me reminders" in Profile: http://127.0.0.1:8080/profile' in body
    assert len(inbox.messages) == 1


def test_a_manager_saves_the_reminders_and_a_business_sees_only_its_own(db: Database) -> None:
    from storage import audit as audit_db
    from tests.support.seed import add_admin

    world = _world(db, minutes_before=())
    other = seed_world(db, now=NOW, slug='other', host='other.example', ada_email='ada@other.example')
    manager = add_admin(db, world, email='maya@example.com', name='Maya', role='manager')
    stranger = add_admin(db, other, email='olga@other.example')
    chosen = ReminderSettings(minutes_before=(1440, 120), per_service={world.services['yoga']: ()}, follow_up=True)
    reminders.save_settings(db, tenant_id=world.tenant_id, admin_id=manager, reminders=chosen, now=NOW)
    view = reminders.settings_view(db, tenant_id=world.tenant_id, admin_id=manager)
    assert view.settings == chosen
    assert sorted(name for _, name in view.services) == ['Colour & cut', 'Haircut', 'Pilates mat class']
    with db.read() as s:
        assert audit_db.actions(s, tenant_id=world.tenant_id) == ['reminders.update']
    from domain.admins import NotAllowed as AdminNotAllowed

    with pytest.raises(AdminNotAllowed):  # an admin of another business is no admin here
        reminders.save_settings(db, tenant_id=world.tenant_id, admin_id=stranger, reminders=ReminderSettings(),
                                now=NOW)
    from domain.reminders import ReminderSettingsError

    with pytest.raises(ReminderSettingsError):
        reminders.save_settings(db, tenant_id=world.tenant_id, admin_id=manager,
                                reminders=ReminderSettings(minutes_before=(60, 60)), now=NOW)
    assert reminders.settings_view(db, tenant_id=world.tenant_id, admin_id=manager).settings == chosen
    with db.read() as s:
        from storage import tenants as tenant_db

        assert tenant_db.panel_settings(s, tenant_id=other.tenant_id).reminders == ReminderSettings()


def test_a_business_rewords_the_reminder_in_the_admins_email_editor(sqlite_db: Database) -> None:
    from domain.emails import EmailTemplate
    from storage import email_templates as template_db

    db = sqlite_db
    world = _world(db, minutes_before=(1440,))
    with db.write() as s:
        template_db.save(s, tenant_id=world.tenant_id, template=EmailTemplate(
            kind='reminder', locale='en', subject='See you soon at $business',
            text='Hi $name, $what on $when. Cannot come? $cancel_link', html=None), now=NOW)
    add_appointment(db, world, start=START)
    assert reminders.run_due(db, now=START - 24 * H) == 1
    with db.read() as s:
        row = s.execute(sa.select(t.EmailOutbox.subject, t.EmailOutbox.content).where(
            t.EmailOutbox.template == 'reminder')).one()
    assert row[0] == 'See you soon at Lumen Studio'
    assert row[1]['text'].startswith('Hi Ada, Haircut with Mia Wong on ')
    assert '/reminder?token=' in row[1]['text'] and row[1]['text'].rstrip().endswith('&do=cancel')

"""The front desk in the browser: the appointments list filtered and paged, one opened and changed, money taken,
the calendar's day and week, the CSV link, and that one business's desk never shows another's appointments."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from nicegui.testing import User

from domain.desk import AppointmentFilter
from services import booking, desk, ratelimit
from tests.support.seed import add_admin, add_appointment, open_at, seed_world
from tests.ui.conftest import HeldBack, admin_in, admin_signs_in, eventually, field, pick_time

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


async def desk_opens(user: User, db, world, appointment_id: int) -> None:
    """The studio's owner signs in at the desk's appointments list and opens this appointment's dialog."""
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signs_in(user, target='/admin/appointments')
    await user.should_see(marker=f'appt-open-{appointment_id}', retries=50)
    user.find(marker=f'appt-open-{appointment_id}').click()
    await user.should_see(marker='appt-dialog', retries=50)


async def test_the_list_filters_by_staff_and_customer_and_opens_one_to_change_and_pay(user: User, db) -> None:
    world = seed_world(db, now=NOW, slug='default')
    ada = add_appointment(db, world, start=NOW + timedelta(days=1), staff='mia', status='pending')
    bob = add_appointment(db, world, customer=world.bob, start=NOW + timedelta(days=2), staff='leo')
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signs_in(user, target='/admin/appointments')
    await user.should_see(marker=f'appt-{ada}', retries=50)
    await user.should_see(marker=f'appt-{bob}')
    await user.should_see('2 appointments')
    field(user, 'appt-staff').value = world.staff['leo']
    await user.should_not_see(marker=f'appt-{ada}', retries=50)
    await user.should_see(marker=f'appt-{bob}')
    field(user, 'appt-staff').value = 0
    field(user, 'appt-text').value = 'lovelace'
    await user.should_not_see(marker=f'appt-{bob}', retries=50)
    user.find(marker=f'appt-open-{ada}').click()
    await user.should_see(marker='appt-dialog', retries=50)
    field(user, 'appt-new-status').value = 'approved'
    user.find(marker='appt-set-status').click()
    await user.should_see('The status is changed.', retries=50)
    await user.should_not_see(marker='appt-dialog')  # gone, not just closed: its controls would act on the old state
    opened = desk.detail(db, tenant_id=world.tenant_id, admin_id=1, appointment_id=ada)
    assert opened.appointment.status.key == 'approved' and opened.appointment.history[-1].actor == 'staff'
    user.find(marker=f'appt-open-{ada}').click()
    await user.should_see(marker='appt-amount', retries=50)
    user.find(marker='appt-take-payment').click()
    await user.should_see('The payment is recorded.', retries=50)
    assert desk.detail(db, tenant_id=world.tenant_id, admin_id=1, appointment_id=ada).row.payment == 'paid'


async def test_a_dialog_opened_stays_open_while_the_list_is_drawn_again(user: User, db) -> None:
    world = seed_world(db, now=NOW, slug='default')
    ada = add_appointment(db, world, start=NOW + timedelta(days=1), staff='mia')
    bob = add_appointment(db, world, customer=world.bob, start=NOW + timedelta(days=2), staff='leo')
    await desk_opens(user, db, world, ada)
    field(user, 'appt-text').value = 'lovelace'  # the search answers while the dialog is open: the list is redrawn
    await user.should_not_see(marker=f'appt-{bob}', retries=50)
    await user.should_see(marker='appt-dialog')
    user.find(marker='appt-take-payment').click()
    await user.should_see('The payment is recorded.', retries=50)
    assert desk.detail(db, tenant_id=world.tenant_id, admin_id=1, appointment_id=ada).row.payment == 'paid'


async def test_the_history_at_the_desk_names_the_customer_not_you(user: User, db) -> None:
    """The customer's panel says "by you" of the customer's own steps; the business reading the same history must
    not see itself called the one who booked."""
    world = seed_world(db, now=NOW, slug='default')
    booked = booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                          staff_id=world.staff['mia'], start=open_at(NOW, 3), now=NOW)
    await desk_opens(user, db, world, booked.id)
    await user.should_see(marker='history-entry', retries=50)
    await user.should_see('· by the customer')
    await user.should_not_see('by you')


async def test_an_appointment_opened_as_the_list_is_drawn_again_still_opens(user: User, db, monkeypatch) -> None:
    """A slow answer to Open arrives after a redraw replaced the row it was clicked in (a slow phone, a busy server)."""
    world = seed_world(db, now=NOW, slug='default')
    ada = add_appointment(db, world, start=NOW + timedelta(days=1), staff='mia')
    bob = add_appointment(db, world, customer=world.bob, start=NOW + timedelta(days=2), staff='leo')
    add_admin(db, world)
    ratelimit.reset_limiter()
    slow = HeldBack(desk.detail)
    await admin_signs_in(user, target='/admin/appointments')
    await user.should_see(marker=f'appt-open-{ada}', retries=50)
    monkeypatch.setattr(desk, 'detail', slow)
    user.find(marker=f'appt-open-{ada}').click()
    await eventually(slow.asked.is_set)
    field(user, 'appt-text').value = 'lovelace'
    await user.should_not_see(marker=f'appt-{bob}', retries=50)
    slow.answer.set()
    await user.should_see(marker='appt-dialog', retries=50)
    monkeypatch.setattr(desk, 'detail', slow.func)
    user.find(marker='appt-take-payment').click()
    await user.should_see('The payment is recorded.', retries=50)


async def test_a_late_answer_to_an_older_filter_is_not_drawn_over_a_newer_one(user: User, db, monkeypatch) -> None:
    world = seed_world(db, now=NOW, slug='default')
    ada = add_appointment(db, world, start=NOW + timedelta(days=1), staff='mia')
    bob = add_appointment(db, world, customer=world.bob, start=NOW + timedelta(days=2), staff='leo')
    add_admin(db, world)
    ratelimit.reset_limiter()
    leo = world.staff['leo']
    slow = HeldBack(desk.appointment_list, when=lambda where, **_: where.staff_id == leo)
    await admin_signs_in(user, target='/admin/appointments')
    await user.should_see(marker=f'appt-{bob}', retries=50)
    monkeypatch.setattr(desk, 'appointment_list', slow)
    field(user, 'appt-staff').value = leo
    await eventually(slow.asked.is_set)
    field(user, 'appt-staff').value = world.staff['mia']  # changed again before Leo's list came
    await user.should_not_see(marker=f'appt-{bob}', retries=50)
    await user.should_see(marker=f'appt-{ada}')
    slow.answer.set()
    await eventually(slow.answered.is_set)
    for _ in range(40):  # the page has had Leo's list well within this; it must not draw it over Mia's
        await asyncio.sleep(0.05)
        await user.should_not_see(marker=f'appt-{bob}')
    await user.should_see(marker=f'appt-{ada}')


async def test_the_calendar_shows_the_week_by_staff_and_links_to_the_appointment(user: User, db) -> None:
    world = seed_world(db, now=NOW, slug='default')
    appt = add_appointment(db, world, start=NOW + timedelta(hours=2), staff='leo')
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signs_in(user, target='/admin/calendar')
    await user.should_see(marker='calendar-week', retries=50)
    await user.should_see('Leo Park')
    await user.should_see(marker=f'calendar-appt-{appt}')
    day = (NOW + timedelta(hours=2)).astimezone(ZoneInfo('Europe/Berlin')).date()
    await user.open(f'/admin/calendar?view=day&day={day.isoformat()}')
    await user.should_see(marker='calendar-day', retries=50)
    await user.should_see(marker=f'calendar-appt-{appt}')


async def test_the_day_view_draws_the_working_day_and_an_early_visit_not_the_night(user: User, db) -> None:
    world = seed_world(db, now=NOW, slug='default')
    zone = ZoneInfo('Europe/Berlin')
    early = add_appointment(db, world, start=datetime(2031, 6, 11, 6, 30, tzinfo=zone), staff='leo')
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signs_in(user, target='/admin/calendar')
    await user.open('/admin/calendar?view=day&day=2031-06-11')
    await user.should_see(marker=f'calendar-appt-{early}', retries=50)
    for hour in ('06:00', '08:00', '19:00'):
        await user.should_see(hour)
    for hour in ('00:00', '05:00', '20:00', '23:00'):
        await user.should_not_see(hour)
    item = field(user, f'calendar-appt-{early}')
    assert item._style['top'] == '24px'  # half an hour below the 06:00 line, where the view now starts


async def test_another_business_desk_shows_nothing_of_this_one(user: User, db) -> None:
    studio = seed_world(db, now=NOW, slug='studio')
    theirs = add_appointment(db, studio, start=NOW + timedelta(days=1))
    await admin_in(user, db, now=NOW, slug='default', target='/admin/appointments')
    await user.should_see('0 appointments', retries=50)
    await user.should_not_see(marker=f'appt-{theirs}')
    await user.open(f'/admin/appointments?open={theirs}')
    await user.should_see('That appointment was not found.', retries=50)


async def test_the_flagged_payments_page_keeps_one_as_credit(user: User, db) -> None:
    from domain import model as d
    from storage import payments as payment_db
    world = seed_world(db, now=NOW, slug='default')
    appt = add_appointment(db, world, start=NOW + timedelta(days=1), paid=4500)
    with db.write() as s:
        held = payment_db.add_payment(s, tenant_id=world.tenant_id, amount=4500, currency='eur', method='card',
                                      state=d.PaymentState.FLAGGED.value, created_at=NOW, appointment_id=appt)
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signs_in(user, target='/admin/payments')
    await user.should_see(marker=f'flagged-{held}', retries=50)
    await user.should_see('Ada Lovelace', retries=5)
    user.find(marker=f'flagged-accept-{held}').click()
    await user.should_see(marker='flagged-empty', retries=50)
    assert desk.detail(db, tenant_id=world.tenant_id, admin_id=1, appointment_id=appt).appointment.amount_paid == 9000


async def test_the_desk_moves_an_appointment_with_the_slot_picker(user: User, db) -> None:
    from tests.ui.test_reschedule import berlin, show_day, workday
    world = seed_world(db, now=NOW, slug='default')
    day = workday(NOW, 3)
    appt = add_appointment(db, world, start=berlin(day, 11))
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signs_in(user, target=f'/admin/appointments?open={appt}')
    await user.should_see(marker='appt-dialog', retries=50)
    user.find(marker='appt-move').click()
    await user.should_see(marker='move-dialog', retries=50)
    assert '15:00' in await show_day(user, day)
    pick_time(user, '15:00')
    user.find(marker='move-confirm').click()
    await user.should_see('The appointment is moved.', retries=50)
    moved = desk.detail(db, tenant_id=world.tenant_id, admin_id=1, appointment_id=appt).appointment
    assert moved.start == berlin(day, 15) and moved.start.astimezone(ZoneInfo('Europe/Berlin')).hour == 15
    assert (moved.history[-1].action, moved.history[-1].actor) == ('rescheduled', 'staff')


async def test_the_desk_books_for_a_customer_it_finds(user: User, db) -> None:
    from tests.ui.test_reschedule import berlin, show_day, workday
    world = seed_world(db, now=NOW, slug='default')
    day = workday(NOW, 3)
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signs_in(user, target='/admin/appointments')
    await user.should_see(marker='appt-new', retries=50)
    user.find(marker='appt-new').click()
    await user.should_see(marker='new-dialog', retries=50)
    field(user, 'new-customer-search').value = 'byte'
    for _ in range(100):
        if field(user, 'new-customer').value == world.bob:
            break
        await asyncio.sleep(0.05)
    assert field(user, 'new-customer').value == world.bob
    field(user, 'new-service').value = world.services['cut']
    field(user, 'new-staff').value = world.staff['mia']
    assert '16:00' in await show_day(user, day)
    pick_time(user, '16:00')
    user.find(marker='new-book').click()
    await user.should_see('The appointment is booked.', retries=50)
    rows = desk.appointment_list(db, tenant_id=world.tenant_id, admin_id=1,
                                 where=AppointmentFilter(text='byte')).rows
    assert [(r.start, r.staff_name) for r in rows] == [(berlin(day, 16), 'Mia Wong')]


async def test_the_calendar_shows_who_confirmed_from_the_reminder(user: User, db) -> None:
    from storage import reminders as reminder_db
    world = seed_world(db, now=NOW, slug='default')
    confirmed = add_appointment(db, world, start=NOW + timedelta(hours=2), staff='leo', status='pending')
    other = add_appointment(db, world, start=NOW + timedelta(hours=5), staff='mia')
    with db.write() as s:
        reminder_db.set_confirmed(s, tenant_id=world.tenant_id, appointment_id=confirmed, by='customer', at=NOW)
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signs_in(user, target='/admin/calendar')
    await user.should_see(marker=f'calendar-appt-{confirmed}', retries=50)
    await user.should_see(marker=f'calendar-confirmed-{confirmed}')
    await user.should_not_see(marker=f'calendar-confirmed-{other}')
    item = next(iter(user.find(marker=f'calendar-appt-{confirmed}').elements))
    assert item.props['aria-label'].endswith('confirmed by the customer')
    plain = next(iter(user.find(marker=f'calendar-appt-{other}').elements))
    assert 'confirmed' not in plain.props['aria-label']
    day = (NOW + timedelta(hours=2)).astimezone(ZoneInfo('Europe/Berlin')).date()
    await user.open(f'/admin/calendar?view=day&day={day.isoformat()}')
    await user.should_see(marker=f'calendar-confirmed-{confirmed}', retries=50)


async def test_the_overview_shows_the_visits_still_to_come_today_and_what_waits(user: User, db, monkeypatch) -> None:
    """The business's day at a glance: today's visits on its own clock (a canceled one is not a visit, one already
    over is counted but not listed, tomorrow's is not today's), each opening at the desk, and a failed email."""
    from sqlalchemy import update

    from storage import outbox as outbox_db
    from storage import tables as t

    zone = ZoneInfo('Europe/Berlin')
    morning = datetime(2031, 6, 11, 9, 30, tzinfo=zone)  # a Wednesday, on the business's clock
    read_today = desk.today
    monkeypatch.setattr(desk, 'today', lambda db, **asked: read_today(db, **{**asked, 'now': morning}))
    world = seed_world(db, now=NOW, slug='default')

    def visit(hour: int, *, day: int = 11, status: str = 'approved', customer: int | None = None) -> int:
        return add_appointment(db, world, customer=customer, start=datetime(2031, 6, day, hour, tzinfo=zone),
                               status=status)

    over, soon, later = visit(8), visit(10, customer=world.bob), visit(14, status='pending')
    canceled, tomorrow = visit(12, status='canceled'), visit(10, day=12)
    with db.write() as s:
        outbox_db.insert(s, tenant_id=world.tenant_id, template='appointment_booked', recipient='ada@example.com',
                         subject='Booked', message_id='<one@kairos>', content={}, now=morning)
        s.execute(update(t.EmailOutbox).values(status=outbox_db.FAILED, attempts=5))
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signs_in(user, target='/admin')
    await user.should_see('3 visits today · 2 still to come', retries=50)
    await user.should_see('Today, Wednesday 11 June 2031')
    await user.should_see(marker=f'admin-today-{soon}')
    await user.should_see(marker=f'admin-today-{later}')
    for hidden in (over, canceled, tomorrow):
        await user.should_not_see(marker=f'admin-today-{hidden}')
    await user.should_see('1 email failed to go out')
    await user.should_not_see(marker='admin-today-flagged')  # nothing held for review

    user.find(marker=f'admin-today-{soon}').click()
    await user.should_see(marker='appt-dialog', retries=50)
    await user.should_see('Bob')

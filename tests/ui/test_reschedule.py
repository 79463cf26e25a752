"""The Reschedule drawer as a customer uses it: free dates and times, confirm, and what happens when time is taken."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from nicegui import ui
from nicegui.testing import User

from services import availability, booking, events, notify, panel
from services import formatting as fmt
from storage import appointments as appointment_db
from storage import tables as t
from tests.support.seed import World, add_appointment, seed_world
from tests.ui.conftest import pick_time, signed_in, times_shown
from tests.ui.test_book import choose_first_time, picked_day, shown_slots

BERLIN = ZoneInfo('Europe/Berlin')


def cards(user: User):
    """The element that draws the appointment cards (and emits their actions)."""
    try:
        from ui.components.appointments_view import AppointmentsView
    except ImportError:  # the earlier grid
        return user.find(ui.table)
    return user.find(AppointmentsView)


async def card_rows(user: User) -> list[dict]:
    for _ in range(60):
        try:
            found = cards(user).elements.pop().rows
            if found:
                return found
        except AssertionError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError('no appointment cards appeared')


async def open_drawer(user: User, appointment_id: int) -> None:
    await card_rows(user)
    cards(user).trigger('action', {'kind': 'reschedule', 'id': appointment_id})
    await user.should_see(marker='reschedule-drawer', retries=50)  # up to 5 s: the drawer reads its month first


def workday(now: datetime, after: int) -> date:
    """The first Monday-to-Saturday (the studio's week) at least `after` days from now, in Berlin."""
    day = now.astimezone(BERLIN).date() + timedelta(days=after)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day


async def drawer_open(user: User, db) -> tuple[datetime, World, int]:
    """Ada, with a haircut at 11:00 on a working day three days on, has its Reschedule drawer open."""
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=berlin(workday(now, 3), 11))
    await signed_in(user)
    await open_drawer(user, appt)
    return now, world, appt


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


async def show_day(user: User, day: date) -> list[str]:
    """Pick `day` in the calendar and return the times offered on it."""
    await shown_slots(user)  # the first free date has loaded
    user.find(marker='slot-date').elements.pop().set_value(day.isoformat())
    words = fmt.date(berlin(day, 12), BERLIN)
    await user.should_see(f'Free times on {words}', retries=50)
    return times_shown(user)


def stored(db, world: World, appointment_id: int):
    return panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada,
                                    appointment_id=appointment_id)


async def test_the_calendar_leaves_out_a_date_whose_only_free_time_is_the_visits_own(user: User, db) -> None:
    """Mia is booked all that day but for Ada's haircut: the drawer (with Mia) must not offer that date, whether it
    opens on that month or is navigated to it, nor open it when picked, where it would say 'no free times left'."""
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    day = workday(now, 3)
    appt = add_appointment(db, world, start=berlin(day, 10))
    for hour, minute, minutes in ((9, 0, 60), (10, 45, 75), (13, 0, 300)):
        add_appointment(db, world, customer=world.bob, start=berlin(day, hour, minute), minutes=minutes)
    await signed_in(user)
    await open_drawer(user, appt)
    first = await shown_slots(user)
    assert picked_day(user) != day  # it opened on another date with times
    calendar = user.find(marker='slot-date').elements.pop()
    assert day.strftime('%Y/%m/%d') not in calendar.props['options'] or day.month != picked_day(user).month
    after = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for year, month in (after, (day.year, day.month)):  # away, and back: the month is read again
        user.find(marker='slot-date').trigger('navigation', {'year': year, 'month': month})
        for _ in range(100):
            if calendar.props['default-year-month'] == f'{year:04d}/{month:02d}':
                break
            await asyncio.sleep(0.05)
        assert calendar.props['default-year-month'] == f'{year:04d}/{month:02d}'
    offered = calendar.props['options']
    assert day.strftime('%Y/%m/%d') not in offered
    assert (day + timedelta(days=1)).strftime('%Y/%m/%d') in offered or day.weekday() == 5
    calendar.set_value(day.isoformat())  # picked anyway (keyboard): refused, the shown times stay
    await asyncio.sleep(0.5)
    await user.should_not_see('No free times left on this day')
    assert times_shown(user) == first


async def test_ada_moves_her_haircut_to_the_first_free_time(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    day = workday(now, 3)
    appt = add_appointment(db, world, start=berlin(day, 11))
    await signed_in(user)
    assert (await card_rows(user))[0]['can_reschedule'] is True
    await open_drawer(user, appt)
    await user.should_see('Now:')
    await shown_slots(user)
    first_day = picked_day(user)
    expected = availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['cut'],
                                      staff_id=world.staff['mia'], day=first_day, now=datetime.now(UTC),
                                      ignore_appointment_id=appt)[0]
    label = await choose_first_time(user)
    assert label == expected.start.astimezone(BERLIN).strftime('%H:%M')
    await user.should_see(f'New time: {fmt.when(expected.start, expected.end, BERLIN)}')
    user.find(marker='reschedule-confirm').click()
    await user.should_see('Moved to', retries=50)
    after = stored(db, world, appt)
    assert (after.start, after.staff.name, after.status.key) == (expected.start, 'Mia Wong', 'pending')
    notify.wait_for_notifications()


async def test_the_appointment_does_not_block_its_own_time(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    day = workday(now, 3)
    appt = add_appointment(db, world, start=berlin(day, 11))
    add_appointment(db, world, customer=world.bob, start=berlin(day, 14))  # Bob's time is Mia's too: not offered
    await signed_in(user)
    await open_drawer(user, appt)
    offered = await show_day(user, day)
    assert '10:30' in offered and '11:15' in offered, offered  # times that overlap its own are free for it
    assert '11:00' not in offered  # its own time is not a new time
    assert '14:00' not in offered and '13:30' not in offered  # 45 minutes from 13:30 would run into Bob's


async def test_any_staff_offers_a_colleague_when_the_usual_one_is_busy(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    day = workday(now, 3)
    appt = add_appointment(db, world, start=berlin(day, 11))
    add_appointment(db, world, customer=world.bob, start=berlin(day, 14))
    await signed_in(user)
    await open_drawer(user, appt)
    assert '14:00' not in await show_day(user, day)
    user.find(marker='any-staff').elements.pop().set_value(True)
    for _ in range(60):
        if '14:00' in times_shown(user):
            break
        await asyncio.sleep(0.05)
    if picked_day(user) != day:
        await show_day(user, day)
    pick_time(user, '14:00')
    await user.should_see('with Leo Park', retries=30)
    user.find(marker='reschedule-confirm').click()
    await user.should_see('Moved to', retries=50)
    after = stored(db, world, appt)
    assert (after.start, after.staff.name) == (berlin(day, 14), 'Leo Park')
    notify.wait_for_notifications()


async def test_a_second_move_asks_why(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=berlin(workday(now, 3), 11))
    with db.write() as s:
        s.execute(sa.update(t.Appointment).where(t.Appointment.id == appt).values(reschedule_count=1))
    await signed_in(user)
    await open_drawer(user, appt)
    await user.should_see('Reason for moving it again')
    await choose_first_time(user)
    user.find(marker='reschedule-confirm').click()
    await user.should_see('Please tell the business why you are moving it again.')
    user.find(marker='reschedule-reason').type('Train strike')
    user.find(marker='reschedule-confirm').click()
    await user.should_see('Moved to', retries=50)
    assert [h.data['reason'] for h in stored(db, world, appt).history if h.action == 'rescheduled'] == ['Train strike']
    notify.wait_for_notifications()


async def test_too_close_to_the_start_the_drawer_says_why_and_offers_nothing(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=now + timedelta(minutes=90))
    await signed_in(user)
    assert (await card_rows(user))[0]['can_reschedule'] is False
    await open_drawer(user, appt)  # a crafted event still gets only the explanation
    await user.should_see('Rescheduling closes 2 hours before the start.')
    await user.should_not_see(marker='reschedule-confirm')


def first_free_slot(db, world, user: User, appointment_id: int):
    """The slot the drawer lists first on its picked day (the one the customer just chose)."""
    return availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['cut'],
                                  staff_id=world.staff['mia'], day=picked_day(user), now=datetime.now(UTC),
                                  ignore_appointment_id=appointment_id)[0]


async def test_a_time_taken_meanwhile_is_refused_and_the_times_reload(user: User, db) -> None:
    now, world, appt = await drawer_open(user, db)
    label = await choose_first_time(user)
    slot = first_free_slot(db, world, user, appt)
    with db.write() as s:  # written straight in: no live event reaches the drawer
        appointment_db.create_appointment(s, tenant_id=world.tenant_id, customer_id=world.bob,
                                          service_id=world.services['cut'],
                                          staff_id=world.staff['mia'], start=slot.start, duration=timedelta(minutes=45))
    user.find(marker='reschedule-confirm').click()
    await user.should_see('That time was just taken. Please pick another.', retries=50)
    assert label not in times_shown(user)
    assert stored(db, world, appt).start == berlin(workday(now, 3), 11)


async def test_the_chosen_time_taken_elsewhere_vanishes_and_the_choice_is_cleared(user: User, db) -> None:
    now, world, appt = await drawer_open(user, db)
    label = await choose_first_time(user)
    slot = first_free_slot(db, world, user, appt)
    booking.book(db, tenant_id=world.tenant_id, customer_id=world.bob, service_id=world.services['cut'],
                 staff_id=world.staff['mia'], start=slot.start, now=datetime.now(UTC))  # Bob, on the booking page
    await user.should_see('That time was just taken. Please pick another.', retries=20)
    assert label not in times_shown(user)
    assert not user.find(marker='reschedule-confirm').elements.pop().enabled


def listening() -> int:
    return events.subscriber_count()


@pytest.mark.parametrize('close', ['reschedule-cancel', 'drawer-close'])
async def test_a_closed_drawer_stops_listening_before_the_browser_says_it_slid_out(user: User, db,
                                                                                   close: str) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=berlin(workday(now, 3), 11))
    await signed_in(user)
    await card_rows(user)
    baseline = listening()
    await open_drawer(user, appt)
    await shown_slots(user)
    assert events.subscriber_count(events.availability_topic(world.tenant_id)) == 1
    user.find(marker=close).click()  # the simulated browser never sends the dialog's 'hide'
    for _ in range(40):
        if listening() == baseline:
            break
        await asyncio.sleep(0.05)
    assert listening() == baseline
    assert events.subscriber_count(events.availability_topic(world.tenant_id)) == 0


async def test_a_disconnected_picker_stops_listening_and_catches_up_when_the_browser_is_back(user: User,
                                                                                           db) -> None:
    now, world, appt = await drawer_open(user, db)
    label = await choose_first_time(user)
    topic = events.availability_topic(world.tenant_id)
    assert events.subscriber_count(topic) == 1
    client = user.client
    socket_id, document_id = next(iter(client._socket_to_document_id.items()))
    client.handle_disconnect(socket_id)
    assert events.subscriber_count(topic) == 0
    slot = first_free_slot(db, world, user, appt)
    booking.book(db, tenant_id=world.tenant_id, customer_id=world.bob, service_id=world.services['cut'],
                 staff_id=world.staff['mia'], start=slot.start, now=datetime.now(UTC))  # heard by nobody
    assert label in times_shown(user)
    await client.handle_handshake(f'test-{uuid4()}', client.tab_id or user.tab_id, None, document_id, None)
    for _ in range(40):
        if events.subscriber_count(topic) == 1:
            break
        await asyncio.sleep(0.05)
    assert events.subscriber_count(topic) == 1
    await user.should_see('That time was just taken. Please pick another.', retries=20)
    assert label not in times_shown(user)


async def test_a_live_event_reads_again_only_the_day_it_names_and_a_burst_reads_it_once_more(
        user: User, db, monkeypatch: pytest.MonkeyPatch) -> None:
    _, world, _ = await drawer_open(user, db)
    await choose_first_time(user)
    day = picked_day(user)
    reads: list[str] = []

    def counting(name: str):
        real = getattr(availability, name)

        def counted(*args, **kwargs):
            reads.append(name)
            return real(*args, **kwargs)
        return counted

    for name in ('month_dates', 'day_slots'):
        monkeypatch.setattr(availability, name, counting(name))
    topic = events.availability_topic(world.tenant_id)

    events.publish(topic, {'staff_id': world.staff['mia'], 'day': (day + timedelta(days=100)).isoformat()})
    events.publish(topic, {'staff_id': world.staff['leo'], 'day': day.isoformat()})  # not shown: Mia's times are
    await asyncio.sleep(0.3)
    assert reads == []

    for _ in range(5):
        events.publish(topic, {'staff_id': world.staff['mia'], 'day': day.isoformat()})
    for _ in range(40):
        if reads:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    assert 'month_dates' not in reads
    assert 1 <= reads.count('day_slots') <= 2


async def test_a_picked_date_is_answered_while_a_live_read_of_it_waits_for_a_thread(
        user: User, db, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under load the live-update threads are busy for seconds: a change made elsewhere to the day Ada just picked
    must not hold back her own read's answer (it used to make that answer moot and wait for the live read)."""
    import threading
    import time

    from ui import context as ui_context

    _, world, _ = await drawer_open(user, db)
    await shown_slots(user)
    other = picked_day(user) + timedelta(days=1)
    while other.weekday() == 6:
        other += timedelta(days=1)
    real = availability.day_slots

    def slow(*args, **kwargs):
        time.sleep(0.4)  # long enough for the change elsewhere to arrive while it reads
        return real(*args, **kwargs)

    monkeypatch.setattr(availability, 'day_slots', slow)
    gate = threading.Event()
    busy = [asyncio.ensure_future(ui_context.live_call(gate.wait, 10)) for _ in range(ui_context.LIVE_THREADS)]
    try:
        await asyncio.sleep(0.1)  # every live thread is taken
        user.find(marker='slot-date').elements.pop().set_value(other.isoformat())
        await asyncio.sleep(0.1)
        events.publish(events.availability_topic(world.tenant_id),
                       {'staff_id': world.staff['mia'], 'day': other.isoformat()})
        await user.should_see(f'Free times on {fmt.date(berlin(other, 12), BERLIN)}', retries=30)
        assert times_shown(user)
        assert not any(task.done() for task in busy)  # answered while the live threads were still held
    finally:
        gate.set()
        await asyncio.gather(*busy)

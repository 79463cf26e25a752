"""The Change status drawer and the Details drawer's history and extras, as a customer sees and uses them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from nicegui import ui
from nicegui.testing import User

from domain.settings import PanelSettings
from services import appointments, notify, panel
from storage import tables as t
from storage import tenants as tenant_db
from tests.support.seed import add_appointment, at, seed_world
from tests.ui.conftest import appointments_shown, card_field, signed_in
from ui.components.appointments_view import AppointmentsView


async def rows(user: User, expect_ids: int) -> list[dict]:
    for _ in range(60):
        try:
            found = user.find(AppointmentsView).elements.pop().rows
            if len(found) == expect_ids:
                return found
        except AssertionError:
            pass
        await asyncio.sleep(0.05)
    return user.find(AppointmentsView).elements.pop().rows


def stored(db, world, appointment_id: int):
    return panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada,
                                    appointment_id=appointment_id)


async def test_cancel_with_a_reason_changes_the_badge(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, 3))
    await signed_in(user)
    found = await rows(user, 1)
    assert found[0]['can_status'] is True
    user.find(AppointmentsView).trigger('action', {'kind': 'status', 'id': appt})
    await user.should_see(marker='status-drawer')
    await user.should_see('Canceled')
    await user.should_see('This gives up your time slot; someone else may book it.')  # the only choice, chosen
    user.find(marker='status-reason').type('Moving house')
    user.find(marker='status-confirm').click()
    await user.should_see('Your appointment is now canceled.')
    await card_field(user, appt, 'status_label', 'Canceled')
    await card_field(user, appt, 'can_status', False)
    after = stored(db, world, appt)
    assert after.status.key == 'canceled'
    assert (after.history[-1].actor, after.history[-1].data['reason']) == ('customer', 'Moving house')
    notify.wait_for_notifications()


async def test_after_the_window_the_card_offers_nothing_and_the_drawer_says_why(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=now + timedelta(minutes=40))
    await signed_in(user)
    found = await rows(user, 1)
    assert found[0]['can_status'] is False
    assert found[0]['note'] == 'Changes close 60 minutes before the start.'
    # A crafted event still reaches only a drawer that explains, with nothing to confirm.
    user.find(AppointmentsView).trigger('action', {'kind': 'status', 'id': appt})
    await user.should_see(marker='status-refusal', retries=50)
    [refusal] = user.find(marker='status-refusal').elements
    assert [label.text for label in refusal.descendants() if isinstance(label, ui.label)] == [
        'Changes close 60 minutes before the start.']
    await user.should_not_see(marker='status-confirm')


async def test_the_drawer_refuses_when_the_rules_changed_while_it_was_open(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, 2))
    await signed_in(user)
    await rows(user, 1)
    user.find(AppointmentsView).trigger('action', {'kind': 'status', 'id': appt})
    await user.should_see(marker='status-confirm')
    with db.write() as s:  # the business tightens the window meanwhile
        tenant_db.save_panel_settings(s, tenant_id=world.tenant_id,
                                      settings=PanelSettings(change_closes_minutes=5 * 1440))
    user.find(marker='status-confirm').click()
    await user.should_see('Changes close 5 days before the start.')
    assert stored(db, world, appt).status.key == 'approved'


async def test_a_restore_to_a_busy_status_is_refused_when_the_slot_was_taken(user: User, db) -> None:
    now = datetime.now(UTC)
    settings = PanelSettings(status_transitions={'pending': ('canceled',), 'canceled': ('pending', 'approved')},
                             allow_busy_targets=True)
    world = seed_world(db, now=now, settings=settings)
    appt = add_appointment(db, world, start=at(now, 2), status='canceled')
    add_appointment(db, world, customer=world.bob, start=at(now, 2))
    await signed_in(user)
    await rows(user, 1)
    user.find(AppointmentsView).trigger('action', {'kind': 'status', 'id': appt})
    await user.should_see('This takes the time slot again; we check that it is still free.')
    user.find(marker='status-confirm').click()
    await user.should_see('That time is no longer free, so the appointment cannot be restored. Please book a new time.')


async def test_the_details_drawer_shows_the_history_newest_first(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, 4))
    appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt,
                               target='canceled', reason='Double-booked myself', now=now)
    notify.wait_for_notifications()
    await signed_in(user)
    await rows(user, 1)
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': appt})
    await user.should_see(marker='history-timeline')
    await user.should_see('Reason: Double-booked myself')
    titles = user.find(marker='history-title').elements
    assert [e.text for e in sorted(titles, key=lambda e: e.id)] == ['Approved → Canceled', 'Booked']
    await user.should_not_see(marker='add-to-calendar')  # a canceled visit is not for the calendar


async def test_online_visit_offers_the_meeting_link_and_calendar(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    with db.write() as s:
        s.execute(sa.update(t.Service).where(t.Service.id == world.services['cut']).values(
            meeting_url='https://meet.example/lumen-ada'))
    appt = add_appointment(db, world, start=at(now, 4))
    await signed_in(user)
    await rows(user, 1)
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': appt})
    await user.should_see('Join online meeting')
    join = user.find(marker='join-meeting').elements.pop()
    assert join.props['href'] == 'https://meet.example/lumen-ada'
    await user.should_see('Add to calendar')


async def test_a_completed_visit_can_be_rated_once(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, -3))
    await signed_in(user)
    await appointments_shown(user, 1, tab='past')
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': appt})
    await user.should_see('How was your visit?')
    user.find(marker='rating-stars').elements.pop().set_value(4)
    user.find(marker='rating-comment').type('Lovely cut')
    user.find(marker='rating-send').click()
    await user.should_see('You gave 4 of 5 stars. Thank you!')
    given = appointments.rating_of(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt)
    assert (given.stars, given.comment) == (4, 'Lovely cut')
    try:
        appointments.rate(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt, stars=5,
                          now=now)
    except appointments.NotAllowed as refused:
        assert str(refused.message) == 'You have already rated this visit. Thank you!'
    else:
        raise AssertionError('a second rating was accepted')

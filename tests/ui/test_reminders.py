"""A reminder's buttons open our page, which acts only on a click; a follow-up's link opens the rating prompt; Profile
turns reminders off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from nicegui.testing import User

from domain.reminders import ReminderSettings
from domain.settings import PanelSettings
from services import reminders
from storage import reminders as reminder_db
from storage import tables as t
from tests.support.seed import add_appointment, at, seed_world
from tests.ui.conftest import signed_in
from tests.ui.test_book import emailed_link


def _studio(db, now: datetime, **reminder_settings):
    settings = PanelSettings(reminders=ReminderSettings(minutes_before=(1440,), **reminder_settings))
    return seed_world(db, now=now, settings=settings)


async def test_the_reminder_page_confirms_a_pending_visit_only_on_the_click(user: User, db) -> None:
    now = datetime.now(UTC)
    world = _studio(db, now, ask_confirmation=True)
    start = (now + timedelta(hours=20)).replace(minute=0, second=0, microsecond=0)
    appt = add_appointment(db, world, start=start, status='pending')
    assert reminders.run_due(db, now=now) == 1
    link = emailed_link('ada@example.com', '/reminder')
    await user.open(link + '&do=confirm')  # a mail scanner fetching the link gets this far, and nothing changes
    await user.should_see('Haircut with Mia Wong')
    await user.should_see('Status: Pending')
    with db.read() as s:
        assert reminder_db.confirmation(s, tenant_id=world.tenant_id, appointment_id=appt) == (None, None)
    user.find(marker='reminder-confirm').click()
    await user.should_see('You confirmed this visit. Thank you!')
    await user.should_see('Status: Approved')
    with db.read() as s:
        when, by = reminder_db.confirmation(s, tenant_id=world.tenant_id, appointment_id=appt)
    assert by == 'customer' and when is not None
    await user.should_not_see(marker='reminder-confirm')


async def test_the_reminder_page_speaks_the_customers_language_and_cancels(user: User, db) -> None:
    now = datetime.now(UTC)
    world = _studio(db, now)
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(language='pt_PT'))
    start = (now + timedelta(hours=20)).replace(minute=0, second=0, microsecond=0)
    add_appointment(db, world, start=start)
    assert reminders.run_due(db, now=now) == 1
    link = emailed_link('ada@example.com', '/reminder')
    await user.open(link + '&do=cancel')
    await user.should_see('A sua marcação')
    await user.should_not_see(marker='reminder-confirm')  # this business does not ask for confirmation
    user.find(marker='reminder-cancel').click()
    await user.should_see('Estado: Cancelada')
    await user.open(link[:-3] + 'xyz')
    await user.should_see(marker='reminder-invalid')


async def test_a_follow_up_link_opens_the_rating_prompt_of_that_visit(user: User, db) -> None:
    now = datetime.now(UTC)
    world = _studio(db, now)
    appt = add_appointment(db, world, start=at(now, -1))
    await signed_in(user)
    await user.open(f'/?open=details&appointment={appt}')
    await user.should_see(marker='details-drawer', retries=50)
    await user.should_see('How was your visit?')


async def test_profile_turns_reminders_off(user: User, db) -> None:
    now = datetime.now(UTC)
    world = _studio(db, now)
    await signed_in(user)
    await user.open('/profile')
    await user.should_see('Email me reminders', retries=50)
    switch = user.find(marker='email-reminders').elements.pop()
    assert switch.value is True
    switch.set_value(False)
    await user.should_see('Reminders are off.')
    with db.read() as s:
        assert s.execute(sa.select(t.Customer.email_reminders).where(t.Customer.id == world.ada)).scalar() is False


async def test_an_admin_sets_the_reminders_and_the_audit_log_keeps_the_change(user: User, db) -> None:
    from services import panel as panel_service
    from services import ratelimit
    from tests.support.seed import add_admin
    from tests.ui.test_admin_auth import admin_signed_in

    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signed_in(user, target='/admin/reminders')
    await user.should_see('Before each visit', retries=50)
    user.find(marker='reminders-all-first').elements.pop().set_value(1440)
    user.find(marker='reminders-all-second').elements.pop().set_value(120)
    user.find(marker=f'reminders-mode-{world.services["yoga"]}').elements.pop().set_value('none')
    user.find(marker=f'reminders-mode-{world.services["colour"]}').elements.pop().set_value('own')
    user.find(marker=f'reminders-service-{world.services["colour"]}-first').elements.pop().set_value(60)
    user.find(marker='reminders-ask').elements.pop().set_value(True)
    user.find(marker='reminders-follow').elements.pop().set_value(True)
    user.find(marker='reminders-save').click()
    await user.should_see('Saved.')
    saved = panel_service.panel_settings(db, tenant_id=world.tenant_id).reminders
    assert saved == ReminderSettings(minutes_before=(1440, 120), per_service={world.services['yoga']: (),
                                                                              world.services['colour']: (60,)},
                                     ask_confirmation=True, follow_up=True)
    from storage import audit as audit_db

    with db.read() as s:
        logged = audit_db.actions(s, tenant_id=world.tenant_id)
    assert logged == ['reminders.update']


async def test_the_same_time_twice_is_refused_on_the_page(user: User, db) -> None:
    from services import ratelimit
    from tests.support.seed import add_admin
    from tests.ui.test_admin_auth import admin_signed_in

    world = seed_world(db, now=datetime.now(UTC))
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signed_in(user, target='/admin/reminders')
    await user.should_see('Before each visit', retries=50)
    user.find(marker='reminders-all-first').elements.pop().set_value(120)
    user.find(marker='reminders-all-second').elements.pop().set_value(120)
    user.find(marker='reminders-save').click()
    await user.should_see('The two reminders must go at different times.')

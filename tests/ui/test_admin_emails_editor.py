"""The admin's Emails editor and outbox as an admin uses them: edit the booking confirmation, refused with the
unknown placeholder named, preview, send a test to themselves, resend from the outbox; only their own business.

Mounted on a bare test page until the admin shell is there (see test_admin_statuses_editor)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from nicegui import ui
from nicegui.testing import User

from services import booking, notify
from services import email_templates as svc
from storage import admins as admin_db
from tests.support.seed import open_at, seed_world
from tests.ui.conftest import HeldBack, admin_act, eventually, field, signed_in
from ui.components.admin.emails_editor import email_editor, outbox_view


async def mount(user: User, tenant_id: int, admin_id: int | None = None) -> None:
    @ui.page('/test-admin-emails')
    def page() -> None:
        act = admin_act(tenant_id, admin_id)
        email_editor(act, business='Lumen Studio')
        outbox_view(act, timezone='Europe/Berlin')

    await signed_in(user)
    await user.open('/test-admin-emails')


def value(user: User, marker: str) -> str:
    return user.find(marker=marker).elements.pop().value


async def test_edit_the_booking_confirmation_and_preview_it(user: User, db) -> None:
    world = seed_world(db, now=datetime.now(UTC))
    await mount(user, world.tenant_id)
    await user.should_see("Kairos's wording (edit and save to use yours)")
    await eventually(lambda: value(user, 'email-subject').startswith('Booked: $service'))
    await user.should_see(marker='email-placeholders')
    user.find(marker='email-subject').clear().type('See you soon: $service')
    user.find(marker='email-preview').click()
    await user.should_see('See you soon: Haircut')
    user.find(marker='email-save').click()
    await user.should_see('Saved: the next email of this kind in this language uses it.')
    found = svc.editable(db, tenant_id=world.tenant_id, kind_name='appointment_booked', locale='en')
    assert found.own and found.template.subject == 'See you soon: $service'


async def test_an_unknown_placeholder_is_refused_by_name(user: User, db) -> None:
    world = seed_world(db, now=datetime.now(UTC))
    await mount(user, world.tenant_id)
    await eventually(lambda: value(user, 'email-subject').startswith('Booked: $service'))
    user.find(marker='email-subject').clear().type('Booked: $service for $pet')
    user.find(marker='email-save').click()
    await user.should_see('Unknown placeholders: $pet.', retries=20)
    assert svc.customised(db, tenant_id=world.tenant_id) == set()


async def test_send_me_a_test_goes_to_the_signed_in_admin(user: User, db) -> None:
    world = seed_world(db, now=datetime.now(UTC))
    with db.write() as s:
        owner = admin_db.create_admin(s, tenant_id=world.tenant_id, email='owner@lumen.example', password_hash='x')
    await mount(user, world.tenant_id, owner)
    await eventually(lambda: value(user, 'email-subject').startswith('Booked: $service'))
    user.find(marker='email-test').click()
    await user.should_see('A test is on its way to owner@lumen.example.')
    page = svc.outbox(db, tenant_id=world.tenant_id)
    assert [e.recipient for e in page.emails] == ['owner@lumen.example']


async def test_the_actions_wait_for_the_wording_to_load(user: User, db, monkeypatch) -> None:
    """A click on Send me a test before Kairos's wording has arrived would send (or refuse) empty fields: until the
    wording is in, the four actions are disabled, and a click does nothing."""
    world = seed_world(db, now=datetime.now(UTC))
    with db.write() as s:
        owner = admin_db.create_admin(s, tenant_id=world.tenant_id, email='owner@lumen.example', password_hash='x')
    slow = HeldBack(svc.editable)
    monkeypatch.setattr(svc, 'editable', slow)
    await mount(user, world.tenant_id, owner)
    await eventually(slow.asked.is_set)
    buttons = {m: field(user, m) for m in ('email-preview', 'email-test', 'email-reset', 'email-save')}
    assert [m for m, b in buttons.items() if b.enabled] == []
    user.find(marker='email-test').click()
    await user.should_not_see('This part cannot be empty.')
    slow.answer.set()
    await eventually(lambda: value(user, 'email-subject').startswith('Booked: $service'))
    assert [m for m, b in buttons.items() if not b.enabled] == []
    assert svc.outbox(db, tenant_id=world.tenant_id).emails == []
    user.find(marker='email-test').click()
    await user.should_see('A test is on its way to owner@lumen.example.')


async def test_the_outbox_shows_only_this_business_and_resends(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    other = seed_world(db, now=now, slug='other', host='other.example.com', ada_email='ada@other.example.com')
    for w in (world, other):
        booking.book(db, tenant_id=w.tenant_id, customer_id=w.ada, service_id=w.services['cut'],
                     staff_id=w.staff['mia'], start=open_at(now, 3), now=now)
    notify.wait_for_notifications()
    [mine] = svc.outbox(db, tenant_id=world.tenant_id).emails
    [theirs] = svc.outbox(db, tenant_id=other.tenant_id).emails
    await mount(user, world.tenant_id)
    await user.should_see(marker=f'outbox-email-{mine.id}')
    await user.should_not_see(marker=f'outbox-email-{theirs.id}')
    await user.should_not_see('ada@other.example.com')
    user.find(marker=f'outbox-resend-{mine.id}').click()
    await user.should_see('Queued to go out again.')
    assert len(svc.outbox(db, tenant_id=world.tenant_id).emails) == 2
    assert len(svc.outbox(db, tenant_id=other.tenant_id).emails) == 1


async def test_a_late_answer_for_an_earlier_language_is_not_drawn_over_the_latest(user: User, db,
                                                                                   monkeypatch) -> None:
    """Spanish chosen, then German before Spanish's wording arrived: the German stays in the form (saving then
    would otherwise store Spanish words as the German email)."""
    world = seed_world(db, now=datetime.now(UTC))
    await mount(user, world.tenant_id)
    await eventually(lambda: value(user, 'email-subject').startswith('Booked: $service'))
    slow = HeldBack(svc.editable, when=lambda locale, **_: locale == 'es')
    monkeypatch.setattr(svc, 'editable', slow)
    user.find(marker='email-language').elements.pop().set_value('es')
    await eventually(slow.asked.is_set)
    user.find(marker='email-language').elements.pop().set_value('de')
    await eventually(lambda: value(user, 'email-subject').startswith('Gebucht: $service,'))
    slow.answer.set()
    await eventually(slow.answered.is_set)
    for _ in range(10):  # the Spanish answer's turn on the event loop comes and goes
        await asyncio.sleep(0.05)
    assert value(user, 'email-subject').startswith('Gebucht: $service,')


async def test_each_language_has_its_own_wording(user: User, db) -> None:
    world = seed_world(db, now=datetime.now(UTC))
    await mount(user, world.tenant_id)
    await eventually(lambda: value(user, 'email-subject').startswith('Booked: $service'))
    user.find(marker='email-language').elements.pop().set_value('de')
    # Kairos's German wording is in (typed before it arrives, the edit would be drawn over)
    await eventually(lambda: value(user, 'email-subject').startswith('Gebucht: $service,'))
    user.find(marker='email-subject').clear().type('Gebucht: $service')
    user.find(marker='email-save').click()
    await user.should_see('Saved: the next email of this kind in this language uses it.')
    user.find(marker='email-language').elements.pop().set_value('en')
    await eventually(lambda: value(user, 'email-subject').startswith('Booked: $service'))
    user.find(marker='email-language').elements.pop().set_value('de')
    await eventually(lambda: value(user, 'email-subject') == 'Gebucht: $service')
    assert svc.customised(db, tenant_id=world.tenant_id) == {('appointment_booked', 'de')}

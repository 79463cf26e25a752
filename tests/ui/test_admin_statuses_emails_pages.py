"""The Statuses, Emails and Outbox pages in the admin shell: behind an admin's session, each shows only the
signed-in admin's business, and every action is the admin's (audited under their name)."""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui.testing import User

from services import booking, notify, ratelimit, statuses
from services import email_templates as emails
from tests.support.seed import add_admin, open_at, seed_world
from tests.ui.conftest import eventually, field
from tests.ui.test_admin_auth import admin_signed_in


def labels(db, tenant_id: int) -> dict[str, str]:
    return {st.key: st.label for st in statuses.status_list(db, tenant_id=tenant_id).statuses}


def badge(user: User, key: str) -> str:
    return next(iter(user.find(marker=f'status-badge-{key}').elements)).text


def two_businesses(db):
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    other = seed_world(db, now=now, slug='other', host='other.example.com', ada_email='ada@other.example.com')
    owner = add_admin(db, world)
    ratelimit.reset_limiter()
    return now, world, other, owner


async def test_a_visitor_without_an_admin_session_is_sent_to_sign_in(user: User, db) -> None:
    seed_world(db)
    for path in ('/admin/statuses', '/admin/emails', '/admin/outbox'):
        await user.open(path)
        await user.should_see(marker='admin-signin')


async def test_the_statuses_page_shows_and_renames_this_businesss_statuses(user: User, db) -> None:
    now, world, other, owner = two_businesses(db)
    statuses.add_status(db, tenant_id=other.tenant_id, admin_id=None, label='Their own', color='#0f766e',
                        icon='star', busy=True, now=now)
    await admin_signed_in(user, target='/admin/statuses')
    await user.should_see(marker='status-badge-canceled')
    await user.should_not_see('Their own')
    user.find(marker='status-edit-canceled').click()
    user.find(marker='status-label').clear().type('Called off')
    user.find(marker='status-save').click()
    await eventually(lambda: labels(db, world.tenant_id)['canceled'] == 'Called off')
    await eventually(lambda: badge(user, 'canceled') == 'Called off')
    assert labels(db, other.tenant_id)['canceled'] == 'Canceled'


async def test_the_emails_and_outbox_pages_keep_to_this_business(user: User, db) -> None:
    now, world, other, owner = two_businesses(db)
    for w in (world, other):
        booking.book(db, tenant_id=w.tenant_id, customer_id=w.ada, service_id=w.services['cut'],
                     staff_id=w.staff['mia'], start=open_at(now, 3), now=now)
    notify.wait_for_notifications()
    [theirs] = emails.outbox(db, tenant_id=other.tenant_id).emails
    await admin_signed_in(user, target='/admin/emails')
    await eventually(lambda: field(user, 'email-subject').value.startswith('Booked:'))
    user.find(marker='email-test').click()
    await user.should_see('A test is on its way to owner@example.com.')
    await user.open('/admin/outbox')
    await user.should_see(marker='outbox-list')
    await user.should_see('owner@example.com')
    await user.should_not_see('ada@other.example.com')
    await user.should_not_see(marker=f'outbox-email-{theirs.id}')

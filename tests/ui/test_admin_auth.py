"""The admin area in the browser: signing in at /admin, roles, and admin sessions kept apart from customers'."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from nicegui import app
from nicegui.testing import User

from services import admin_auth, auth, ratelimit
from tests.support.seed import ADMIN_PASSWORD, add_admin, seed_world
from tests.ui.conftest import signed_in


def storage(user: User) -> dict:
    """The server-side storage of the simulated browser (found by the browser id in its signed session cookie)."""
    import base64
    import json

    cookie = next(c.value for c in user.http_client.cookies.jar if c.name == 'session')
    data = cookie.split('.', 1)[0]
    browser = json.loads(base64.b64decode(data + '=' * (-len(data) % 4)))['id']
    return app.storage._users[browser]  # noqa: SLF001


async def admin_signed_in(user: User, email: str = 'owner@example.com', password: str = ADMIN_PASSWORD,
                          target: str = '/admin') -> None:
    await user.open(f'/admin/login?next={target}')
    user.find(marker='admin-email').type(email)
    user.find(marker='admin-password').type(password)
    user.find(marker='admin-sign-in').click()
    await user.should_see(marker='admin-main', retries=50)


async def test_the_admin_signs_in_at_admin_and_sees_every_area(user: User, db) -> None:
    world = seed_world(db)
    add_admin(db, world)
    ratelimit.reset_limiter()
    await user.open('/admin')
    await user.should_see(marker='admin-signin')  # the gate sent the visitor to the admin sign-in
    await admin_signed_in(user)
    await user.should_see('Hello, Olga Owner')
    for area in ('Settings', 'Panel Designer', 'Branding', 'Statuses', 'Emails', 'Outbox', 'Audit log', 'Admins'):
        await user.should_see(area)
    assert storage(user).get('admin_session') and not storage(user).get('session')


async def test_a_wrong_password_gets_one_message_and_the_limit_holds(user: User, db) -> None:
    world = seed_world(db)
    add_admin(db, world)
    ratelimit.reset_limiter()
    await user.open('/admin/login')
    user.find(marker='admin-email').type('owner@example.com')
    user.find(marker='admin-password').type('not-the-password')
    user.find(marker='admin-sign-in').click()
    await user.should_see('That email and password do not match an admin account of this business.', retries=50)
    for _ in range(4):  # four more wrong guesses, from elsewhere
        with pytest.raises(admin_auth.AdminSignInFailed):
            admin_auth.attempt_sign_in(db, tenant_id=world.tenant_id, email='owner@example.com', password='nope',
                                       address=None, now=datetime.now(UTC))
    user.find(marker='admin-password').clear().type(ADMIN_PASSWORD)
    user.find(marker='admin-sign-in').click()
    await user.should_see('Too many attempts. Try again in 15 minutes.', retries=50)
    await user.should_not_see(marker='admin-main')


async def test_a_customer_session_never_opens_an_admin_page(user: User, db) -> None:
    """Ada is signed in to her panel; /admin still asks for an admin's sign-in, and her token planted where the
    admin's belongs opens nothing either."""
    world = seed_world(db)
    add_admin(db, world)
    ratelimit.reset_limiter()
    await signed_in(user)
    answer = await user.http_client.get('/admin/audit', follow_redirects=False)
    assert answer.status_code == 303 and answer.headers['location'].startswith('/admin/login')
    token = storage(user)['session']
    storage(user)['admin_session'] = token  # Ada's token where an admin's would be
    answer = await user.http_client.get('/admin/audit', follow_redirects=False)
    assert answer.status_code == 303 and answer.headers['location'].startswith('/admin/login')
    assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=token) is None


async def test_an_admin_session_never_opens_the_customer_panel(user: User, db) -> None:
    world = seed_world(db)
    add_admin(db, world, email='ada@example.com')  # the same email as a customer, even
    ratelimit.reset_limiter()
    await admin_signed_in(user, email='ada@example.com')
    answer = await user.http_client.get('/', follow_redirects=False)
    assert answer.status_code == 303 and answer.headers['location'].startswith('/login')
    token = storage(user)['admin_session']
    storage(user)['session'] = token  # the admin's token where a customer's would be
    answer = await user.http_client.get('/', follow_redirects=False)
    assert answer.status_code == 303 and answer.headers['location'].startswith('/login')
    assert auth.current_customer(db, tenant_id=world.tenant_id, session_id=token) is None


async def test_a_manager_has_no_admins_page(user: User, db) -> None:
    world = seed_world(db)
    add_admin(db, world, email='mo@example.com', name='Mo Manager', role='manager')
    ratelimit.reset_limiter()
    await admin_signed_in(user, email='mo@example.com')
    await user.should_see('Audit log')
    await user.should_not_see(marker='admin-nav-admins')
    await user.open('/admin/admins')
    await user.should_see('Only the owner of the business can open this page.')
    await user.should_not_see(marker='admin-invite-form')


async def test_an_ended_admin_session_sends_the_open_tab_to_sign_in(user: User, db) -> None:
    world = seed_world(db)
    owner = add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signed_in(user, target='/admin/audit')
    await user.should_see(marker='audit-count')
    admin_auth.sign_out_everywhere(db, tenant_id=world.tenant_id, admin_id=owner, now=datetime.now(UTC))
    await user.should_see(marker='admin-signin', retries=20)


async def test_signing_out_ends_only_the_admin_session(user: User, db) -> None:
    world = seed_world(db)
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signed_in(user)
    held = storage(user)['admin_session']
    answer = await user.http_client.post('/admin/logout', headers={'origin': 'http://test'}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers['location'] == '/admin/login'
    assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=held) is None
    cross_site = await user.http_client.post('/admin/logout', headers={'origin': 'https://evil.example'},
                                             follow_redirects=False)
    assert cross_site.status_code == 403


async def test_the_owner_invites_a_manager_who_joins_through_the_emailed_link(user: User, db) -> None:
    import re

    import sqlalchemy as sa

    from services import mail
    from storage import tables as t

    world = seed_world(db)
    add_admin(db, world)
    ratelimit.reset_limiter()
    await admin_signed_in(user, target='/admin/admins')
    await user.should_see(marker='admin-invite-form', retries=50)
    user.find(marker='invite-email').type('mo@example.com')
    user.find(marker='invite-send').click()
    await user.should_see('Invitation sent to mo@example.com.', retries=50)
    await user.should_see(marker='invitations')
    [email] = [e for e in mail.outbox_page(db, tenant_id=world.tenant_id) if e.recipient == 'mo@example.com']
    with db.read() as s:
        text = s.scalar(sa.select(t.EmailOutbox.content).where(t.EmailOutbox.id == email.id))['text']
    assert 'of Lumen Studio as Manager.' in text
    link = re.search(r'(/admin/invite\?token=[\w-]+)', text).group(1)

    answer = await user.http_client.post('/admin/logout', headers={'origin': 'http://test'}, follow_redirects=False)
    assert answer.status_code == 303
    await user.should_see(marker='admin-signin', retries=20)  # the open admin page left when its session ended
    await user.open(link)
    await user.should_see('Join Lumen Studio as Manager')
    user.find(marker='admin-invite-name').type('Mo Manager')
    user.find(marker='admin-invite-password').type('short')
    user.find(marker='admin-invite-confirm').type('short')
    user.find(marker='admin-invite-accept').click()
    await user.should_see('Use at least', retries=50)
    user.find(marker='admin-invite-password').clear().type('violet-harbour-71-tandem')
    user.find(marker='admin-invite-confirm').clear().type('violet-harbour-71-tandem')
    user.find(marker='admin-invite-accept').click()
    await user.should_see('Hello, Mo Manager', retries=50)
    await user.should_not_see(marker='admin-nav-admins')  # a manager

    await user.open(link)  # the link worked once
    await user.should_see(marker='admin-invite-dead')


async def test_the_audit_log_lists_changes_newest_first_and_filters_them(user: User, db) -> None:
    from datetime import timedelta

    from services import audit

    world = seed_world(db)
    owner = add_admin(db, world)
    manager = add_admin(db, world, email='mo@example.com', name='Mo Manager', role='manager')
    now = datetime.now(UTC)
    with db.write() as s:
        for i in range(30):
            audit.record(s, tenant_id=world.tenant_id, admin_id=manager if i == 29 else owner,
                         action='status.update', target=f'status-{i}', before={'label': f'Old {i}'},
                         after={'label': f'New {i}'}, now=now - timedelta(minutes=60 - i))
        audit.record(s, tenant_id=world.tenant_id, admin_id=owner, action='branding.update', target='colour',
                     before={'primary_color': '#4f46e5'}, after={'primary_color': '#0f766e'}, now=now)
    ratelimit.reset_limiter()
    await admin_signed_in(user, email='mo@example.com', target='/admin/audit')  # a manager may read it
    await user.should_see('31 changes', retries=50)
    table = user.find(marker='audit-table').elements.pop()
    assert [r['target'] for r in table.rows[:2]] == ['colour', 'status-29']
    assert table.rows[0]['action'] == 'Changed the branding'
    assert table.rows[0]['changes'] == 'primary_color: #4f46e5 → #0f766e'
    assert table.rows[1]['who'] == 'Mo Manager'
    assert len(table.rows) == 25
    await user.should_see('Page 1 of 2')

    await user.open(f'/admin/audit?admin={manager}')
    await user.should_see('1 change', retries=50)
    await user.open('/admin/audit?action=status.update&page=2')
    await user.should_see('30 changes', retries=50)
    await user.should_see('Page 2 of 2')
    assert [r['target'] for r in user.find(marker='audit-table').elements.pop().rows] == [
        f'status-{i}' for i in range(4, -1, -1)]


async def test_an_admin_of_one_business_cannot_sign_in_at_another_nor_read_its_log(
        user: User, db, monkeypatch: pytest.MonkeyPatch) -> None:
    from services import audit
    from services.config import reset_config
    from services.tenants import forget_tenants

    studio = seed_world(db, slug='studio', host='studio.example.com')
    clinic = seed_world(db, slug='clinic', host='clinic.example.com')
    add_admin(db, studio)
    clara = add_admin(db, clinic, email='clara@example.com', name='Clara')
    with db.write() as s:
        audit.record(s, tenant_id=clinic.tenant_id, admin_id=clara, action='settings.update', target='clinic-secret')
    monkeypatch.setenv('KAIROS_MULTI_TENANT', 'true')
    reset_config()
    forget_tenants()
    ratelimit.reset_limiter()
    try:
        clinic_host = {'host': 'clinic.example.com'}
        user.http_client.headers.update(clinic_host)
        await user.open('/admin/login')
        user.find(marker='admin-email').type('owner@example.com')
        user.find(marker='admin-password').type(ADMIN_PASSWORD)
        user.find(marker='admin-sign-in').click()
        await user.should_see('That email and password do not match an admin account of this business.', retries=50)

        user.http_client.headers.update({'host': 'studio.example.com'})
        await admin_signed_in(user, target='/admin/audit')
        await user.should_see('Nothing was changed yet.', retries=50)
        await user.should_not_see('clinic-secret')
        # The studio owner's browser, pointed at the clinic's address, opens no admin page there.
        answer = await user.http_client.get('/admin/audit', headers=clinic_host, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers['location'].startswith('/admin/login')
    finally:
        monkeypatch.delenv('KAIROS_MULTI_TENANT')
        reset_config()
        forget_tenants()


async def test_the_owner_makes_a_manager_an_owner_from_the_admins_page(user: User, db) -> None:
    from domain.admins import AuditFilter
    from services import audit

    world = seed_world(db)
    owner = add_admin(db, world)
    manager = add_admin(db, world, email='mo@example.com', name='Mo Manager', role='manager')
    ratelimit.reset_limiter()
    await admin_signed_in(user, target='/admin/admins')
    await user.should_see(marker=f'role-admin-{manager}', retries=50)
    await user.should_not_see(marker=f'role-admin-{owner}')  # not one's own
    user.find(marker=f'role-admin-{manager}').elements.pop().set_value('owner')
    for _ in range(50):
        entries = audit.audit_view(db, tenant_id=world.tenant_id, admin_id=owner, where=AuditFilter()).page.entries
        if entries:
            break
        await asyncio.sleep(0.05)
    assert [(e.action, e.after) for e in entries] == [('admin.role', {'role': 'owner'})]
    signed = admin_auth.attempt_sign_in(db, tenant_id=world.tenant_id, email='mo@example.com',
                                        password=ADMIN_PASSWORD, address=None, now=datetime.now(UTC))
    assert signed.admin.role.value == 'owner'

"""The admin area in the browser: signing in at /admin, roles, and admin sessions kept apart from customers'."""

from __future__ import annotations

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

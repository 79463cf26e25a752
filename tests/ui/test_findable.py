"""What search engines and password managers see: the booking page and the ways in are findable and described,
the panel and the emailed-link pages are not; the sign-in is one form a password manager can fill."""

from __future__ import annotations

import re
from urllib.robotparser import RobotFileParser

import pytest
from nicegui import ui
from nicegui.testing import User

from tests.support.seed import seed_world

INDEXABLE = ['/login', '/book', '/signup', '/forgot']
HIDDEN = ['/', '/profile', '/reset?token=x', '/set-password?token=x', '/verify?token=x', '/magic?token=x',
          '/confirm-email?token=x', '/book/done', '/receipts/1', '/admin']


async def test_robots_txt_lets_the_booking_page_be_found_and_keeps_the_rest_out(user: User) -> None:
    response = await user.http_client.get('/robots.txt')
    assert response.status_code == 200 and response.headers['content-type'].startswith('text/plain')
    robots = RobotFileParser()
    robots.parse(response.text.splitlines())
    for path in INDEXABLE:
        assert robots.can_fetch('Googlebot', f'http://shop.example{path}'), path
    for path in ['/profile', '/packages', '/security', '/admin', '/admin/settings', '/reset?token=x', '/verify',
                 '/magic?token=x', '/set-password', '/confirm-email', '/receipts/4', '/book/done']:
        assert not robots.can_fetch('Googlebot', f'http://shop.example{path}'), path
    # The panel's first section is the site's root: only the root itself, not everything under it (RFC 9309's `$`).
    assert 'Disallow: /$' in response.text.splitlines()


@pytest.mark.parametrize('path', HIDDEN)
async def test_private_and_link_pages_say_noindex(user: User, db, path: str) -> None:
    seed_world(db)
    response = await user.http_client.get(path)
    assert 'noindex' in response.headers.get('x-robots-tag', ''), path


@pytest.mark.parametrize('path', INDEXABLE)
async def test_public_entry_pages_are_indexable_and_described(user: User, db, path: str) -> None:
    seed_world(db)
    response = await user.http_client.get(path)
    assert response.status_code == 200
    assert 'x-robots-tag' not in response.headers
    description = re.search(r'<meta name="description" content="([^"]+)">', response.text)
    assert description is not None and 'Lumen Studio' in description.group(1)
    assert 'name="robots"' not in response.text


async def test_link_pages_say_noindex_in_the_page_too(user: User, db) -> None:
    seed_world(db)
    response = await user.http_client.get('/reset?token=x')
    assert '<meta name="robots" content="noindex, nofollow">' in response.text


async def test_the_sign_in_is_one_form_a_password_manager_can_fill(user: User, db) -> None:
    seed_world(db)
    await user.open('/login')
    [form] = user.find(marker='signin-form').elements
    assert form.tag == 'form'
    inside = {marker: element for element in form.descendants() for marker in element._markers}
    assert {'email', 'password', 'sign-in'} <= set(inside)
    assert inside['email'].props['autocomplete'] == 'username' and inside['email'].props['type'] == 'email'
    assert inside['password'].props['autocomplete'] == 'current-password'
    assert len([e for e in user.find(ui.input).elements if e.props.get('autocomplete') == 'current-password']) == 1


async def test_new_passwords_are_marked_new(user: User, db) -> None:
    seed_world(db)
    await user.open('/signup')
    [field] = user.find(marker='password').elements
    assert field.props['autocomplete'] == 'new-password'
    [email] = user.find(marker='email').elements
    assert email.props['autocomplete'] in {'email', 'username'}


async def test_the_page_carries_readable_shades_of_the_business_colour(user: User, db) -> None:
    """A pale yellow is darkened until white text on it reads; a colour saved before colours were checked gets the
    default instead of a broken page."""
    from domain.branding import WHITE, contrast_ratio
    from storage import tenants as tenant_db

    world = seed_world(db)
    with db.write() as s:
        tenant_db.update_branding(s, tenant_id=world.tenant_id, primary_color='#fde047')
    response = await user.http_client.get('/login')
    fill = re.search(r'--k-primary-fill: (#[0-9a-f]{6})', response.text)
    assert fill is not None and contrast_ratio(WHITE, fill.group(1)) >= 4.5
    with db.write() as s:
        tenant_db.update_branding(s, tenant_id=world.tenant_id, primary_color='red;}</style><script>')
    from services.tenants import forget_tenants

    forget_tenants()
    response = await user.http_client.get('/login')
    assert response.status_code == 200 and '--q-primary: #4f46e5' in response.text and '<script>' not in \
        response.text.split('--q-primary')[1][:200]

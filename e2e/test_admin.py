"""The business's admin signs in at /admin on a phone: the admin area opens, its menu folds the areas behind a button,
and axe finds no serious violation on the way."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from e2e.a11y import serious_violations
from e2e.conftest import ADA_EMAIL, ADA_PASSWORD, ADMIN_EMAIL, ADMIN_PASSWORD, Server, sign_in

PHONE = {'width': 390, 'height': 844}


def test_the_admin_signs_in_at_admin_on_a_phone(browser: Browser, server: Server) -> None:
    context = browser.new_context(locale='en-GB', viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(server.url + '/admin')
        expect(page.get_by_role('heading', name='Sign in to run Lumen Studio')).to_be_visible()
        assert '/admin/login' in page.url
        page.evaluate('document.fonts.ready.then(() => true)')
        assert serious_violations(page) == []

        page.get_by_label('Email').fill(ADMIN_EMAIL)
        page.get_by_label('Password', exact=True).fill('not-the-password')
        page.get_by_role('button', name='Sign in').click()
        expect(page.get_by_role('alert')).to_have_text(
            'That email and password do not match an admin account of this business.')

        page.get_by_label('Password', exact=True).fill(ADMIN_PASSWORD)
        page.get_by_role('button', name='Sign in').click()
        expect(page.get_by_role('heading', name='Hello, Studio admin')).to_be_visible(timeout=15_000)
        assert page.url.rstrip('/').endswith('/admin')
        navigation = page.get_by_role('navigation', name='Admin areas')
        expect(navigation).to_be_hidden()  # folded away on a phone
        assert serious_violations(page) == []

        page.get_by_role('button', name='Menu').click()
        expect(navigation).to_be_visible()
        expect(navigation.get_by_role('link', name='Overview')).to_have_attribute('aria-current', 'page')
        page.wait_for_timeout(400)  # the drawer's slide-in has finished
        assert serious_violations(page) == []
        navigation.get_by_role('link', name='Audit log').click()
        expect(page.get_by_role('heading', name='Audit log', level=1)).to_be_visible()
        assert serious_violations(page) == []

        page.set_viewport_size({'width': 1280, 'height': 800})  # a desk's screen: the areas stand open, no menu
        page.reload()
        expect(page.get_by_role('heading', name='Audit log', level=1)).to_be_visible()
        expect(navigation).to_be_visible()
        expect(page.get_by_role('button', name='Menu')).to_be_hidden()
    finally:
        context.close()


def test_a_customer_session_does_not_open_the_admin_area(browser: Browser, server: Server) -> None:
    context = browser.new_context(locale='en-GB', viewport=PHONE)
    try:
        page = sign_in(context.new_page(), server, email=ADA_EMAIL, password=ADA_PASSWORD)
        page.goto(server.url + '/admin/audit')
        expect(page.get_by_role('heading', name='Sign in to run Lumen Studio')).to_be_visible()
    finally:
        context.close()

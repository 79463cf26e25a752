"""The business at work on its panel: the admin switches "show price" off, sees the preview change before saving,
saves, and Ada's panel, open all along, stops showing prices without a reload; the admin picks a colour white text
cannot be read on and is told why."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.a11y import serious_violations
from e2e.conftest import Server, _child_env, _free_port, _serve, sign_in, sign_in_admin

DESKTOP_PREVIEW = 'Preview of the customer panel at desktop width'
PHONE_PREVIEW = 'Preview of the customer panel at phone width'


@pytest.fixture(scope='module')
def studio(server: Server) -> Iterator[Server]:
    """A Kairos of its own serving a copy of the demo studio: what this admin saves must not change the panel the
    other journeys see."""
    tmp = Path(tempfile.mkdtemp(prefix='kairos-e2e-admin-'))
    port = _free_port()
    env = {**_child_env(tmp, port), **{k: v for k, v in server.env.items() if k.startswith('KAIROS_STRIPE')}}
    own = Server(url=f'http://127.0.0.1:{port}', env=env, tmp=tmp, log=tmp / 'server.log')
    source = sqlite3.connect(server.env['KAIROS_DATABASE_URL'].removeprefix('sqlite:///'))
    target = sqlite3.connect(str(tmp / 'kairos.sqlite3'))
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    yield from _serve(own, port)


def admin_sign_in(page: Page, server: Server, path: str) -> Page:
    """The demo's admin (admin@example.com / kairos-admin) signed in, on `path`."""
    sign_in_admin(page, server)
    page.goto(server.url + path)
    page.wait_for_function('window.did_handshake === true')  # typing before the page is live would be lost
    return page


def test_price_off_in_the_preview_then_saved_reaches_adas_open_panel(browser: Browser, studio: Server,
                                                                     artifacts: Path) -> None:
    ada = sign_in(browser.new_page(viewport={'width': 390, 'height': 844}), studio)
    ada_prices = ada.get_by_role('article').get_by_test_id('card-price')
    expect(ada_prices.first).to_be_visible()
    ada.evaluate('window.__sameDocument = true')

    admin = admin_sign_in(browser.new_page(viewport={'width': 1440, 'height': 900}), studio, '/admin/designer')
    desktop = admin.frame_locator(f'iframe[title="{DESKTOP_PREVIEW}"]')
    phone = admin.frame_locator(f'iframe[title="{PHONE_PREVIEW}"]')
    for preview in (desktop, phone):
        expect(preview.get_by_test_id('card-price').first).to_be_visible()
        expect(preview.get_by_text('Jordan Reyes').first).to_be_visible()  # the sample customer's, not Ada's
    assert serious_violations(admin) == []

    price = admin.get_by_role('switch', name='Price')
    price.click()
    for preview in (desktop, phone):
        expect(preview.get_by_role('article').first).to_be_visible()
        expect(preview.get_by_test_id('card-price')).to_have_count(0)
    expect(admin.get_by_text('Unsaved changes')).to_be_visible()
    expect(ada_prices.first).to_be_visible()  # nothing saved yet: Ada still sees prices
    admin.screenshot(path=artifacts / 'admin-designer-price-off.png', full_page=True)

    admin.get_by_role('button', name='Save').click()
    expect(admin.get_by_text('Saved. Open customer panels show it now.')).to_be_visible()

    expect(ada.get_by_role('article').first).to_be_visible()
    expect(ada_prices).to_have_count(0)
    assert ada.evaluate('window.__sameDocument') is True  # no reload happened


def test_a_colour_white_text_cannot_be_read_on_is_refused_with_the_reason(browser: Browser, studio: Server,
                                                                          artifacts: Path) -> None:
    admin = admin_sign_in(browser.new_page(viewport={'width': 390, 'height': 844}), studio, '/admin/branding')
    colour = admin.get_by_label('Primary colour')
    colour.fill('#facc15')
    reason = admin.get_by_role('alert').filter(has_text='White text on')
    expect(reason).to_contain_text('White text on #facc15 has a contrast of 1.')
    expect(reason).to_contain_text('at least 4.5:1')

    admin.get_by_role('button', name='Save').click()
    expect(admin.get_by_text('Not saved: see the reason next to the field.')).to_be_visible()
    expect(reason).to_contain_text('A darker shade such as #')
    assert serious_violations(admin) == []
    admin.screenshot(path=artifacts / 'admin-branding-refused.png', full_page=True)

    colour.fill('#0f766e')
    expect(reason).to_have_count(0)
    admin.get_by_role('button', name='Save').click()
    expect(admin.get_by_text('Saved.', exact=False)).to_be_visible()


def test_the_settings_form_says_why_next_to_the_field(browser: Browser, studio: Server, artifacts: Path) -> None:
    admin = admin_sign_in(browser.new_page(viewport={'width': 390, 'height': 844}), studio, '/admin/settings')
    booking = admin.get_by_label('Booking page')
    booking.fill('javascript:alert(1)')
    admin.get_by_role('button', name='Save').click()
    expect(admin.get_by_text('Not saved: 1 setting needs a change (see below it).')).to_be_visible()
    expect(admin.get_by_role('alert').filter(has_text='https://')).to_be_visible()
    assert admin.evaluate('document.documentElement.scrollWidth <= window.innerWidth')  # nothing off the side
    admin.screenshot(path=artifacts / 'admin-settings-refused.png', full_page=True)
    booking.fill('/book')
    admin.get_by_role('button', name='Save').click()
    expect(admin.get_by_text('Saved. Open customer panels follow the new rules now.')).to_be_visible()

"""Ada signs in on a phone and on a desktop, sees her next visit, browses her appointments and opens Details."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.a11y import serious_violations
from e2e.conftest import Server, sign_in


@pytest.mark.parametrize('viewport', [{'width': 390, 'height': 844}, {'width': 1280, 'height': 800}],
                         ids=['phone', 'desktop'])
def test_sign_in_see_the_next_visit_and_open_details(page: Page, server: Server, artifacts: Path,
                                                     viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    page.goto(server.url + '/')
    expect(page).to_have_url(f'{server.url}/login?next=/')  # the panel needs a session
    sign_in(page, server)

    next_card = page.get_by_role('region', name='Overview')
    expect(next_card.get_by_text('Your next appointment')).to_be_visible()
    expect(next_card.get_by_text('upcoming')).to_be_visible()
    expect(next_card.get_by_text('completed')).to_be_visible()
    expect(page.get_by_role('tab', name='Upcoming')).to_be_visible()
    cards = page.get_by_role('article')
    expect(cards.first).to_be_visible()
    assert serious_violations(page) == []
    page.screenshot(path=artifacts / f'panel-{viewport["width"]}x{viewport["height"]}.png', full_page=True)

    first = cards.first
    service = first.get_by_role('heading').inner_text()
    first.get_by_role('button', name='Details').click()
    drawer = page.get_by_role('dialog')
    expect(drawer.get_by_text('Duration')).to_be_visible()
    expect(drawer.get_by_text(service).first).to_be_visible()
    for term in ('Date', 'Time', 'Staff', 'Location', 'Price', 'Paid', 'Due'):
        expect(drawer.get_by_text(term, exact=True)).to_be_visible()
    page.screenshot(path=artifacts / f'details-{viewport["width"]}x{viewport["height"]}.png')
    drawer.get_by_role('button', name='Close').click()
    expect(drawer).to_be_hidden()


def test_tabs_move_without_reloading_and_all_sorts(signed_in_page: Page) -> None:
    page = signed_in_page
    page.evaluate('window.__sameDocument = true')
    page.get_by_role('tab', name='Past').click()
    expect(page.get_by_role('link', name='Rebook').first).to_be_visible()
    page.get_by_role('tab', name='All').click()
    page.get_by_label('Sort by').click()
    page.get_by_role('option', name='Price (high to low)').click()
    prices = page.get_by_role('article').locator('.text-weight-medium')
    expect(page.get_by_label('Sort by')).to_have_value('Price (high to low)')

    def shown() -> list[float]:
        return [float(p.replace('€', '').replace(',', '')) for p in prices.all_inner_texts() if p.startswith('€')]

    values = shown()
    for _ in range(50):  # the cards were on screen in date order before the new order is drawn
        if len(values) >= 6 and values == sorted(values, reverse=True):
            break
        page.wait_for_timeout(200)
        values = shown()
    assert values == sorted(values, reverse=True) and len(values) >= 6
    assert page.evaluate('window.__sameDocument') is True  # no reload happened


def test_sign_out_ends_the_session(signed_in_page: Page, server: Server) -> None:
    page = signed_in_page
    page.get_by_role('button', name='Sign out').click()
    expect(page.get_by_role('button', name='Sign in')).to_be_visible()
    page.goto(server.url + '/')
    expect(page).to_have_url(f'{server.url}/login?next=/')


def test_times_read_in_the_browsers_own_time_zone(browser: Browser, server: Server) -> None:
    """Grace's phone is set to Tokyo: from her next visit on, times read in her clock, the studio's beside them."""
    context = browser.new_context(timezone_id='Asia/Tokyo', locale='en-GB', viewport={'width': 390, 'height': 844})
    try:
        page = sign_in(context.new_page(), server, email='grace@example.com')
        expect(page.get_by_role('article').first).to_be_visible()
        drawer = page.get_by_role('dialog')
        for _ in range(20):  # the browser reports its zone once it is connected; the next visit uses it
            page.reload()
            page.get_by_role('article').first.get_by_role('button', name='Details').click()
            expect(drawer.get_by_text('Duration')).to_be_visible()
            if drawer.get_by_text('Asia/Tokyo').count():
                break
            page.wait_for_timeout(250)
        expect(drawer.get_by_text('Asia/Tokyo')).to_be_visible()
        expect(drawer.get_by_text('Europe/Lisbon')).to_be_visible()  # the studio's own clock, since they differ
    finally:
        context.close()

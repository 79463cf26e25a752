"""axe-core on every place a person can reach (e2e/routes.py), with every drawer and dialog open, in the business's
light and dark theme, on a phone and on a desktop: no serious or critical violation, colour contrast and WCAG 2.2's
24-pixel targets included."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from e2e.a11y import serious_violations
from e2e.conftest import Server, sign_in, sign_in_admin
from e2e.routes import VISITS, Visit

SIZES = {'phone': {'width': 390, 'height': 844}, 'desktop': {'width': 1280, 'height': 800}}
LINKS_FOR = 'grace@example.com'  # the single-use links are Grace's, so Ada's sign-in is never disturbed

# Run in the server's own environment (its database and secret): fresh links, a bookable service, a receipt.
FIXTURES_SCRIPT = '''
import json, sys
from datetime import UTC, datetime
import sqlalchemy as sa
from services.context import get_db
from services.tenants import resolve_tenant
from services.tokens import Purpose, issue
from storage import tables as t

db, tenant, now = get_db(), resolve_tenant(None), datetime.now(UTC)
with db.read() as s:
    def customer(email):
        return s.execute(sa.select(t.Customer.id).where(t.Customer.tenant_id == tenant.id,
                                                        t.Customer.email == email)).scalar_one()
    grace, ada = customer(sys.argv[1]), customer('ada@example.com')
    service = s.execute(sa.select(t.Service.id).where(t.Service.tenant_id == tenant.id, t.Service.capacity == 1,
                                                      t.Service.deposit == 0).order_by(t.Service.id)).scalars().first()
    receipt = s.execute(sa.select(t.Payment.id).join(t.Appointment, t.Appointment.id == t.Payment.appointment_id)
                        .where(t.Appointment.customer_id == ada, t.Payment.state == 'succeeded')
                        .order_by(t.Payment.id)).scalars().first()
    visit = s.execute(sa.select(t.Appointment.id).where(t.Appointment.customer_id == grace, t.Appointment.start > now)
                      .order_by(t.Appointment.start)).scalars().first()
payloads = {Purpose.EMAIL_CHANGE: 'grace.new@example.com', Purpose.REMINDER: str(visit)}
links = {p.value: issue(db, tenant_id=tenant.id, customer_id=grace, purpose=p, now=now, payload=payloads.get(p, ''))
         for p in Purpose}
# The admin area: a manager beside the demo's owner, and an invitation waiting (its link for the invitation page).
import secrets
from datetime import timedelta
from domain.admins import AdminRole
from services.admin_auth import INVITE_PURPOSE
from services.auth import hash_password
from services.tokens import digest
from storage import admins as admin_db
invitation = secrets.token_urlsafe(32)
with db.write() as s:
    if admin_db.admin_by_email(s, tenant_id=tenant.id, email='maya@example.com') is None:
        admin_db.create_admin(s, tenant_id=tenant.id, email='maya@example.com', name='Maya Manager',
                              password_hash=hash_password(secrets.token_urlsafe(16)), role=AdminRole.MANAGER)
    owner = admin_db.active_admin_by_email(s, tenant_id=tenant.id, email='admin@example.com')[0]
    admin_db.add_invite(s, tenant_id=tenant.id, email='noor@example.com', role=AdminRole.MANAGER, invited_by=owner.id,
                        token_hash=digest(INVITE_PURPOSE, invitation), now=now, expires_at=now + timedelta(hours=72))
print(json.dumps({**links, 'service': service, 'receipt': receipt, 'admin_invite': invitation, 'ada': ada}))
'''


@dataclass(frozen=True)
class Themed:
    theme: str
    server: Server
    values: dict[str, Any]  # what the table's URLs need on this server
    state: Any  # Ada's signed-in browser storage
    admin_state: Any = None  # the demo admin's, in the admin area


THEME = 'light'  # e2e/test_a11y_dark.py runs the same audit with 'dark', as a file of its own for a second worker


@pytest.fixture(scope='module')
def themed(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Themed]:
    """The demo studio in the theme its test file names (THEME): the business's light one here."""
    theme: str = request.module.THEME
    server: Server = request.getfixturevalue('server' if theme == 'light' else 'dark_server')
    made = subprocess.run([sys.executable, '-c', FIXTURES_SCRIPT, LINKS_FOR], env=server.env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert made.returncode == 0, made.stderr
    values = json.loads(made.stdout.strip().splitlines()[-1])
    context = browser.new_context(locale='en-GB')
    try:
        sign_in(context.new_page(), server)
        state = context.storage_state()
    finally:
        context.close()
    context = browser.new_context(locale='en-GB')
    try:
        sign_in_admin(context.new_page(), server)
        admin_state = context.storage_state()
    finally:
        context.close()
    yield Themed(theme, server, values, state, admin_state)


@pytest.mark.parametrize('visit', VISITS, ids=[v.id for v in VISITS])
def test_no_serious_violations(browser: Browser, themed: Themed, visit: Visit) -> None:
    server = themed.server
    state = themed.state if visit.signed_in else themed.admin_state if visit.admin else None
    context = browser.new_context(locale='en-GB', storage_state=state)
    try:
        page = context.new_page()
        found: list[str] = []
        for size_name, size in SIZES.items():
            page.set_viewport_size(size)
            page.goto(server.url + visit.url.format(**themed.values))
            _settled(page)
            if visit.opens:
                OPENERS.get(visit.opens, _open_card_action)(page, visit.opens)
                _settled(page)
            found += [f'{size_name}: {v}' for v in serious_violations(page)]
            if size_name == 'phone':
                found += [f'phone: {wide} is wider than the screen' for wide in _off_the_side(page)]
        assert found == [], f'{visit.id} ({themed.theme}): ' + '\n'.join(found)
    finally:
        context.close()


def _off_the_side(page: Page) -> list[str]:
    """What sticks out past the right edge of a phone's screen (the page would scroll sideways), ignoring what sits
    inside a box that scrolls or clips on its own (a wide table in its own scroller is fine)."""
    return page.evaluate('''() => {
        const edge = document.documentElement.clientWidth + 1, found = [];
        if (document.documentElement.scrollWidth <= edge) return found;
        for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.right <= edge) continue;
            let up = el.parentElement, contained = false;
            for (; up && up !== document.body; up = up.parentElement) {
                const clips = ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(up).overflowX);
                if (clips) { contained = true; break; }
            }
            const name = `<${el.tagName.toLowerCase()} class="${el.className}">`;
            if (!contained) found.push(`${name} (right edge ${Math.round(box.right)} px)`);
        }
        return found.length ? found.slice(0, 3) : [`the page (${document.documentElement.scrollWidth} px)`];
    }''')


def _settled(page: Page) -> None:
    """The page is drawn (its main landmark or, for the receipt, its heading is visible) and its fonts are loaded."""
    page.wait_for_load_state('load')
    page.locator('main, [role=main], h1').first.wait_for(state='visible')
    page.evaluate('document.fonts.ready.then(() => true)')
    page.wait_for_timeout(300)  # sections fill in after the first paint; Quasar's enter animations finish


def _open_card_action(page: Page, action: str) -> None:
    """Open a drawer from the first appointment card that offers the action ("Details: ...", "Pay: ...")."""
    page.get_by_role('button', name=re.compile(f'^{re.escape(action)}: ')).first.click()
    expect(page.get_by_role('dialog')).to_be_visible()
    expect(page.get_by_role('dialog').get_by_role('heading', name=action)).to_be_visible()


def _open_package_pay(page: Page, _action: str) -> None:
    page.get_by_role('button', name=re.compile('^Pay for ')).first.click()
    expect(page.get_by_role('dialog').get_by_role('heading', name='Pay')).to_be_visible()


def _open_delete_dialog(page: Page, action: str) -> None:
    page.get_by_role('button', name=action).click()
    expect(page.get_by_role('alertdialog')).to_be_visible()


def _book(page: Page, _action: str) -> None:
    """Book the first free time (as a guest, or as Ada when signed in); the confirmation page follows."""
    first = page.get_by_role('group', name=re.compile('^Free times on ')).get_by_role('button').first
    expect(first).to_be_visible()
    for _ in range(5):  # a click before the page's socket is connected is lost: click until the server took it
        first.click()
        if first.get_attribute('aria-pressed') == 'true' or _pressed(first):
            break
    expect(first).to_have_attribute('aria-pressed', 'true')
    guest = page.get_by_label('First name').input_value() == ''
    if guest:
        page.get_by_label('First name').fill('Alan')
        page.get_by_label('Last name').fill('Turing')
        page.get_by_label('Email').fill(f'alan-{uuid.uuid4().hex[:8]}@example.com')
    expect(page.get_by_role('button', name='Confirm booking')).to_be_enabled()
    page.get_by_role('button', name='Confirm booking').click()
    # a guest's booking waits for the click in the mailbox; a signed-in customer's is booked at once
    done = 'Check your email to confirm' if guest else 'You are booked'
    expect(page.get_by_role('heading', name=done)).to_be_visible()


def _pressed(button: Locator) -> bool:
    try:
        expect(button).to_have_attribute('aria-pressed', 'true', timeout=3000)
    except AssertionError:
        return False
    return True


def _open_status_edit(page: Page, _action: str) -> None:
    page.get_by_role('button', name=re.compile('^Edit ')).first.click()
    expect(page.get_by_role('dialog', name='Edit status')).to_be_visible()


def _open_status_merge(page: Page, _action: str) -> None:
    page.get_by_role('button', name=re.compile('^Delete or merge ')).first.click()
    expect(page.get_by_role('dialog')).to_be_visible()


def _open_email_preview(page: Page, _action: str) -> None:
    expect(page.get_by_label('Subject')).not_to_have_value('')
    page.get_by_role('button', name='Preview').click()
    expect(page.get_by_role('heading', name='Preview with sample data')).to_be_visible()


def _open_form(page: Page, action: str) -> None:
    """An admin catalog form: the page's "New ..." button opens a dialog headed with the same words."""
    page.get_by_role('button', name=action).click()
    expect(page.get_by_role('dialog').get_by_role('heading', name=action)).to_be_visible()


def _open_appointment(page: Page, _action: str) -> None:
    page.get_by_role('button', name=re.compile('^Open the appointment of ')).first.click()
    expect(page.get_by_role('dialog')).to_be_visible()


OPENERS: dict[str, Callable[[Page, str], None]] = {
    'appointment': _open_appointment,
    'New appointment': _open_form,
    'New service': _open_form,
    'New staff member': _open_form,
    'New customer': _open_form,
    'New package': _open_form,
    'Close the account…': _open_form,
    'package Pay': _open_package_pay,
    'Delete my account…': _open_delete_dialog,
    'booking': _book,
    'status edit': _open_status_edit,
    'status merge': _open_status_merge,
    'email preview': _open_email_preview,
}


def test_slow_scripts_never_bring_up_the_old_browser_message(browser: Browser, server: Server) -> None:
    """NiceGUI's "Your browser does not support ES modules" came up whenever its module scripts took more than a
    second (a slow phone, a slow network), on browsers that run them fine; only a browser without modules sees it."""
    context = browser.new_context(viewport={'width': 390, 'height': 844}, locale='en-GB')
    try:
        page = context.new_page()

        def late(route: Any) -> None:
            page.wait_for_timeout(2500)  # longer than the message's one-second wait
            route.continue_()

        page.route(re.compile(r'/static/vue\.esm-browser[^/]*\.js$'), late)
        page.goto(server.url + '/login', wait_until='commit')
        page.wait_for_timeout(1800)  # the message would be showing by now, the modules still on their way
        fallback = page.locator('#esm-fallback')
        assert fallback.count() == 1, 'the modules ran before the check: it tested nothing'
        assert not fallback.is_visible(), 'the old-browser message is showing'  # now, not once the modules ran
        expect(page.get_by_role('button', name='Sign in')).to_be_visible(timeout=15_000)  # then the page works
        expect(fallback).to_have_count(0)
        assert serious_violations(page) == []
    finally:
        context.close()

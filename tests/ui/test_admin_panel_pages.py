"""The admin's Settings, Panel Designer (with its preview) and Branding pages, as an admin uses them; and a second
business on its own host name that none of them ever shows or changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from nicegui import ui
from nicegui.testing import User

from domain.settings import PanelDesigner
from services import admin_settings, events, ratelimit
from services.config import reset_config
from services.tenants import forget_tenants
from storage import tables
from tests.integration.test_avatars import photo
from tests.support.seed import ADMIN_PASSWORD, add_admin, seed_world
from tests.ui.conftest import eventually
from ui.components.appointments_view import AppointmentsView
from ui.components.panel_preview import preview_topic


async def admin_signed_in(user: User, target: str, email: str = 'owner@example.com') -> None:
    await user.open(f'/admin/login?next={target}')
    user.find(marker='admin-email').type(email)
    user.find(marker='admin-password').type(ADMIN_PASSWORD)
    user.find(marker='admin-sign-in').click()
    await user.should_see(marker='admin-main', retries=50)


@pytest.fixture
def studio(db):
    world = seed_world(db)
    add_admin(db, world)
    ratelimit.reset_limiter()
    return world


def refusal(user: User, name: str) -> str:
    return next(iter(user.find(marker=f'error-{name}').elements)).text


# ---- Settings -------------------------------------------------------------------------------------------------------

async def test_settings_show_every_rule_with_its_help(user: User, studio) -> None:
    await admin_signed_in(user, '/admin/settings')
    for label in ('Customer panel is open', 'Booking page', 'Default language', 'Customers may reschedule',
                  'Reschedule from these statuses', 'Status after rescheduling', 'Reschedules per appointment',
                  'Customers may change the status', 'Statuses customers may choose',
                  'Customers may choose a status that holds the slot', 'Customers may close their account',
                  'Visitors may sign up', 'Create an account for new customers who book', 'Hide "Pay now"',
                  'Paying in person'):
        await user.should_see(label)
    await user.should_see('How many times one appointment may be rescheduled. 0 means no limit.')


async def test_settings_refusals_are_said_next_to_their_fields_and_nothing_is_saved(user: User, db, studio) -> None:
    await admin_signed_in(user, '/admin/settings')
    user.find(marker='setting-booking_url').clear().type('javascript:alert(1)')
    user.find(marker='setting-status_after_reschedule').click()
    user.find('Canceled').click()
    user.find(marker='save').click()

    await user.should_see('Not saved: 2 settings need a change (see below them).', retries=50)
    assert 'https://' in refusal(user, 'booking_url')
    assert 'free the new time for someone else' in refusal(user, 'status_after_reschedule')
    assert refusal(user, 'reschedule_quota') == ''
    stored = admin_settings.load(db, tenant_id=studio.tenant_id).settings
    assert (stored.booking_url, stored.status_after_reschedule) == ('/book', 'pending')


async def test_settings_saved_are_the_business_rules_and_open_panels_hear_them(user: User, db, studio) -> None:
    heard: list[dict] = []
    events.subscribe(events.settings_topic(studio.tenant_id), heard.append)
    await admin_signed_in(user, '/admin/settings')
    user.find(marker='setting-hide_pay_now').click()
    user.find(marker='setting-reschedule_quota').clear().type('3')
    user.find(marker='save').click()

    await user.should_see('Saved. Open customer panels follow the new rules now.', retries=50)
    stored = admin_settings.load(db, tenant_id=studio.tenant_id).settings
    assert (stored.hide_pay_now, stored.reschedule_quota) == (True, 3)
    await eventually(lambda: heard and heard[-1]['settings']['hide_pay_now'] is True)


# ---- Panel Designer and its preview ---------------------------------------------------------------------------------

async def test_a_toggle_changes_the_preview_before_anything_is_saved_and_discard_undoes_it(user: User, db,
                                                                                            studio) -> None:
    await admin_signed_in(user, '/admin/designer')
    token = _preview_token(user)
    drafts: list[dict] = []
    events.subscribe(preview_topic(studio.tenant_id, token), drafts.append)

    user.find(marker='designer-show_price').click()
    await eventually(lambda: drafts and drafts[-1]['settings']['designer']['show_price'] is False)
    await user.should_see('Unsaved changes: your customers still see the saved panel.')
    assert admin_settings.load(db, tenant_id=studio.tenant_id).settings.designer.show_price is True

    user.find(marker='discard').click()
    await eventually(lambda: drafts[-1]['settings']['designer']['show_price'] is True)
    user.find(marker='designer-show_location').click()
    user.find(marker='save').click()
    await user.should_see('Saved. Open customer panels show it now.', retries=50)
    assert admin_settings.load(db, tenant_id=studio.tenant_id).settings.designer == PanelDesigner(show_location=False)


async def test_the_preview_is_the_real_panel_with_a_sample_customer_and_follows_the_draft(user: User, db,
                                                                                         studio) -> None:
    await admin_signed_in(user, '/admin/designer')
    token = _preview_token(user)
    await user.open(f'/admin/preview?t={token}')
    await user.should_see(marker='preview-chrome')
    element = next(iter(user.find(AppointmentsView).elements))
    staff = {row['staff'] for row in element.state['rows']}
    assert staff <= {'Jordan Reyes', 'Sam Okafor'} and staff  # made up: never one of the business's own
    assert all(row['price'] for row in element.state['rows'])

    events.publish(preview_topic(studio.tenant_id, token),
                   {'settings': {'designer': {'show_price': False}}, 'restyle': False})
    await eventually(lambda: not any(row['price'] for row in element.state['rows']))


async def test_the_preview_needs_an_admin(user: User, studio) -> None:
    answer = await user.http_client.get('/admin/preview?t=x', follow_redirects=False)
    assert answer.status_code == 303 and answer.headers['location'].startswith('/admin/login')


# ---- Branding -------------------------------------------------------------------------------------------------------

async def test_a_colour_white_text_cannot_be_read_on_is_refused_with_why(user: User, db, studio) -> None:
    await admin_signed_in(user, '/admin/branding')
    pick_colour(user, '#facc15')
    assert refusal(user, 'primary_color').startswith('White text on #facc15 has a contrast of 1.')
    user.find(marker='save').click()
    await user.should_see('Not saved: see the reason next to the field.', retries=50)
    assert admin_settings.load(db, tenant_id=studio.tenant_id).tenant.branding.primary_color == '#4f46e5'

    pick_colour(user, '#0f766e')
    assert refusal(user, 'primary_color') == ''
    user.find(marker='brand-name').clear().type('Lumen Hair')
    user.find(marker='save').click()
    await user.should_see('Saved. Your pages use the new look from the next page your customers open.', retries=50)
    saved = admin_settings.load(db, tenant_id=studio.tenant_id).tenant
    assert (saved.name, saved.branding.primary_color) == ('Lumen Hair', '#0f766e')


async def test_a_logo_upload_is_checked_and_served_to_everyone(user: User, db, studio) -> None:
    await admin_signed_in(user, '/admin/branding')
    [upload] = user.find(ui.upload).elements
    await _upload(upload, photo('PNG', (900, 300)), 'logo.png')
    await user.should_see('The new logo is saved.', retries=50)
    url = admin_settings.load(db, tenant_id=studio.tenant_id).tenant.branding.logo_url
    assert url and url.startswith('/logo?v=')
    answer = await user.http_client.get(url)
    assert answer.status_code == 200 and answer.headers['content-type'] == 'image/webp'

    await _upload(upload, b'GIF89a not really', 'logo.gif')
    await user.should_see('That file is not a JPG, PNG or WEBP image.', retries=50)


# ---- two businesses -------------------------------------------------------------------------------------------------

@pytest.fixture
def two_hosts(db, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple]:
    """Multi-tenant: the studio on the simulated browser's own host, another business on other.example."""
    monkeypatch.setenv('KAIROS_MULTI_TENANT', 'true')
    reset_config()
    forget_tenants()
    studio = seed_world(db, slug='studio', host='test')
    other = seed_world(db, slug='other', host='other.example', ada_email='ada@other.example')
    add_admin(db, studio)
    boss = add_admin(db, other, email='boss@other.example', name='Otto Other')
    with db.write() as s:
        s.add(tables.Status(tenant_id=other.tenant_id, key='waitlist', label='On the waitlist', color='#6b7280',
                            icon='schedule', busy=False, position=9, role='other'))
    admin_settings.save_logo(db, tenant_id=other.tenant_id, admin_id=boss,
                             data=photo('PNG', (90, 30)), now=_now())
    ratelimit.reset_limiter()
    yield studio, other
    monkeypatch.delenv('KAIROS_MULTI_TENANT')
    reset_config()
    forget_tenants()


async def test_admin_pages_show_and_change_only_their_own_business(user: User, db, two_hosts) -> None:
    studio, other = two_hosts
    await admin_signed_in(user, '/admin/settings')
    await user.should_see('Reschedule from these statuses')
    await user.should_not_see('On the waitlist')  # the other business's status
    user.find(marker='setting-allow_signup').click()
    user.find(marker='save').click()
    await user.should_see('Saved. Open customer panels follow the new rules now.', retries=50)
    assert admin_settings.load(db, tenant_id=studio.tenant_id).settings.allow_signup is False
    assert admin_settings.load(db, tenant_id=other.tenant_id).settings.allow_signup is True

    # The studio's admin session opens nothing of the other business, and its preview token shows nothing there.
    token = await _preview_token_after(user, '/admin/designer')
    for path in ('/admin/settings', '/admin/designer', '/admin/branding', f'/admin/preview?t={token}'):
        answer = await user.http_client.get(path, headers={'host': 'other.example'}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers['location'].startswith('/admin/login'), path
    # Each business's logo on its own host only.
    assert (await user.http_client.get('/logo', headers={'host': 'other.example'})).status_code == 200
    assert (await user.http_client.get('/logo')).status_code == 404


# ---- helpers --------------------------------------------------------------------------------------------------------

def pick_colour(user: User, colour: str) -> None:
    """As typing it (or picking it) in the colour field does."""
    [field] = user.find(marker='brand-color').elements
    with user.client:
        field.set_value(colour)


def _preview_token(user: User) -> str:
    [frame] = user.find(marker='preview-phone').elements
    return str(frame.props['src']).split('?t=', 1)[1]


async def _preview_token_after(user: User, path: str) -> str:
    await user.open(path)
    await user.should_see(marker='preview-phone')
    return _preview_token(user)


async def _upload(upload, data: bytes, name: str) -> None:
    from nicegui.elements.upload_files import SmallFileUpload

    await upload.handle_uploads([SmallFileUpload(name, 'application/octet-stream', data)])


def _now() -> datetime:
    return datetime.now(UTC)


async def test_a_manager_sees_the_payment_settings_but_cannot_change_them(user: User, db, studio) -> None:
    add_admin(db, studio, email='manager@example.com', name='Max Manager', role='manager')
    await admin_signed_in(user, '/admin/settings', email='manager@example.com')
    await user.should_see(marker='locked-hide_pay_now')
    await user.should_see(marker='locked-offline_payment_instructions')
    await user.should_not_see(marker='locked-allow_signup')
    [pay] = user.find(marker='setting-hide_pay_now').elements
    assert not pay.enabled

    # A forged change of a locked field is refused by the server, next to the field.
    with user.client:
        pay.enable()
        pay.set_value(True)
    user.find(marker='save').click()
    await user.should_see('Not saved: 1 setting needs a change (see below it).', retries=50)
    assert refusal(user, 'hide_pay_now') == 'Only the owner of the business can change the payment settings.'
    assert admin_settings.load(db, tenant_id=studio.tenant_id).settings.hide_pay_now is False

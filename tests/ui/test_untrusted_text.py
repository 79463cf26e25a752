"""Text and links the business typed are shown as text, and a link that is not http(s) is drawn as no link.

The admin area will let people type these; today they arrive straight in the database, as here.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

import sqlalchemy as sa
from nicegui.testing import User

from domain.settings import PanelSettings
from storage import tables as t
from storage import tenants as tenant_db
from tests.support.seed import add_appointment, at, seed_world
from tests.ui.conftest import appointments_shown, signed_in
from ui.components.appointments_view import AppointmentsView
from ui.components.page_frame import PageFrame

MARKUP = '"><img src=x onerror=alert(1)>'
SCRIPT_URL = 'javascript:alert(1)'


def hostile_business(db, now: datetime):
    """A business whose every name, link and colour was typed by an attacker, with one past and one coming visit."""
    world = seed_world(db, now=now)
    with db.write() as s:
        s.execute(sa.update(t.Service).where(t.Service.id == world.services['cut']).values(
            name=f'Cut {MARKUP}', meeting_url=f'{SCRIPT_URL}//" onclick="alert(2)'))
        s.execute(sa.update(t.Staff).where(t.Staff.id == world.staff['mia']).values(
            name=f'Mia {MARKUP}', avatar_url=SCRIPT_URL))
        s.execute(sa.update(t.Tenant).where(t.Tenant.id == world.tenant_id).values(
            name=f'Studio {MARKUP}', logo_url=SCRIPT_URL, primary_color='red; background-image: url(//evil.example)'))
        s.execute(sa.update(t.Status).where(t.Status.tenant_id == world.tenant_id, t.Status.key == 'approved').values(
            label=f'OK {MARKUP}', color='#fff; position: fixed; inset: 0'))
        tenant_db.save_panel_settings(s, tenant_id=world.tenant_id, settings=PanelSettings(booking_url=SCRIPT_URL))
    past = add_appointment(db, world, start=at(now, -3))
    coming = add_appointment(db, world, start=at(now, 2))
    return world, past, coming


async def test_names_show_as_text_and_script_links_are_not_drawn(user: User, db) -> None:
    now = datetime.now(UTC)
    _, past, coming = hostile_business(db, now)
    await signed_in(user)
    await appointments_shown(user, 1)

    chrome = user.find(PageFrame).elements.pop()
    assert chrome.props['business'] == f'Studio {MARKUP}'  # drawn by Vue as text, {{ business }}
    assert chrome.props['logo'] == ''  # a javascript: logo is no logo
    head = user.client.head_html  # the brand colours go into the page head, as #rrggbb only
    assert 'evil.example' not in head and 'background-image' not in head
    assert '--q-primary: #4f46e5' in head  # not a colour: Kairos's own instead
    # The frame and the next visit painted as static HTML before the scripts run (last in the head, where the parser
    # opens the body with it): every name escaped, no javascript:.
    first_paint = head[head.index('<div id="k-first-paint"'):]
    assert 'k-first-paint' in first_paint and MARKUP not in first_paint and SCRIPT_URL not in first_paint
    assert f'Studio {html.escape(MARKUP)}' in first_paint and f'Cut {html.escape(MARKUP)}' in first_paint

    view = user.find(AppointmentsView).elements.pop()
    assert view.state['booking_url'] == '/book'  # the business's javascript: booking page is not linked
    [row] = view.rows
    assert row['service'] == f'Cut {MARKUP}' and row['staff'] == f'Mia {MARKUP}'
    assert row['staff_avatar'] == '' and row['status_color'] == ''  # drawn as initials, on the default colour
    assert row['status_label'] == f'OK {MARKUP}'

    user.find(AppointmentsView).trigger('view', {'tab': 'past'})
    await appointments_shown(user, 1, tab='past')
    [old] = user.find(AppointmentsView).elements.pop().rows
    assert old['id'] == past and old['rebook_url'].startswith('/book?service=')

    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': coming})
    await user.should_see(marker='details-drawer')
    await user.should_see(f'Cut {MARKUP}')  # a label: the text as typed
    await user.should_see(marker='add-to-calendar')
    await user.should_not_see(marker='join-meeting')  # the javascript: meeting link is drawn as no link
    [badge] = user.find(marker='details-status').elements
    assert badge.text == f'OK {MARKUP}'
    assert 'position' not in badge.style and 'background' not in badge.style


async def test_a_meeting_link_cannot_smuggle_in_more_props(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    with db.write() as s:
        s.execute(sa.update(t.Service).where(t.Service.id == world.services['cut']).values(
            meeting_url='https://meet.example.com/" onclick="alert(1)'))
        s.execute(sa.update(t.Service).where(t.Service.id == world.services['colour']).values(
            meeting_url='https://meet.example.com/lumen?pwd=a%20b'))
    smuggling = add_appointment(db, world, start=at(now, 2))
    honest = add_appointment(db, world, service='colour', start=at(now, 3), minutes=120)
    await signed_in(user)
    await appointments_shown(user, 2)
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': smuggling})
    await user.should_see(marker='add-to-calendar')
    await user.should_not_see(marker='join-meeting')  # a quote in a link: refused as a whole, never parsed as props
    user.find(marker='drawer-close').click()
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': honest})
    await user.should_see(marker='join-meeting')
    [join] = user.find(marker='join-meeting').elements
    assert join.props['href'] == 'https://meet.example.com/lumen?pwd=a%20b'
    assert join.props['target'] == '_blank' and 'onclick' not in join.props


async def test_the_sign_in_page_shows_the_business_name_as_text_and_no_script_logo(user: User, db) -> None:
    now = datetime.now(UTC)
    hostile_business(db, now)
    await user.open('/login')
    await user.should_see(f'See and manage your appointments with Studio {MARKUP}.')
    frame = user.find(PageFrame).elements.pop()
    assert frame.props['business'] == f'Studio {MARKUP}'  # drawn by Vue as text, {{ business }}
    assert frame.props['logo'] == ''  # a javascript: logo is no logo


async def test_a_safe_logo_is_drawn_with_the_business_name_as_its_alt_text(user: User, db) -> None:
    world = seed_world(db)
    with db.write() as s:
        s.execute(sa.update(t.Tenant).where(t.Tenant.id == world.tenant_id).values(
            name=f'Studio {MARKUP}', logo_url='https://cdn.example.com/logo.png'))
    await user.open('/login')
    frame = user.find(PageFrame).elements.pop()
    # page_frame.js draws <img :src="logo" :alt="business">: the business's name, as text, is the logo's alt text
    assert frame.props['logo'] == 'https://cdn.example.com/logo.png'
    assert frame.props['business'] == f'Studio {MARKUP}'


async def test_signing_in_never_leaves_for_another_site(user: User, db) -> None:
    seed_world(db)
    await user.open('/login?next=/%5Cevil.example/')
    user.find('Email').type('ada@example.com')
    user.find('Password').type('kairos-demo')
    user.find(marker='sign-in').click()
    await user.should_see(marker='panel-chrome', retries=50)  # the panel, at /
    # the sign-in hands the session over through /auth/finish, which goes on to the panel, never off-site
    assert not any('evil' in step for step in user.back_history[1:]), user.back_history


async def test_signing_in_follows_a_path_on_this_site(user: User, db) -> None:
    seed_world(db)
    await user.open('/login?next=/profile')
    user.find('Email').type('ada@example.com')
    user.find('Password').type('kairos-demo')
    user.find(marker='sign-in').click()
    await user.should_see('Your profile', retries=50)  # /auth/finish went on to /profile

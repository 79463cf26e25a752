"""The admin's settings, Panel Designer and branding saves: the CLI's validation, refusals by field, the live event
open panels hear, the logo through the avatar pipeline, and one business never touching another's."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain.admins import AuditFilter, NotAllowed
from domain.settings import PanelDesigner, PanelSettings
from services import admin_settings, audit, avatars, events
from services.admin_settings import Refused
from storage import tables
from tests.integration.test_avatars import photo
from tests.support.seed import add_admin, seed_world

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def two_businesses(db):
    first = seed_world(db, now=NOW, slug='lumen', host='lumen.example')
    second = seed_world(db, now=NOW, slug='other', host='other.example', ada_email='ada@other.example')
    return first, second


def heard(tenant_id: int) -> list[dict]:
    got: list[dict] = []
    events.subscribe(events.settings_topic(tenant_id), got.append)
    return got


def test_settings_save_validated_published_and_kept_to_the_business(db) -> None:
    lumen, other = two_businesses(db)
    admin = add_admin(db, lumen)
    lumen_hears, other_hears = heard(lumen.tenant_id), heard(other.tenant_id)
    wanted = replace(PanelSettings(), change_closes_minutes=30, hide_pay_now=True, reschedule_quota=2,
                     default_language='de')

    saved = admin_settings.save_settings(db, tenant_id=lumen.tenant_id, admin_id=admin, settings=wanted, now=NOW)

    assert (saved.change_closes_minutes, saved.hide_pay_now, saved.reschedule_quota) == (30, True, 2)
    assert admin_settings.load(db, tenant_id=lumen.tenant_id).settings.default_language == 'de'
    assert admin_settings.load(db, tenant_id=other.tenant_id).settings == PanelSettings()
    assert [PanelSettings.from_dict(p['settings']).hide_pay_now for p in lumen_hears] == [True]
    assert other_hears == []


def test_the_settings_form_leaves_the_designer_as_stored(db) -> None:
    world = seed_world(db, now=NOW)
    admin = add_admin(db, world)
    admin_settings.save_designer(db, tenant_id=world.tenant_id, admin_id=admin,
                                 designer=PanelDesigner(show_price=False), now=NOW)
    admin_settings.save_settings(db, tenant_id=world.tenant_id, admin_id=admin,
                                 settings=replace(PanelSettings(), allow_signup=False), now=NOW)
    stored = admin_settings.load(db, tenant_id=world.tenant_id).settings
    assert stored.allow_signup is False
    assert stored.designer.show_price is False


def test_every_refusal_is_said_next_to_its_field_and_nothing_is_saved(db) -> None:
    world = seed_world(db, now=NOW)
    admin = add_admin(db, world)
    got = heard(world.tenant_id)
    wanted = replace(PanelSettings(), booking_url='javascript:alert(1)', status_after_reschedule='canceled',
                     status_transitions={'approved': ('pending',)}, offline_payment_instructions='x' * 1001)

    with pytest.raises(Refused) as refused:
        admin_settings.save_settings(db, tenant_id=world.tenant_id, admin_id=admin, settings=wanted, now=NOW)

    found = {name: str(text) for name, text in refused.value.problems.items()}
    assert set(found) == {'booking_url', 'status_after_reschedule', 'allow_busy_targets',
                          'offline_payment_instructions'}
    assert 'https://' in found['booking_url']
    assert 'free the new time' in found['status_after_reschedule']
    assert 'approved' in found['allow_busy_targets']
    assert admin_settings.load(db, tenant_id=world.tenant_id).settings == PanelSettings()
    assert got == []


def test_a_busy_target_is_saved_once_the_admin_confirms_it(db) -> None:
    world = seed_world(db, now=NOW)
    admin = add_admin(db, world)
    wanted = replace(PanelSettings(), status_transitions={'approved': ('pending',)}, allow_busy_targets=True)
    saved = admin_settings.save_settings(db, tenant_id=world.tenant_id, admin_id=admin, settings=wanted, now=NOW)
    assert saved.status_transitions == {'approved': ('pending',)}


def test_a_status_of_another_business_is_unknown_here(db) -> None:
    lumen, other = two_businesses(db)
    admin = add_admin(db, lumen)
    with db.write() as s:
        s.add(tables.Status(tenant_id=other.tenant_id, key='waitlist', label='Waitlist', color='#6b7280',
                            icon='schedule', busy=False, position=9, role='other'))
    wanted = replace(PanelSettings(), reschedule_from_statuses=('pending', 'waitlist'))
    with pytest.raises(Refused) as refused:
        admin_settings.save_settings(db, tenant_id=lumen.tenant_id, admin_id=admin, settings=wanted, now=NOW)
    assert 'waitlist' in str(refused.value.problems['reschedule_from_statuses'])


def test_designer_switches_reach_open_panels(db) -> None:
    world = seed_world(db, now=NOW)
    admin = add_admin(db, world)
    got = heard(world.tenant_id)
    admin_settings.save_designer(db, tenant_id=world.tenant_id, admin_id=admin,
                                 designer=PanelDesigner(show_price=False, show_staff=False), now=NOW)
    designer = PanelSettings.from_dict(got[-1]['settings']).designer
    assert (designer.show_price, designer.show_staff, designer.show_location) == (False, False, True)


@pytest.mark.parametrize(('colour', 'reason'), [
    ('#facc15', 'contrast of 1.'),  # yellow: white text on it is unreadable
    ('#22c55e', 'at least 4.5:1'),
    ('teal', 'not a colour'),
])
def test_a_colour_white_text_cannot_be_read_on_is_refused_with_why(db, colour: str, reason: str) -> None:
    world = seed_world(db, now=NOW)
    admin = add_admin(db, world)
    with pytest.raises(Refused) as refused:
        admin_settings.save_branding(db, tenant_id=world.tenant_id, admin_id=admin, name='Lumen Studio',
                                     primary_color=colour, dark=False, now=NOW)
    assert reason in str(refused.value.problems['primary_color'])
    assert admin_settings.load(db, tenant_id=world.tenant_id).tenant.branding.primary_color == '#4f46e5'


def test_branding_saved_for_one_business_only(db) -> None:
    lumen, other = two_businesses(db)
    admin = add_admin(db, lumen)
    got = heard(lumen.tenant_id)
    saved = admin_settings.save_branding(db, tenant_id=lumen.tenant_id, admin_id=admin, name='  Lumen Hair  ',
                                         primary_color='#0F766E', dark=True, now=NOW)
    assert (saved.name, saved.branding.primary_color, saved.branding.dark) == ('Lumen Hair', '#0f766e', True)
    assert got[-1]['branding']['name'] == 'Lumen Hair'
    untouched = admin_settings.load(db, tenant_id=other.tenant_id).tenant
    assert (untouched.name, untouched.branding.primary_color, untouched.branding.dark) == (
        'Lumen Studio', '#4f46e5', False)


def test_a_business_needs_a_name(db) -> None:
    world = seed_world(db, now=NOW)
    admin = add_admin(db, world)
    with pytest.raises(Refused) as refused:
        admin_settings.save_branding(db, tenant_id=world.tenant_id, admin_id=admin, name='  ',
                                     primary_color='#0f766e', dark=False, now=NOW)
    assert set(refused.value.problems) == {'name'}


def test_the_logo_goes_through_the_avatar_pipeline(db) -> None:
    lumen, other = two_businesses(db)
    admin = add_admin(db, lumen)
    saved = admin_settings.save_logo(db, tenant_id=lumen.tenant_id, admin_id=admin, data=photo('PNG', (2000, 1000)),
                                     now=NOW)
    assert saved.branding.logo_url and saved.branding.logo_url.startswith('/logo?v=')
    kind, data = admin_settings.logo_image(db, tenant_id=lumen.tenant_id) or ('', b'')
    assert kind == 'image/webp' and data[:4] == b'RIFF'
    assert admin_settings.logo_image(db, tenant_id=other.tenant_id) is None

    with pytest.raises(avatars.AvatarRefused, match='not a JPG, PNG or WEBP'):
        admin_settings.save_logo(db, tenant_id=lumen.tenant_id, admin_id=admin, data=b'<svg></svg>', now=NOW)

    removed = admin_settings.remove_logo(db, tenant_id=lumen.tenant_id, admin_id=admin, now=NOW)
    assert removed.branding.logo_url is None
    assert admin_settings.logo_image(db, tenant_id=lumen.tenant_id) is None


def test_emails_carry_the_business_colour_and_logo(sqlite_db, inbox) -> None:
    from services import appointments, notify
    from tests.support.seed import add_appointment
    from tests.support.smtp import html_of

    db = sqlite_db
    lumen, other = two_businesses(db)
    admin = add_admin(db, lumen)
    admin_settings.save_branding(db, tenant_id=lumen.tenant_id, admin_id=admin, name='Lumen Hair',
                                 primary_color='#0f766e', dark=False, now=NOW)
    admin_settings.save_logo(db, tenant_id=lumen.tenant_id, admin_id=admin, data=photo('PNG', (300, 100)), now=NOW)
    for world in (lumen, other):
        appointment = add_appointment(db, world, start=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appointment,
                                   target='canceled', reason='', now=NOW)
    notify.wait_for_notifications()

    branded = html_of(inbox.last_to('ada@example.com'))
    assert 'background:#0f766e' in branded and '#4f46e5' not in branded
    assert re.search(r'<img src="https?://[^"/]+/logo\?v=\d+" alt="Lumen Hair"', branded)
    plain = html_of(inbox.last_to('ada@other.example'))
    assert 'background:#4f46e5' in plain and '/logo?v=' not in plain


def test_payment_settings_are_the_owners(db) -> None:
    world = seed_world(db, now=NOW)
    manager = add_admin(db, world, email='manager@example.com', name='Max Manager', role='manager')
    with pytest.raises(Refused) as refused:
        admin_settings.save_settings(db, tenant_id=world.tenant_id, admin_id=manager, now=NOW,
                                     settings=replace(PanelSettings(), hide_pay_now=True, allow_signup=False))
    assert set(refused.value.problems) == {'hide_pay_now'}
    assert 'owner' in str(refused.value.problems['hide_pay_now'])
    saved = admin_settings.save_settings(db, tenant_id=world.tenant_id, admin_id=manager, now=NOW,
                                         settings=replace(PanelSettings(), allow_signup=False))
    assert saved.allow_signup is False and saved.hide_pay_now is False


def test_an_admin_of_another_business_changes_nothing_here(db) -> None:
    lumen, other = two_businesses(db)
    stranger = add_admin(db, other, email='boss@other.example')
    with pytest.raises(NotAllowed):
        admin_settings.save_designer(db, tenant_id=lumen.tenant_id, admin_id=stranger,
                                     designer=PanelDesigner(show_price=False), now=NOW)
    with pytest.raises(NotAllowed):
        admin_settings.save_branding(db, tenant_id=lumen.tenant_id, admin_id=stranger, name='Taken over',
                                     primary_color='#0f766e', dark=False, now=NOW)
    assert admin_settings.load(db, tenant_id=lumen.tenant_id).settings == PanelSettings()
    assert admin_settings.load(db, tenant_id=lumen.tenant_id).tenant.name == 'Lumen Studio'


def test_every_save_is_in_the_audit_log(db) -> None:
    world = seed_world(db, now=NOW)
    admin = add_admin(db, world)
    admin_settings.save_designer(db, tenant_id=world.tenant_id, admin_id=admin,
                                 designer=PanelDesigner(show_price=False), now=NOW)
    admin_settings.save_branding(db, tenant_id=world.tenant_id, admin_id=admin, name='Lumen Hair',
                                 primary_color='#0f766e', dark=False, now=NOW)
    admin_settings.save_settings(db, tenant_id=world.tenant_id, admin_id=admin,
                                 settings=replace(PanelSettings(), allow_signup=False), now=NOW)
    log = audit.audit_view(db, tenant_id=world.tenant_id, admin_id=admin, where=AuditFilter()).page
    entries = {e.action: e for e in log.entries}
    assert set(entries) == {'designer.update', 'branding.update', 'settings.update'}
    assert entries['designer.update'].before == {'show_price': True}
    assert entries['designer.update'].after == {'show_price': False}
    assert entries['branding.update'].after == {'name': 'Lumen Hair', 'primary_color': '#0f766e'}
    assert entries['settings.update'].after == {'allow_signup': False}

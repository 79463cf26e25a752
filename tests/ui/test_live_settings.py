"""A customer's panel that is open while the business saves its Panel Designer or rules follows them without a
reload; a panel of another business does not hear them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from nicegui.testing import User

from domain.settings import PanelDesigner, PanelSettings
from services import admin_settings
from tests.support.seed import add_admin, add_appointment, at, seed_world
from tests.ui.conftest import appointments_shown, signed_in
from ui.components.appointments_view import AppointmentsView


def state(user: User) -> dict[str, Any]:
    return user.find(AppointmentsView).elements.pop().state


async def until(user: User, check) -> dict[str, Any]:
    for _ in range(100):
        found = state(user)
        if check(found):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f'the open panel never changed: {state(user)}')


async def test_an_open_panel_stops_showing_prices_when_the_designer_is_saved(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4), status='approved')
    await signed_in(user)
    await appointments_shown(user, 1)
    assert state(user)['rows'][0]['price'] == '€45.00'

    admin_settings.save_designer(db, tenant_id=world.tenant_id, admin_id=add_admin(db, world),
                                 designer=PanelDesigner(show_price=False, show_mini_dashboard=False), now=now)

    shown = await until(user, lambda s: s['rows'][0]['price'] == '')
    assert shown['dashboard'] is None
    assert shown['rows'][0]['staff'] == 'Mia Wong'  # what stayed on stays


async def test_an_open_panel_follows_new_rules(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4), status='approved')
    await signed_in(user)
    await appointments_shown(user, 1)
    assert state(user)['rows'][0]['can_reschedule'] is True

    admin_settings.save_settings(db, tenant_id=world.tenant_id, admin_id=add_admin(db, world),
                                 settings=PanelSettings(reschedule_enabled=False), now=now)

    await until(user, lambda s: s['rows'][0]['can_reschedule'] is False)


async def test_a_panel_switched_off_says_so_at_once(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    await signed_in(user)
    await appointments_shown(user)

    admin_settings.save_settings(db, tenant_id=world.tenant_id, admin_id=add_admin(db, world), settings=PanelSettings(
        panel_enabled=False), now=now)

    await user.should_see(marker='panel-off', retries=100)


async def test_another_business_saving_changes_nothing_here(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    other = seed_world(db, now=now, slug='other', host='other.example', ada_email='ada@other.example')
    add_appointment(db, world, start=at(now, 4), status='approved')
    await signed_in(user)
    await appointments_shown(user, 1)

    admin_settings.save_designer(db, tenant_id=other.tenant_id, admin_id=add_admin(db, other),
                                 designer=PanelDesigner(show_price=False), now=now)
    # Then this business hides its staff: once that shows, the other business's event would have arrived before it.
    admin_settings.save_designer(db, tenant_id=world.tenant_id, admin_id=add_admin(db, world, email='o2@example.com'),
                                 designer=PanelDesigner(show_staff=False), now=now)

    shown = await until(user, lambda s: s['rows'][0]['staff'] == '')
    assert shown['rows'][0]['price'] == '€45.00'

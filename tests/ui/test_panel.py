"""What a customer sees in the panel: the next visit, counts, tabs, sorting, the Details drawer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from nicegui import ui
from nicegui.testing import User

from tests.support.seed import add_appointment, at, seed_world
from tests.ui.conftest import sign_in, signed_in


def grid_rows(user: User) -> list[dict]:
    return user.find(ui.table).elements.pop().rows


async def cards(user: User, field: str, expected: list[str]) -> None:
    """Wait until the cards in view show `expected` in `field` (the grid is drawn from rows in the browser)."""
    for _ in range(60):
        try:
            if [r[field] for r in grid_rows(user)] == expected:
                return
        except AssertionError:  # the panel is still loading
            pass
        await asyncio.sleep(0.05)
    assert [r[field] for r in grid_rows(user)] == expected


async def test_the_panel_needs_a_session(user: User, db) -> None:
    seed_world(db)
    await user.open('/')
    await user.should_see('Sign in to your account')


async def test_a_wrong_password_gets_one_message_that_does_not_say_which(user: User, db) -> None:
    seed_world(db)
    await sign_in(user, password='wrong-password')
    await user.should_see('That email and password do not match an account.')
    user.find('Email').clear().type('nobody@example.com')
    user.find(marker='sign-in').click()
    await user.should_see('That email and password do not match an account.')
    await user.should_not_see('Your next appointment')


async def test_ada_sees_her_next_appointment_and_counts(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 3), status='approved')
    add_appointment(db, world, start=at(now, 9), service='colour', status='pending', minutes=120, price=12000)
    add_appointment(db, world, start=at(now, 1), status='canceled')  # canceled: never the "next" visit
    add_appointment(db, world, start=at(now, -5), status='approved', paid=4500)
    add_appointment(db, world, start=at(now, -9), status='no-show')
    add_appointment(db, world, customer=world.bob, start=at(now, 2), staff='leo')  # Bob's: never shown to Ada
    await signed_in(user)
    await user.should_see('Your next appointment')
    await user.should_see('Haircut')
    await user.should_see('2 upcoming')
    await user.should_see('1 completed')
    await cards(user, 'service', ['Haircut', 'Haircut', 'Colour & cut'])  # upcoming, soonest first
    await cards(user, 'status_label', ['Canceled', 'Approved', 'Pending'])


async def test_tabs_switch_and_all_sorts_by_price(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4), price=4500)
    add_appointment(db, world, start=at(now, -3), service='colour', minutes=120, price=12000)
    add_appointment(db, world, start=at(now, -20), service='yoga', staff='leo', price=2000, minutes=60)
    await signed_in(user)
    await user.should_see('Upcoming (1)')
    await user.should_not_see('Sort by')  # sorting belongs to the All tab
    user.find('Past (2)').click()
    await cards(user, 'service', ['Colour & cut', 'Pilates mat class'])
    user.find('All (3)').click()
    await user.should_see('Sort by')
    await cards(user, 'service', ['Haircut', 'Colour & cut', 'Pilates mat class'])
    user.find('Sort by').click()
    user.find('Price (high to low)').click()
    await cards(user, 'price', ['€120.00', '€45.00', '€20.00'])
    user.find('Sort by').click()
    user.find('Oldest first').click()
    await cards(user, 'service', ['Pilates mat class', 'Colour & cut', 'Haircut'])


async def test_an_empty_tab_says_so_and_offers_the_booking_page(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, -3))
    await signed_in(user)
    await user.should_see('No upcoming appointments.')
    book = user.find('Book an appointment').elements.pop()
    assert book.props['href'] == '/book'


async def test_the_details_drawer_shows_time_price_paid_and_due(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, 6), service='colour', minutes=120, price=12000,
                           deposit=3000, paid=3000, status='approved')
    await signed_in(user)
    await cards(user, 'service', ['Colour & cut'])
    user.find(ui.table).trigger('action', {'kind': 'details', 'id': appt})
    await user.should_see('Duration')
    await user.should_see('2 h')
    await user.should_see('€120.00')
    await user.should_see('€30.00')
    await user.should_see('€90.00')
    await user.should_see('Mia Wong')


async def test_another_customers_appointment_id_opens_nothing(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 6))
    bobs = add_appointment(db, world, customer=world.bob, start=at(now, 2), staff='leo')
    await signed_in(user)
    await cards(user, 'service', ['Haircut'])
    user.find(ui.table).trigger('action', {'kind': 'details', 'id': bobs})
    await user.should_not_see('Duration')
    _ = timedelta


async def test_a_change_made_elsewhere_shows_without_a_reload(user: User, db) -> None:
    from services import events

    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4))
    await signed_in(user)
    await cards(user, 'service', ['Haircut'])
    await user.should_see('1 upcoming')
    add_appointment(db, world, start=at(now, 2), service='colour', minutes=120, price=12000)  # e.g. the front desk
    events.publish(events.customer_topic(world.tenant_id, world.ada), {'appointment_id': 0})
    await cards(user, 'service', ['Colour & cut', 'Haircut'])
    await user.should_see('2 upcoming')


async def test_another_customers_change_does_not_touch_this_panel(user: User, db) -> None:
    from services import events

    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4))
    await signed_in(user)
    await cards(user, 'service', ['Haircut'])
    add_appointment(db, world, customer=world.bob, start=at(now, 2), staff='leo')
    events.publish(events.customer_topic(world.tenant_id, world.bob), {})
    await asyncio.sleep(0.3)
    assert [r['service'] for r in grid_rows(user)] == ['Haircut']

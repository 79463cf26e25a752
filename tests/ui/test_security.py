"""The Security section as a customer uses it: toggles, a live meter with ticking tips, and a checked save."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from nicegui import ui
from nicegui.testing import User

from services import auth, ratelimit
from tests.support.seed import seed_world
from tests.ui.conftest import signed_in

STRONG = 'violet-harbour-71-tandem'


async def open_security(user: User, db) -> None:
    ratelimit.reset_limiter()
    seed_world(db)
    await signed_in(user)
    await user.open('/security')
    await user.should_see('Change your password', retries=50)


def prop(user: User, marker: str, name: str) -> str:
    [element] = user.find(marker=marker).elements
    return element.props[name]


async def wait_for(user: User, marker: str) -> None:
    await user.should_see(marker=marker, retries=50)


async def test_the_tips_tick_and_the_meter_moves_as_the_new_password_is_typed(user: User, db) -> None:
    await open_security(user, db)
    await user.should_see('Strength: not set')
    await user.should_not_see(marker='tip-length-met')
    user.find(marker='new-password').type('lovelace')
    await wait_for(user, 'tip-letters-met')
    await user.should_not_see(marker='tip-numbers-met')
    await user.should_see('Strength: Very weak', retries=50)  # her own name is an easy guess
    user.find(marker='new-password').clear().type(STRONG)
    for key in ('length', 'letters', 'numbers', 'special'):
        await wait_for(user, f'tip-{key}-met')
    await user.should_see('Strength: Very strong', retries=50)


async def test_each_password_field_has_a_named_show_hide_toggle(user: User, db) -> None:
    await open_security(user, db)
    found = user.find(kind=ui.input, marker='new-password').elements
    assert len(found) == 1, found
    field = found.pop()
    assert field.props.get('type') == 'password'
    assert prop(user, 'new-password-toggle', 'aria-label') == 'Show new password'
    user.find(marker='new-password-toggle').click()
    assert field.props.get('type') == 'text'
    assert prop(user, 'new-password-toggle', 'aria-label') == 'Hide new password'
    for mark, name in (('current-password', 'Show current password'),
                       ('confirm-password', 'Show password confirmation')):
        assert prop(user, f'{mark}-toggle', 'aria-label') == name


async def test_a_wrong_current_password_is_refused_next_to_its_field(user: User, db) -> None:
    await open_security(user, db)
    user.find(marker='current-password').type('not-my-password')
    user.find(marker='new-password').type(STRONG)
    user.find(marker='confirm-password').type(STRONG)
    user.find(marker='save-password').click()
    await user.should_see('Your current password is not right.', retries=50)
    await user.should_not_see(marker='password-changed')


async def test_a_mismatch_and_a_weak_password_are_refused(user: User, db) -> None:
    await open_security(user, db)
    user.find(marker='current-password').type('kairos-demo')
    user.find(marker='new-password').type(STRONG)
    user.find(marker='confirm-password').type(STRONG + '?')
    user.find(marker='save-password').click()
    await user.should_see('The two new passwords do not match.')
    user.find(marker='new-password').clear().type('Lovelace123!')
    user.find(marker='confirm-password').clear().type('Lovelace123!')
    user.find(marker='save-password').click()
    await user.should_see('This password is too easy to guess', retries=50)


async def test_saving_changes_the_password_and_signs_out_the_other_devices(user: User, db) -> None:
    world = seed_world(db)
    ratelimit.reset_limiter()
    other = auth.sign_in(db, tenant_id=world.tenant_id, email='ada@example.com', password='kairos-demo',
                         now=datetime.now(UTC))
    await signed_in(user)
    await user.open('/security')
    await user.should_see('Change your password', retries=50)
    user.find(marker='current-password').type('kairos-demo')
    user.find(marker='new-password').type(STRONG)
    user.find(marker='confirm-password').type(STRONG)
    user.find(marker='save-password').click()
    await user.should_see('Your password was changed. 1 other device was signed out.', retries=100)
    assert auth.current_customer(db, tenant_id=world.tenant_id, session_id=other.session_id) is None
    await asyncio.sleep(0)
    assert auth.sign_in(db, tenant_id=world.tenant_id, email='ada@example.com', password=STRONG,
                        now=other.customer.created_at)
    assert user.find(ui.input).elements  # still on the page, still signed in here

"""Pages behind emailed links name the account they act on before their button, and act only on the click."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nicegui.testing import User

from services import accounts, auth
from tests.support.seed import seed_world
from tests.ui.test_book import emailed_link

STRANGER = 'mallory-owns-this-71-now'


async def test_the_owner_confirms_a_strangers_sign_up_and_the_strangers_password_dies(user: User, db) -> None:
    world = seed_world(db)
    accounts.sign_up(db, tenant_id=world.tenant_id, email='vera@example.com', password=STRANGER, first_name='Mallory',
                     last_name='M', now=datetime.now(UTC))
    link = emailed_link('vera@example.com', '/verify')
    await user.open(link)  # Vera's own browser: it did not sign up, so nothing proves the password is hers
    await user.should_see('Account: Mallory · v***@example.com')
    await user.should_see('Password chosen at sign-up (optional)')
    # the stranger's password still works before the click...
    assert auth.sign_in(db, tenant_id=world.tenant_id, email='vera@example.com', password=STRANGER,
                        now=datetime.now(UTC))
    user.find(marker='confirm-email').click()
    await user.should_see(marker='panel-chrome', retries=50)
    with pytest.raises(auth.SignInFailed):  # ...and no more after it
        auth.sign_in(db, tenant_id=world.tenant_id, email='vera@example.com', password=STRANGER,
                     now=datetime.now(UTC))


async def test_the_magic_link_page_names_the_account_and_a_dead_link_says_so(user: User, db) -> None:
    world = seed_world(db)
    accounts.request_magic_link(db, tenant_id=world.tenant_id, email='ada@example.com', now=datetime.now(UTC))
    link = emailed_link('ada@example.com', '/magic')
    await user.open(link)
    await user.should_see('Account: Ada · a***@example.com')
    await user.should_see('Sign in as Ada')
    await user.open(link[:-3] + 'xyz')
    await user.should_see('This link has expired or was already used.')
    await user.should_not_see(marker='magic-go')

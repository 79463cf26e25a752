"""The Profile section as a customer uses it: fields checked with clear messages, email changed by link,
the photo judged by content, and closing the account after a confirmation step."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from PIL import Image

from services import accounts, auth, ratelimit
from tests.support.seed import seed_world
from tests.ui.conftest import eventually, signed_in


async def open_profile(user: User, db, **settings):
    ratelimit.reset_limiter()
    world = seed_world(db, **settings)
    await signed_in(user)
    await user.open('/profile')
    await user.should_see('Your profile', retries=50)
    return world


def field(user: User, marker: str) -> ui.input:
    [element] = user.find(kind=ui.input, marker=marker).elements
    return element


async def test_the_form_shows_the_saved_profile_and_saves_valid_changes(user: User, db) -> None:
    world = await open_profile(user, db)
    assert field(user, 'first-name').value == 'Ada' and field(user, 'profile-email').value == 'ada@example.com'
    user.find(marker='first-name').clear().type('Augusta')
    user.find(marker='phone').clear().type('+44 20 7946 0000')
    field(user, 'birth-date').value = '1990-12-10'
    user.find(marker='save-profile').click()
    await user.should_see('Your profile is saved.', retries=50)
    saved = accounts.get_customer(db, tenant_id=world.tenant_id, customer_id=world.ada)
    assert (saved.first_name, saved.phone, saved.birth_date.isoformat()) == ('Augusta', '+44 20 7946 0000',
                                                                            '1990-12-10')


async def test_invalid_fields_get_their_own_message_and_nothing_is_saved(user: User, db) -> None:
    world = await open_profile(user, db)
    user.find(marker='first-name').clear()
    user.find(marker='phone').clear().type('call me maybe')
    field(user, 'birth-date').value = '2999-01-01'
    user.find(marker='save-profile').click()
    await eventually(lambda: field(user, 'first-name').error)  # the click's handler has run (5 s, as should_see)
    # The messages stay (they went away again when the field's binding refreshed it a moment later).
    await asyncio.sleep(0.5)
    assert field(user, 'first-name').error == 'Enter your first name.'
    assert field(user, 'phone').error.startswith('Enter a phone number')
    assert field(user, 'birth-date').error == 'Your date of birth cannot be in the future.'
    await user.should_not_see('Your profile is saved.')
    assert accounts.get_customer(db, tenant_id=world.tenant_id, customer_id=world.ada).first_name == 'Ada'


async def test_a_new_email_waits_for_confirmation_and_a_taken_one_is_refused(user: User, db) -> None:
    world = await open_profile(user, db)
    user.find(marker='profile-email').clear().type('bob@example.com')
    user.find(marker='save-profile').click()
    await user.should_see('That email address is already used by another account.', retries=50)
    user.find(marker='profile-email').clear().type('ada@lovelace.org')
    user.find(marker='save-profile').click()
    await user.should_see('We sent a link to ada@lovelace.org', retries=50)
    assert accounts.get_customer(db, tenant_id=world.tenant_id, customer_id=world.ada).email == 'ada@example.com'


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new('RGB', (900, 600), (30, 120, 200)).save(out, format=fmt)
    return out.getvalue()


async def test_a_good_photo_replaces_the_initials_and_a_disguised_file_is_refused(user: User, db) -> None:
    world = await open_profile(user, db)
    await user.should_see(marker='avatar-initials')
    [upload] = user.find(ui.upload).elements
    await upload.handle_uploads([SmallFileUpload('notes.png', 'image/png', b'just some text, not a picture')])
    await user.should_see('That file is not a JPG, PNG or WEBP image.', retries=50)
    await user.should_see(marker='avatar-initials')
    await upload.handle_uploads([SmallFileUpload('me.jpg', 'image/jpeg', image_bytes('JPEG'))])
    await user.should_see('Your new photo is saved.', retries=50)
    await user.should_see(marker='avatar-image')
    assert accounts.get_customer(db, tenant_id=world.tenant_id, customer_id=world.ada).avatar_url == \
        f'/avatar/{world.ada}?v=1'


async def test_no_photo_upload_when_the_designer_turns_it_off(user: User, db) -> None:
    from domain.settings import PanelDesigner, PanelSettings

    await open_profile(user, db, settings=PanelSettings(designer=PanelDesigner(allow_avatar_upload=False)))
    await user.should_not_see(marker='avatar-upload')


async def test_deleting_needs_the_typed_confirmation_then_closes_the_account(user: User, db) -> None:
    world = await open_profile(user, db)
    user.find(marker='delete-account').click()
    await user.should_see('Delete your account?')
    [confirm] = user.find(marker='delete-account-confirm').elements
    assert not confirm.enabled
    user.find(marker='delete-confirm').type('delete')
    assert confirm.enabled
    user.find(marker='delete-account-confirm').click()
    await user.should_see('Your account is closed.', retries=50)
    with pytest.raises(auth.SignInFailed):
        auth.sign_in(db, tenant_id=world.tenant_id, email='ada@example.com', password='kairos-demo',
                     now=datetime.now(UTC))


async def test_no_delete_button_when_the_business_does_not_allow_it(user: User, db) -> None:
    from domain.settings import PanelSettings

    await open_profile(user, db, settings=PanelSettings(allow_account_deletion=False))
    await user.should_not_see(marker='danger-zone')

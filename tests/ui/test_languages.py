"""The language a visitor reads: their saved choice, else this browser's choice, else what the browser asks for, else
the business's default; the switcher in the top bar changes it without losing what was typed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from nicegui.testing import User

from domain.settings import PanelSettings
from services import accounts, panel
from storage import tables as t
from tests.support.seed import seed_world
from tests.ui.test_book import emailed_to
from ui.components.page_frame import PageFrame


def frame(user: User) -> PageFrame:
    return next(iter(user.find(PageFrame).elements))


async def signed_in(user: User) -> None:
    """Sign in as Ada whatever language the page speaks (by the fields' markers, not their labels)."""
    await user.open('/login')
    user.find(marker='email').type('ada@example.com')
    user.find(marker='password').type('kairos-demo')
    user.find(marker='sign-in').click()
    await user.should_see(marker='panel-chrome', retries=50)


def speak(user: User, accept_language: str) -> None:
    """What the visitor's browser asks for (Accept-Language) on every page from now on."""
    user.http_client.headers['Accept-Language'] = accept_language


async def test_a_browser_asking_for_portuguese_gets_the_sign_in_page_in_portuguese(user: User, db) -> None:
    seed_world(db)
    speak(user, 'pt-PT,pt;q=0.9,en;q=0.5')
    await user.open('/login')
    await user.should_see('Inicie sessão na sua conta')
    await user.should_see('Esqueceu-se da palavra-passe?')
    assert frame(user).props['language'] == 'pt_PT'
    assert frame(user).words['choose_label'] == 'Escolha o seu idioma'
    assert user.client is not None and user.client.page.language == 'pt'  # Quasar's own words and <html lang>


async def test_the_business_default_speaks_when_the_browser_asks_for_nothing_kairos_ships(user: User, db) -> None:
    seed_world(db, settings=PanelSettings(default_language='de'))
    speak(user, 'ja-JP,ja;q=0.9')
    await user.open('/forgot')
    await user.should_see('Passwort vergessen?')
    await user.should_see('Link per E-Mail senden')


async def test_arabic_pages_are_right_to_left(user: User, db) -> None:
    seed_world(db)
    speak(user, 'ar-EG')
    await user.open('/book')
    await user.should_see('احجز موعدًا')
    assert user.client is not None and user.client.page.language == 'ar'  # Quasar's pack sets <html dir="rtl">
    head = user.client.head_html
    assert 'document.documentElement.dir = "rtl"' in head and 'id="k-first-paint"' in head
    assert 'dir="rtl"' in head.split('id="k-first-paint"')[1][:60]  # the static first paint reads right to left too


async def test_the_switcher_changes_the_language_and_keeps_what_was_typed_but_never_a_password(user: User, db) -> None:
    seed_world(db, settings=PanelSettings(allow_signup=True))
    speak(user, 'en-GB')
    await user.open('/signup')
    await user.should_see('Create your account')
    assert frame(user).languages == ['en', 'pt_PT', 'es', 'de', 'ar']
    user.find(marker='first-name').type('Zé')
    user.find(marker='last-name').type('Lopes')
    user.find(marker='email').type('ze@example.com')
    user.find(marker='password').type('violet-harbour-71-tandem')
    user.find(PageFrame).trigger('language', 'pt_PT')
    await user.should_see('Crie a sua conta', retries=50)
    assert frame(user).props['language'] == 'pt_PT'
    assert user.find(marker='first-name').elements.pop().value == 'Zé'
    assert user.find(marker='last-name').elements.pop().value == 'Lopes'
    assert user.find(marker='email').elements.pop().value == 'ze@example.com'
    assert user.find(marker='password').elements.pop().value == ''  # passwords are never kept anywhere
    # The browser's choice outranks what it asks for, on every page after this one too.
    await user.open('/login')
    await user.should_see('Inicie sessão na sua conta')
    # ...and a second visit does not bring the typed values back.
    await user.open('/signup')
    assert user.find(marker='first-name').elements.pop().value == ''


async def test_the_switcher_offers_only_shipped_languages(user: User, db) -> None:
    seed_world(db)
    speak(user, 'en-GB')
    await user.open('/login')
    user.find(PageFrame).trigger('language', 'fr')
    user.find(PageFrame).trigger('language', '<script>')
    await user.open('/login')
    await user.should_see('Sign in to your account')


async def test_a_signed_in_customers_choice_goes_into_their_account_and_outranks_the_browser(user: User, db) -> None:
    world = seed_world(db)
    speak(user, 'en-GB')
    await signed_in(user)
    await user.open('/book')
    await user.should_see('Book an appointment')
    user.find(PageFrame).trigger('language', 'es')
    await user.should_see('Reservar una cita', retries=50)
    ada = accounts.get_customer(db, tenant_id=world.tenant_id, customer_id=world.ada)
    assert ada.language == 'es'
    # Another browser asking for German: Ada's own choice wins once she is signed in there too.
    user.http_client.cookies.clear()
    speak(user, 'de-DE')
    await user.open('/login')
    await user.should_see('Melden Sie sich bei Ihrem Konto an')
    await signed_in(user)
    assert frame(user).words['sign_out_label'] == 'Cerrar sesión'


async def test_a_language_chosen_before_signing_in_stays_after_it(user: User, db) -> None:
    seed_world(db)
    speak(user, 'en-GB')
    await user.open('/login')
    user.find(PageFrame).trigger('language', 'de')
    await user.should_see('Melden Sie sich bei Ihrem Konto an', retries=50)
    await signed_in(user)  # sign-in gives the browser a fresh identity; its language goes along
    assert frame(user).words['sign_out_label'] == 'Abmelden'


def test_only_a_shipped_language_is_saved_for_a_customer(db) -> None:
    world = seed_world(db)
    assert panel.remember_language(db, tenant_id=world.tenant_id, customer_id=world.ada, language='pt-pt') == 'pt_PT'
    assert accounts.get_customer(db, tenant_id=world.tenant_id, customer_id=world.ada).language == 'pt_PT'
    for wrong in ('fr', 'xx', '', 'pt_PT; DROP TABLE customer'):
        with pytest.raises(panel.UnknownLanguage):
            panel.remember_language(db, tenant_id=world.tenant_id, customer_id=world.ada, language=wrong)
    assert accounts.get_customer(db, tenant_id=world.tenant_id, customer_id=world.ada).language == 'pt_PT'


async def test_signing_up_from_a_portuguese_page_brings_the_confirmation_in_portuguese(user: User, db) -> None:
    world = seed_world(db, settings=PanelSettings(default_language='de'))
    speak(user, 'pt-PT,pt;q=0.9')
    await user.open('/signup')
    user.find(marker='first-name').type('Rui')
    user.find(marker='last-name').type('Costa')
    user.find(marker='email').type('rui@example.com')
    user.find(marker='password').type('a-long-walk-by-the-Tagus-91')
    user.find(marker='create-account').click()
    await user.should_see(marker='signup-done', retries=50)

    [confirmation] = emailed_to('rui@example.com')
    assert confirmation['Subject'] == 'Confirme o seu email para Lumen Studio'  # the page's, not the business's German
    with db.read() as s:  # and the new account keeps Portuguese for the emails that follow
        language = s.scalar(sa.select(t.Customer.language).where(t.Customer.tenant_id == world.tenant_id,
                                                                 t.Customer.email == 'rui@example.com'))
    assert language == 'pt_PT'

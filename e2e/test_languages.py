"""The public pages in the visitor's language, in a real Chromium at phone width: Arabic reads right to left, with the
top bar and the form mirrored; Portuguese reads Portuguese; the switcher changes the language and keeps what was typed.
Screenshots go to e2e/artifacts/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, expect

from e2e.a11y import serious_violations
from e2e.conftest import Server

PHONE = {'width': 390, 'height': 844}


def phone(browser: Browser, locale: str) -> BrowserContext:
    """A phone whose browser asks for `locale` (Accept-Language and navigator.language)."""
    return browser.new_context(locale=locale, viewport=PHONE)


def test_the_sign_in_page_in_arabic_reads_right_to_left(browser: Browser, server: Server, artifacts: Path) -> None:
    context = phone(browser, 'ar-EG')
    try:
        page = context.new_page()
        page.goto(server.url + '/login')
        expect(page.locator('html')).to_have_attribute('dir', 'rtl')
        expect(page.locator('html')).to_have_attribute('lang', 'ar')
        expect(page.get_by_role('heading', name='سجّل الدخول إلى حسابك')).to_be_visible()
        expect(page.locator('#k-first-paint')).to_have_count(0)  # the live page, not its static first paint
        # Mirrored: the business's name at the right end of the top bar, the language switcher at its left end, and
        # the fields' labels start at the right.
        bar = page.locator('header.k-bar')
        name = bar.get_by_text('Lumen Studio').bounding_box()
        switcher = page.get_by_role('button', name='اختر لغتك: العربية')
        expect(switcher).to_be_visible()
        chooser = switcher.bounding_box()
        assert name and chooser and chooser['x'] < name['x']
        assert name['x'] + name['width'] > PHONE['width'] - 40
        field = page.get_by_label('البريد الإلكتروني')
        label = page.locator('.q-field__label', has_text='البريد الإلكتروني').bounding_box()
        box = field.locator('xpath=ancestor::label[1]').bounding_box()
        assert label and box and label['x'] + label['width'] > box['x'] + box['width'] - 30  # label at the right
        assert box['width'] > PHONE['width'] - 100  # the field spans the card, as in English
        assert bar.bounding_box()['height'] <= 44  # the switcher does not make the top bar taller
        page.screenshot(path=artifacts / 'login-ar-390x844.png', full_page=True)
    finally:
        context.close()


def test_a_portuguese_browser_gets_the_sign_in_page_in_portuguese(browser: Browser, server: Server,
                                                                    artifacts: Path) -> None:
    context = phone(browser, 'pt-PT')
    try:
        page = context.new_page()
        page.goto(server.url + '/login')
        expect(page.get_by_role('heading', name='Inicie sessão na sua conta')).to_be_visible()
        expect(page.locator('html')).to_have_attribute('lang', 'pt-PT')
        expect(page.locator('html')).to_have_attribute('dir', 'ltr')
        expect(page.get_by_role('button', name='Entrar', exact=True)).to_be_visible()
        expect(page.get_by_role('link', name='Esqueceu-se da palavra-passe?')).to_be_visible()
        page.screenshot(path=artifacts / 'login-pt-390x844.png', full_page=True)
    finally:
        context.close()


def test_the_switcher_changes_the_language_and_keeps_what_was_typed(browser: Browser, server: Server,
                                                                     artifacts: Path) -> None:
    context = phone(browser, 'en-GB')
    try:
        page = context.new_page()
        page.goto(server.url + '/forgot')
        page.get_by_label('Email').fill('someone@example.com')
        page.get_by_role('button', name='Choose your language: English').click()
        page.get_by_role('menuitemradio', name='العربية').click()
        expect(page.locator('html')).to_have_attribute('dir', 'rtl')
        expect(page.get_by_role('heading', name='هل نسيت كلمة المرور؟')).to_be_visible()
        expect(page.get_by_label('البريد الإلكتروني')).to_have_value('someone@example.com')
        page.screenshot(path=artifacts / 'forgot-ar-390x844.png', full_page=True)
        # The choice is this browser's from now on, whatever it asks for.
        page.goto(server.url + '/book')
        expect(page.locator('html')).to_have_attribute('lang', 'ar')
        expect(page.get_by_role('heading', name='احجز موعدًا')).to_be_visible()
        page.screenshot(path=artifacts / 'book-ar-390x844.png', full_page=True)
    finally:
        context.close()


def test_the_arabic_sign_in_page_and_its_language_menu_pass_axe(browser: Browser, server: Server,
                                                                 artifacts: Path) -> None:
    context = phone(browser, 'ar')
    try:
        page = context.new_page()
        page.goto(server.url + '/login')
        expect(page.locator('html')).to_have_attribute('dir', 'rtl')
        assert serious_violations(page) == []
        page.get_by_role('button', name='اختر لغتك: العربية').click()
        menu = page.get_by_role('menu', name='اختر لغتك')
        expect(menu).to_be_visible()
        expect(menu.get_by_role('menuitemradio', name='العربية')).to_have_attribute('aria-checked', 'true')
        expect(menu.get_by_role('menuitemradio', name='Deutsch')).to_have_attribute('lang', 'de')
        assert serious_violations(page) == []  # (it waits for the menu to finish fading in)
        page.screenshot(path=artifacts / 'login-ar-language-menu-390x844.png')
    finally:
        context.close()

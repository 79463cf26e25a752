"""The pseudo-locale over the customer's public screens: a browser that asks for the pseudo-locale (the app offers it
only when configured for tests, KAIROS_PSEUDO_LOCALE) gets every page in it, and every text on the sign-in page,
sign-up, email confirmation, forgotten password, magic link, reset password and the booking page (a service chosen,
a time, the details, the refusals and the confirmations) shows wrapped in ⟦ ⟧; the page frame, the page's title and
its description too. Whatever shows bare skipped the catalogs (names, addresses, dates and numbers are data)."""

from __future__ import annotations

from nicegui.testing import User

from domain.i18n import PSEUDO_LOCALE
from tests.support.seed import seed_world
from tests.ui.pseudo import pseudo_browser, untranslated, wait_for
from tests.ui.test_book import choose_first_time, emailed_link, shown_slots
from ui.i18n import locale

STRONG = 'a-long-walk-by-the-Tagus-91'
# The business's and the visitors' own words, shown as they are in every language, and the zone names.
DATA = ['Lumen Studio', 'Main Street 1', 'Park Avenue 9', 'Haircut', 'Colour & cut', 'Pilates mat class', 'Mia Wong',
        'Leo Park', 'Ada', 'Lovelace', 'ada@example.com', 'a***@example.com', 'Grace', 'Hopper', 'grace@example.com',
        'g***@example.com', 'Vera', 'Vega', 'vera@example.com', 'v***@example.com', 'Europe/Berlin', STRONG]


def field(user: User, mark: str):
    return next(iter(user.find(marker=mark).elements))


async def sees(user: User, mark: str) -> None:
    await user.should_see(marker=mark, retries=80)


async def opened_in(user: User, path: str, mark: str) -> None:
    await user.open(path)
    await sees(user, mark)


async def opened(user: User, path: str, mark: str) -> None:
    """Open `path` in the pseudo-locale and wait for its `mark`."""
    await opened_in(user, path, mark)
    assert locale(user.client) == PSEUDO_LOCALE, 'the page did not pick the pseudo-locale'


async def test_no_text_on_the_public_screens_skips_the_catalogs(user: User, db, monkeypatch) -> None:
    world = seed_world(db)
    pseudo_browser(user, monkeypatch)
    problems: list[str] = []

    def check(screen: str) -> None:
        problems.extend(untranslated(user, DATA, screen, frame=True))

    # Sign in: the page, then without a password, then with a wrong one.
    await opened(user, '/login', 'sign-in')
    check('sign-in')
    user.find(marker='sign-in').click()
    await wait_for(lambda: field(user, 'signin-error').visible)
    check('sign-in, nothing typed')
    user.find(marker='email').type('ada@example.com')
    user.find(marker='password').type('not-her-password')
    before = field(user, 'signin-error').text
    user.find(marker='sign-in').click()
    await wait_for(lambda: field(user, 'signin-error').text != before)
    check('sign-in, a wrong password')

    # Sign up: the checks of each field, the password's strength and tips, then the account made.
    await opened(user, '/signup', 'create-account')
    check('sign-up')
    field(user, 'email').value = 'not-an-email'
    user.find(marker='create-account').click()
    await wait_for(lambda: field(user, 'first-name').error or field(user, 'email').error)
    field(user, 'password').value = 'abc'
    await wait_for(lambda: field(user, 'strength-word').text != '')
    check('sign-up, refused')
    field(user, 'first-name').value, field(user, 'last-name').value = 'Vera', 'Vega'
    field(user, 'email').value = 'vera@example.com'
    field(user, 'password').value = STRONG
    await wait_for(lambda: 'strong' in field(user, 'strength-word').text.lower())
    check('sign-up, a strong password')
    user.find(marker='create-account').click()
    await sees(user, 'signup-done')
    check('sign-up, done')

    # The confirmation link, opened in another browser than the one that signed up (it asks for the password).
    await opened(user, emailed_link('vera@example.com', '/verify'), 'confirm-email')
    check('confirm email')

    # Forgotten password, then the link it sends: choose a new one (refused, then set).
    await opened(user, '/forgot', 'send-link')
    check('forgot')
    user.find(marker='email').type('ada@example.com')
    user.find(marker='send-link').click()
    await wait_for(lambda: field(user, 'link-sent').visible)
    check('forgot, sent')
    await opened(user, emailed_link('ada@example.com', '/reset'), 'save-password')
    check('reset password')
    field(user, 'new-password').value = 'abc'
    field(user, 'confirm-password').value = 'abd'
    user.find(marker='save-password').click()
    await wait_for(lambda: field(user, 'new-password').error or field(user, 'confirm-password').error)
    check('reset password, refused')
    field(user, 'new-password').value = field(user, 'confirm-password').value = STRONG
    user.find(marker='save-password').click()
    await sees(user, 'password-set')
    check('reset password, set')
    await opened(user, '/reset?token=not-a-token', 'link-invalid')
    check('reset password, a dead link')

    # The magic link: ask for one, open it, and a dead one.
    await opened(user, '/magic', 'send-link')
    user.find(marker='email').type('ada@example.com')
    user.find(marker='send-link').click()
    await wait_for(lambda: field(user, 'link-sent').visible)
    check('magic link, sent')
    link = emailed_link('ada@example.com', '/magic')
    await opened(user, link, 'magic-go')
    check('magic link')
    await opened(user, link[:-3] + 'xyz', 'link-invalid')
    check('magic link, a dead link')

    # Booking as a guest: the services, a service with a deposit chosen, a time, the details refused, then held; the
    # emailed confirmation and the booking confirmed.
    await opened(user, '/book', 'book-service')
    check('book')
    await opened(user, f'/book?service={world.services["colour"]}', 'book-confirm')
    await shown_slots(user)
    check('book, a service chosen')
    await choose_first_time(user)
    user.find(marker='book-confirm').click()
    await wait_for(lambda: field(user, 'book-error').text)
    check('book, a time chosen, no details')
    field(user, 'book-first-name').value, field(user, 'book-last-name').value = 'Grace', 'Hopper'
    field(user, 'book-email').value = 'grace@example.com'
    user.find(marker='book-confirm').click()
    await sees(user, 'held-text')
    check('book, held')
    await opened(user, emailed_link('grace@example.com', '/book/confirm'), 'hold-confirm')
    check('confirm the booking')
    user.find(marker='hold-confirm').click()
    await sees(user, 'booking-confirmed')
    check('booking confirmed (a deposit due)')
    await opened(user, '/book/confirm?token=not-a-token', 'hold-invalid')
    check('confirm the booking, a dead link')
    await opened(user, '/verify?token=not-a-token', 'link-invalid')
    check('confirm email, a dead link')

    # Signed in: the booking page knows her, and her confirmation.
    await opened(user, '/login', 'sign-in')
    user.find(marker='email').type('ada@example.com')
    user.find(marker='password').type(STRONG)
    user.find(marker='sign-in').click()
    await sees(user, 'panel-chrome')
    await opened(user, f'/book?service={world.services["cut"]}', 'book-confirm')
    await shown_slots(user)
    where = field(user, 'book-location')
    if where.visible:  # the haircut is given at two places: pick one, as the page asks
        where.value = next(iter(where.options))
    await choose_first_time(user)
    check('book, signed in')
    user.find(marker='book-confirm').click()
    await sees(user, 'booking-confirmed')
    check('booking confirmed')
    assert not problems, '\n'.join(sorted(set(problems)))


async def test_the_pseudo_locale_is_not_offered_unless_configured_for_tests(user: User, db) -> None:
    seed_world(db)
    user.http_client.headers['Accept-Language'] = 'en-XA'  # KAIROS_PSEUDO_LOCALE is off, as in production
    await opened_in(user, '/login', 'sign-in')
    assert locale(user.client) == 'en'
    await user.should_see('Sign in to your account')

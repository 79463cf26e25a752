"""The pseudo-locale walk's tools, for the simulated-browser tests: every text that went through the catalogs shows as
⟦text⟧ in the pseudo-locale (domain.i18n.PSEUDO_LOCALE), so the words a page shows outside the markers are words that
skipped them. The business's and customer's own data (names, addresses, what they typed) and CLDR's words in dates
are taken out first; numbers never count.

Two ways into the pseudo-locale: a page already drawn switches with `ui.i18n.use` (the panel's walk), or a browser
asks for it with `Accept-Language: en-XA` when the configuration offers it (KAIROS_PSEUDO_LOCALE, tests only:
`pseudo_browser`), so each page picks it before drawing, its frame and title included (the public pages' walk)."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable, Iterable

import pytest
from nicegui import ui
from nicegui.testing import User

from domain.i18n import PSEUDO_CLOSE, PSEUDO_OPEN
from services import formatting as fmt
from ui.components.appointments_view import AppointmentsView
from ui.components.page_frame import PageFrame
from ui.components.slot_picker import SlotTimes

# Props that carry words a person reads or hears.
TEXT_PROPS = ('label', 'aria-label', 'placeholder', 'hint', 'alt', 'title', 'error-message', 'error', 'suffix',
              'prefix')
PSEUDO_BROWSER = 'en-XA'


def pseudo_browser(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """This simulated browser asks for the pseudo-locale, and the app (configured for tests) offers it: every page it
    opens from now on is drawn in it."""
    from services.config import reset_config

    monkeypatch.setenv('KAIROS_PSEUDO_LOCALE', '1')
    reset_config()
    user.http_client.headers['Accept-Language'] = PSEUDO_BROWSER


def _cldr_words() -> frozenset[str]:
    """The words a date written by CLDR in English has (day and month names, AM/PM): data, not Kairos's text."""
    where = fmt.cldr_locale('en')
    words: set[str] = set()
    for table in (where.days, where.months):
        for context in table.values():
            for width in context.values():
                for name in width.values():
                    words.update(re.findall(r'[^\W\d_]+', name))
    return frozenset(words | {'AM', 'PM', 'am', 'pm'})


CLDR_WORDS = _cldr_words()


def bare_words(text: str, data: Iterable[str]) -> list[str]:
    """The words of `text` outside every ⟦ ⟧, after the business's and customer's own data is taken out: what a
    reader would see untranslated."""
    rest = text
    while True:
        inner = re.sub(f'{PSEUDO_OPEN}[^{PSEUDO_OPEN}{PSEUDO_CLOSE}]*{PSEUDO_CLOSE}', ' ', rest)
        if inner == rest:
            break
        rest = inner
    for value in sorted(data, key=len, reverse=True):
        rest = rest.replace(value, ' ')
    return [word for word in re.findall(r'[^\W\d_]{2,}', rest) if word not in CLDR_WORDS
            and not (word.isupper() and len(word) <= 5)]  # time zone abbreviations (CET), currency codes


def page_texts(user: User, *, frame: bool = False) -> list[tuple[str, str]]:
    """Every text the page's elements carry, with where it was found. With `frame`, the page frame's words (top bar,
    switcher, section tabs), the page's title and its description too: the walk of a page drawn in the pseudo-locale
    from the start (the panel's walk switches after the frame was drawn, so it leaves them out)."""
    found: list[tuple[str, str]] = []
    for element in list(user.client.elements.values()):
        if isinstance(element, PageFrame):
            if frame:
                found += [(f'PageFrame {key}', value) for key, value in _frame_texts(element)]
            continue
        where = f'{type(element).__name__} {element._markers}'
        text = getattr(element, 'text', None)
        if isinstance(text, str):
            found.append((where, text))
        for prop in TEXT_PROPS:
            value = element.props.get(prop)
            if isinstance(value, str):
                found.append((f'{where} {prop}', value))
        if isinstance(element, (ui.radio, ui.select, ui.toggle)):
            options = element.options.values() if isinstance(element.options, dict) else element.options
            found += [(f'{where} option', str(option)) for option in options]
        if isinstance(element, AppointmentsView):
            found += [(f'{where} labels.{key}', value) for key, value in element.labels.items()]
            found += [(f'{where} state', value) for value in _state_texts(element.state)]
        if isinstance(element, SlotTimes):  # each time's button: its name and, in a group class, the seats left
            found += [(f'{where} time', text) for time in element.times for text in (time['name'], time['seats'])]
    if frame:
        found.append(('page title', user.client.resolve_title()))
        described = re.search(r'<meta name="description" content="([^"]*)"', user.client.head_html)
        if described:
            found.append(('page description', html.unescape(described.group(1))))
    return found


def _frame_texts(element: PageFrame) -> list[tuple[str, str]]:
    words = element.words
    found = [(key, words[key]) for key in ('sign_out_label', 'sections_label', 'choose_label') if words.get(key)]
    found += [('section', section['label']) for section in words['sections']]
    found += [('language', language['name']) for language in words['languages']]
    return found


def _state_texts(state: dict) -> list[str]:
    texts = [state['empty_text'], state['page_text']]
    texts += [tab['label'] for tab in state['tabs']] + [sort['label'] for sort in state['sorts']]
    dashboard = state.get('dashboard')
    if dashboard:
        texts += [dashboard['upcoming_text'], dashboard['completed_text']]
        if dashboard['next']:
            texts += [value for fact in dashboard['next']['facts'] for value in (fact['what'], fact['label'])]
    for row in state['rows']:
        texts += [row['label'], row['status_label'], row['price'], row['payment_label'], row['note']]
    return texts


def untranslated(user: User, data: Iterable[str], screen: str, *, frame: bool = False) -> list[str]:
    """The texts on the page now (and the notices shown so far) with words outside the markers."""
    data = list(data)
    texts = page_texts(user, frame=frame) + [('notification', message) for message in user.notify.messages]
    return [f'{where}: {text!r} (first seen on {screen})' for where, text in texts if text and bare_words(text, data)]


async def wait_for(check: Callable[[], object], retries: int = 80) -> None:
    for _ in range(retries):
        try:
            if check():
                return
        except AssertionError:  # not there yet
            pass
        await asyncio.sleep(0.05)
    assert check()

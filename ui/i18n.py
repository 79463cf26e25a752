"""The visitor's language on a page: chosen once when the page is built, kept with the page's own client, read by
every text the page shows afterwards (its event handlers and live updates included).

Pages and components write `t('Sign in')`, `tn('%(num)d seat', '%(num)d seats', n)` and `show(refusal)` (a
`domain.i18n.Text`, or a plain str shown as it is); `make i18n-extract` finds `t` and `tn` like gettext's keywords.
Outside a page (a test calling a component bare, a background task that lost its client) the text is English.

A page calls `choose(request, settings, saved=...)` (or `use(locale, ...)` when it knows) before drawing anything:
that also tells Quasar the language (its own words, the date picker's names, right to left for Arabic) and puts
`lang` and `dir` on the page's <html>.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from nicegui import Client, app, context
from starlette.requests import Request

from domain import model as d
from domain.i18n import PSEUDO_LOCALE, SHIPPED_LOCALES, SOURCE_LOCALE, Overrides, Text, overrides_from_settings
from domain.model import Customer
from domain.settings import PanelSettings
from services import i18n
from services import statuses as status_words
from services.config import get_config

_LOCALE = 'kairos.locale'
_OVERRIDES = 'kairos.overrides'
# Quasar's language packs (its own words: "Today", the date picker's names, and `rtl` for Arabic) by our locale.
QUASAR_LANGUAGES: Mapping[str, str] = {'en': 'en-GB', 'pt_PT': 'pt', 'es': 'es', 'de': 'de-DE', 'ar': 'ar',
                                       PSEUDO_LOCALE: 'en-GB'}
# The browser's saved choice (a visitor not signed in, or before their first sign-in), in NiceGUI's user storage.
BROWSER_CHOICE = 'language'


def _client() -> Client | None:
    try:
        return context.client
    except RuntimeError:  # no page around (a bare component in a unit test, a task that outlived its page)
        return None


def locale(client: Client | None = None) -> str:
    """The language of the page being built or handled: what `use` set, English before that."""
    found = client if client is not None else _client()
    if found is None:
        return SOURCE_LOCALE
    return str(found.storage.get(_LOCALE, SOURCE_LOCALE))


def overrides(client: Client | None = None) -> Overrides:
    found = client if client is not None else _client()
    if found is None:
        return {}
    stored: Overrides = found.storage.get(_OVERRIDES) or {}
    return stored


def t(msgid: str, /, **params: Any) -> str:
    """`msgid` in the page's language (the business's own wording first), placeholders filled from `params`."""
    client = _client()
    return i18n.gettext(msgid, locale=locale(client), overrides=overrides(client), **_rendered(params, client))


def tn(singular: str, plural: str, n: int, /, **params: Any) -> str:
    """The form for `n` in the page's language; `%(num)d` is `n`."""
    client = _client()
    return i18n.ngettext(singular, plural, n, locale=locale(client), overrides=overrides(client),
                         **_rendered(params, client))


def show(text: Text | str | None) -> str:
    """A rule's refusal or any other Text in the page's language; a plain str (a name, the business's own words) as
    it is; None as ''."""
    if text is None:
        return ''
    client = _client()
    return i18n.render(text, locale=locale(client), overrides=overrides(client))


def is_rtl(client: Client | None = None) -> bool:
    return i18n.is_rtl(locale(client))


def _rendered(params: Mapping[str, Any], client: Client | None) -> dict[str, Any]:
    if not any(isinstance(v, Text) for v in params.values()):
        return dict(params)
    return {k: i18n.render(v, locale=locale(client), overrides=overrides(client)) if isinstance(v, Text) else v
            for k, v in params.items()}


def use(chosen: str, settings: PanelSettings | None = None, *, client: Client | None = None) -> str:
    """This page speaks `chosen` from now on (with the business's own wording from `settings`), and so do Quasar and
    the page's <html lang dir>. Call it before the page draws anything."""
    found = client if client is not None else context.client
    found.storage[_LOCALE] = chosen
    found.storage[_OVERRIDES] = overrides_from_settings(settings.text_overrides) if settings is not None else {}
    # The page object is shared by every request to its route: this request gets its own copy in its language.
    page = copy.copy(found.page)
    page.language = QUASAR_LANGUAGES.get(chosen, 'en-GB')  # type: ignore[assignment]  # one of NiceGUI's Literal
    found.page = page
    return chosen


def choose(request: Request | None, settings: PanelSettings, *, saved: str | None = None,
           client: Client | None = None) -> str:
    """Pick and `use` the visitor's language: `saved` (the customer's or admin's own choice), else what this browser
    chose with the switcher, else its Accept-Language, else the business's default."""
    header = request.headers.get('accept-language') if request is not None else None
    return use(i18n.choose_locale(saved or browser_choice(), header, settings.default_language, available=offered()),
               settings, client=client)


def offered() -> tuple[str, ...]:
    """The languages a visitor can get: the shipped ones; and the pseudo-locale too when the configuration lets tests
    ask for it (KAIROS_PSEUDO_LOCALE, off unless set: a browser asking for en-XA then gets it)."""
    return (*SHIPPED_LOCALES, PSEUDO_LOCALE) if get_config().pseudo_locale else SHIPPED_LOCALES


def browser_choice() -> str | None:
    """The language this browser chose with the switcher (kept in NiceGUI's user storage), if any."""
    try:
        found = app.storage.user.get(BROWSER_CHOICE)
    except (RuntimeError, AssertionError):  # no request around (a bare component in a test), or no storage yet
        return None
    return found if isinstance(found, str) and found in offered() else None


def choose_for(request: Request | None, settings: PanelSettings, customer: Customer | None = None, *,
               client: Client | None = None) -> str:
    """Every page's choice, before it draws: the signed-in customer's saved language, else this browser's choice,
    else Accept-Language, else the business's default."""
    return choose(request, settings, saved=customer.language if customer is not None else None, client=client)


def html_dir(chosen: str | None = None) -> str:
    """`rtl` or `ltr`, for markup drawn without Quasar (the first-paint copy of the frame, emails)."""
    return 'rtl' if i18n.is_rtl(chosen if chosen is not None else locale()) else 'ltr'


def page_statuses(values: tuple[d.Status, ...], client: Client | None = None) -> tuple[d.Status, ...]:
    """The business's statuses with their labels in the page's language (its own translation, else the default)."""
    found = client if client is not None else _client()
    return status_words.in_language(values, locale(found), overrides(found))

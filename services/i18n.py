"""Languages at work: which one a visitor gets, which way it reads, and the words in each (the shipped list, the
marking and the rules for a business's own wording are domain.i18n).

The words live in gettext catalogs (`services/locales/<locale>/LC_MESSAGES/kairos.po`, template `kairos.pot`), read
with Babel once per process and kept in memory: a page build never touches a file. English is the source language:
its words are the message ids, so it has no catalog of its own.

Every function takes the locale explicitly (no thread-local "current language"): a page knows its visitor's
language, an email its recipient's. A business may override any text per language; the override mapping is passed
in with the call and is consulted before the catalog.

Marking text for extraction (`make i18n-extract`): `gettext('...')`, `ngettext('...', '...', n)`, `lazy('...')`,
`lazy_plural('...', '...', n)` and `N_('...')` are the keywords. Placeholders are Python's `%(name)s`; in plural
messages `%(num)d` is the count.
"""

from __future__ import annotations

import gettext as _gettext
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.core import Locale, UnknownLocaleError, negotiate_locale, parse_locale

from domain.i18n import (
    AUTONYMS,
    DOMAIN,
    PSEUDO_CLOSE,
    PSEUDO_LOCALE,
    PSEUDO_OPEN,
    SHIPPED_LOCALES,
    SOURCE_LOCALE,
    Overrides,
    is_count,
)
from domain.i18n import Text as Text  # re-exported: pages and services mark and render through this module
from domain.i18n import lazy as lazy
from domain.i18n import lazy_plural as lazy_plural

LOCALES_DIR = Path(__file__).with_name('locales')
# Reads the catalog of one locale; None when the locale has none (English, the source language).
CatalogLoader = Callable[[str], _gettext.NullTranslations | None]

# ---- choosing -----------------------------------------------------------------------------------------------------

_HEADER_MAX = 500  # characters of Accept-Language read; browsers send well under 100
_TAGS_MAX = 20


def normalise_locale(value: str | None) -> str | None:
    """`pt-pt`, `pt_PT` and `PT_pt` all name `pt_PT`; None for text that is not a locale identifier."""
    if not value or not isinstance(value, str) or len(value) > 35:
        return None
    try:
        parsed = parse_locale(value.strip().replace('-', '_'))
    except ValueError:
        return None
    language, territory, script = parsed[0], parsed[1], parsed[2]
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if territory:
        parts.append(territory.upper())
    return '_'.join(parts)


def shipped_locale(value: str | None) -> str | None:
    """`value` as Kairos spells it when it names a language Kairos ships; None for anything else."""
    found = normalise_locale(value)
    return found if found in SHIPPED_LOCALES else None


def parse_accept_language(header: str | None) -> list[str]:
    """The locales a browser asks for, most wanted first (ties keep the header's order); `*` and q=0 are dropped."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header[:_HEADER_MAX].split(',')[:_TAGS_MAX]):
        tag, _, params = item.strip().partition(';')
        quality = 1.0
        for param in params.split(';'):
            name, _, value = param.strip().partition('=')
            if name.strip().lower() == 'q':
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        locale = normalise_locale(tag)
        if locale and quality > 0:
            weighted.append((-quality, position, locale))
    return [locale for _, _, locale in sorted(weighted)]


def negotiate(preferred: Iterable[str], available: Iterable[str] = SHIPPED_LOCALES) -> str | None:
    """The first of `preferred` that Kairos speaks: an exact match, else the same language (ar_EG reads ar, pt and
    pt_BR read pt_PT, the only Portuguese shipped)."""
    offered = list(available)
    for wanted in preferred:
        # Babel matches exactly, through its aliases (pt -> pt_PT) and by the language alone (ar_EG -> ar).
        found = negotiate_locale([wanted], offered)
        if found is None:
            language = wanted.split('_')[0].lower()
            found = next((loc for loc in offered if loc.split('_')[0].lower() == language), None)
        if found is not None:
            return found
    return None


def choose_locale(saved: str | None, accept_language: str | None, business_default: str | None, *,
                  available: Iterable[str] = SHIPPED_LOCALES) -> str:
    """The language a customer reads: their saved choice, else what their browser asks for, else the business's
    default language, else English."""
    offered = tuple(available)
    own = normalise_locale(saved)
    if own in offered:
        return own
    found = negotiate(parse_accept_language(accept_language), offered)
    if found is not None:
        return found
    default = normalise_locale(business_default)
    if default in offered:
        return default
    return SOURCE_LOCALE


@lru_cache(maxsize=64)
def is_rtl(locale: str) -> bool:
    """The language is written right to left (Arabic): the page is laid out mirrored."""
    if locale == PSEUDO_LOCALE:
        return False
    try:
        return Locale.parse(locale).text_direction == 'rtl'
    except (ValueError, TypeError, UnknownLocaleError):
        return False


# ---- catalogs -----------------------------------------------------------------------------------------------------


def catalog_path(locale: str) -> Path:
    return LOCALES_DIR / locale / 'LC_MESSAGES' / f'{DOMAIN}.po'


def load_shipped_catalog(locale: str) -> _gettext.NullTranslations | None:
    """The shipped .po of `locale`, compiled in memory (fuzzy and empty entries left out, so they read as English)."""
    path = catalog_path(locale)
    if locale == SOURCE_LOCALE or not path.is_file():
        return None
    # Imported here: Babel's catalog code costs ~40 ms to import, needed once per process, not by every command.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open('rb') as po:
        catalog = read_po(po, locale=locale, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


class Translator:
    """The catalogs of one process: each locale's is read on first use, once, then served from memory."""

    def __init__(self, loader: CatalogLoader = load_shipped_catalog) -> None:
        self._loader = loader
        self._catalogs: dict[str, _gettext.NullTranslations] = {}
        self._lock = threading.Lock()  # pages translate from worker threads too (run.io_bound)

    def preload(self, locales: Iterable[str] = SHIPPED_LOCALES) -> None:
        """Read every catalog now (at start-up), so the first visitor in each language does not wait for it."""
        for locale in locales:
            self._catalog(locale)

    def gettext(self, msgid: str, *, locale: str, overrides: Overrides | None = None) -> str:
        """`msgid` in `locale`: the business's override, else the catalog's translation, else the English."""
        if locale == PSEUDO_LOCALE:
            return _pseudo(self.gettext(msgid, locale=SOURCE_LOCALE, overrides=overrides))
        if overrides:
            own = overrides.get((locale, msgid))
            if own:
                return own
        return self._catalog(locale).gettext(msgid)

    def ngettext(self, singular: str, plural: str, n: int, *, locale: str,
                 overrides: Overrides | None = None) -> str:
        """The form of a counted text that `n` takes in `locale` (Arabic has six), with the same precedence."""
        if locale == PSEUDO_LOCALE:
            return _pseudo(self.ngettext(singular, plural, n, locale=SOURCE_LOCALE, overrides=overrides))
        if overrides:
            own = overrides.get((locale, singular if n == 1 else plural))
            if own:
                return own
        return self._catalog(locale).ngettext(singular, plural, n)

    def _catalog(self, locale: str) -> _gettext.NullTranslations:
        found = self._catalogs.get(locale)
        if found is not None:
            return found
        with self._lock:
            found = self._catalogs.get(locale)
            if found is None:
                found = self._loader(locale) or _gettext.NullTranslations()
                self._catalogs[locale] = found
            return found


def _pseudo(text: str) -> str:
    return f'{PSEUDO_OPEN}{text}{PSEUDO_CLOSE}'


# The process's translator: catalogs are read-only data shipped with the code, so one set serves every tenant and
# visitor (per-tenant wording comes in as overrides). Tests swap or reset it with the two functions below.
_translator: Translator | None = None
_translator_lock = threading.Lock()


def translator() -> Translator:
    global _translator
    if _translator is None:
        with _translator_lock:
            if _translator is None:
                _translator = Translator()
    return _translator


def reset_translator(new: Translator | None = None) -> None:
    """Forget the catalogs read so far (or use `new`): the next text reads them again."""
    global _translator
    _translator = new


@lru_cache(maxsize=1)
def template_msgids() -> frozenset[str]:
    """Every text Kairos can show, as the template (kairos.pot) lists it (singular and plural ids)."""
    from babel.messages.pofile import read_po

    with (LOCALES_DIR / f'{DOMAIN}.pot').open('rb') as pot:
        catalog = read_po(pot, domain=DOMAIN)
    ids: set[str] = set()
    for message in catalog:
        if message.id:
            ids.update(message.id if isinstance(message.id, (list, tuple)) else (message.id,))
    return frozenset(ids)


# ---- the helpers pages, emails and rules call ---------------------------------------------------------------------


def gettext(msgid: str, /, *, locale: str, overrides: Overrides | None = None, **params: Any) -> str:
    """`msgid` translated into `locale`, with `%(name)s` placeholders filled from `params` when given."""
    text = translator().gettext(msgid, locale=locale, overrides=overrides)
    if not params:
        return text
    try:
        return text % params
    except (KeyError, ValueError, TypeError):
        if not overrides:
            raise
        # A business's wording saved before the English text changed its placeholders: the catalog's still fits.
        return translator().gettext(msgid, locale=locale) % params


def ngettext(singular: str, plural: str, n: int, /, *, locale: str, overrides: Overrides | None = None,
             **params: Any) -> str:
    """The form for `n` translated into `locale`; `%(num)d` is `n`, other placeholders come from `params`."""
    text = translator().ngettext(singular, plural, n, locale=locale, overrides=overrides)
    try:
        return text % {'num': n, **params}
    except (KeyError, ValueError, TypeError):
        if not overrides:
            raise
        return translator().ngettext(singular, plural, n, locale=locale) % {'num': n, **params}


def render(text: Text | str, /, *, locale: str, overrides: Overrides | None = None) -> str:
    """A Text in `locale` (its Text parameters rendered first, in the same language); a plain str is returned as it
    is (a name, a business's own words: data, not Kairos's text)."""
    if isinstance(text, str):
        return text
    params = {k: render(v, locale=locale, overrides=overrides) if isinstance(v, Text)
              else _number(v, locale) if is_count(text.msgid, k, v) else v
              for k, v in text.params.items()}
    if text.plural is not None and text.n is not None:
        said = ngettext(text.msgid, text.plural, text.n, locale=locale, overrides=overrides, **params)
    else:
        said = gettext(text.msgid, locale=locale, overrides=overrides, **params)
    return said.lower() if text.lowercase else said


def _number(value: int, locale: str) -> str:
    from services.formatting import number

    return number(value, locale=SOURCE_LOCALE if locale == PSEUDO_LOCALE else locale)


def language_name(locale: str, *, reader: str) -> str:
    """How the switcher names `locale`: in its own words (so a reader lost in a foreign language finds theirs)."""
    return gettext(AUTONYMS.get(locale, locale), locale=reader)

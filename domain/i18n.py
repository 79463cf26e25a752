"""Languages, the pure part: which ones Kairos ships, how a text is marked for translation, and what a business's
own wording of a text must respect. Reading catalogs, choosing a visitor's language and translating are
`services.i18n` (they need Babel's CLDR data and the catalog files; the domain uses the standard library only).

Marking text for extraction (`make i18n-extract`): `N_('...')` here and in rules and models; `gettext`, `ngettext`,
`lazy` and `lazy_plural` of `services.i18n` where a text is shown. Placeholders are Python's `%(name)s`; in plural
messages `%(num)d` is the count.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

DOMAIN = 'kairos'
SOURCE_LOCALE = 'en'
# The languages a customer or a business can choose, in the switcher's order.
SHIPPED_LOCALES: tuple[str, ...] = ('en', 'pt_PT', 'es', 'de', 'ar')
# Not a language: English with every translated text wrapped in markers, so a test can find text that skipped the
# catalog (it shows without markers). Never negotiated, never offered in the switcher.
PSEUDO_LOCALE = 'en_XA'
PSEUDO_OPEN, PSEUDO_CLOSE = '⟦', '⟧'

# Keys of a business's overrides: (locale, msgid) -> its own wording. For plural messages the singular and the
# plural msgid are keys of their own.
Overrides = Mapping[tuple[str, str], str]


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for "marked, translated later"
    """Marks a text for extraction where it is defined; it is translated where it is shown."""
    return msgid


@dataclass(frozen=True, slots=True)
class Text:
    """A text to be translated later, when the reader's language is known (a rule's refusal, a notice, an email
    line): data, not a sentence, so it can be stored as keys and shown in any language. `services.i18n.render` turns
    it into words; `str(text)` is the English, for logs and for code that has no reader."""

    msgid: str
    plural: str | None = None
    n: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    # Shown in lower case (a status's label inside a sentence: 'an appointment that is canceled').
    lowercase: bool = False

    def __str__(self) -> str:
        template = self.msgid if self.plural is None or self.n == 1 else self.plural
        shown = {k: f'{v:,}' if is_count(template, k, v) else str(v) for k, v in self.params.items()}
        values = {'num': self.n, **shown} if self.n is not None else shown
        try:
            said = template % values if values else template
        except (KeyError, ValueError, TypeError):
            said = template
        return said.lower() if self.lowercase else said


def is_count(template: str, key: str, value: object) -> bool:
    """A whole number placed with `%(key)s`: shown the reader's way (2,000 in English, 2000 in Portuguese, 2.000
    in German); one placed with `%(key)d` is left to the format."""
    return isinstance(value, int) and not isinstance(value, bool) and f'%({key})s' in template


def lazy(msgid: str, /, **params: Any) -> Text:
    """`msgid` marked for translation, translated when shown (`services.i18n.render`). A parameter may itself be a
    Text (a status label, a duration in words): it is rendered in the same language first."""
    return Text(msgid, params=params)


def lazy_plural(singular: str, plural: str, n: int, /, **params: Any) -> Text:
    """A counted text marked for translation, translated when shown; `%(num)d` is `n`."""
    return Text(singular, plural, n, params=params)


def label(value: str, *, lowercase: bool = False) -> Text:
    """A name that is data yet may be one of Kairos's own texts (a status's label, a business keeps the default
    'Canceled' or calls it its own way): translated when the catalog knows it (the defaults are marked with N_ where
    they are defined), shown as it is otherwise. `lowercase` for a label inside a sentence."""
    return Text(value, lowercase=lowercase)


def sentences(*parts: Text | str) -> Text | str:
    """Several sentences shown one after the other (each in the reader's language), a space between them."""
    found = [p for p in parts if p]
    if not found:
        return ''
    said: Text | str = found[-1]
    for part in reversed(found[:-1]):
        said = Text('%(first)s %(rest)s', params={'first': part, 'rest': said})  # not a text to translate
    return said


def text_to_data(text: Text) -> str:
    """A Text as a short JSON string, to store (a payment's note): its msgid, plural, count and parameters (a Text
    parameter nested, any other as its str)."""
    return json.dumps(_as_data(text), ensure_ascii=False, separators=(',', ':'))


def text_from_data(stored: str) -> Said:
    """What `text_to_data` stored, as the Text again; anything else (a note typed by a person, an English sentence
    stored before notes were data) as the str it is."""
    if not stored.startswith('{'):
        return stored
    try:
        data = json.loads(stored)
    except ValueError:
        return stored
    return _from_data(data) if isinstance(data, dict) and isinstance(data.get('t'), str) else stored


def _as_data(text: Text) -> dict[str, Any]:
    data: dict[str, Any] = {'t': text.msgid}
    if text.plural is not None:
        data['pl'], data['n'] = text.plural, text.n
    if text.params:
        data['p'] = {k: _as_data(v) if isinstance(v, Text) else str(v) for k, v in text.params.items()}
    return data


def _from_data(data: dict[str, Any]) -> Text:
    params = {str(k): _from_data(v) if isinstance(v, dict) else str(v) for k, v in (data.get('p') or {}).items()}
    n = data.get('n')
    return Text(str(data['t']), str(data['pl']) if data.get('pl') else None, n if isinstance(n, int) else None,
                params=params)


# A refusal or notice: Kairos's own words (Text), or words that are already the reader's (a business's own
# instructions, a message from elsewhere) as a plain str.
Said = Text | str


# The switcher's labels: each language in its own words (autonyms). They go through the catalogs like every other
# text (each catalog keeps them as they are), so the pseudo-locale marks them too.
AUTONYMS: dict[str, str] = {
    # Translators: a language's name in that language; keep it exactly as it is.
    'en': N_('English'),
    # Translators: a language's name in that language; keep it exactly as it is.
    'pt_PT': N_('Português'),
    # Translators: a language's name in that language; keep it exactly as it is.
    'es': N_('Español'),
    # Translators: a language's name in that language; keep it exactly as it is.
    'de': N_('Deutsch'),
    # Translators: a language's name in that language; keep it exactly as it is.
    'ar': N_('العربية'),
}
# Translators: the label of the language switcher.
LANGUAGE_LABEL = N_('Language')
# Translators: the language switcher's name for screen readers.
CHOOSE_LANGUAGE = N_('Choose your language')


# ---- a business's own wording --------------------------------------------------------------------------------------

OVERRIDE_MAX = 1000  # characters of one override (the longest texts are short paragraphs)
OVERRIDES_MAX = 500  # overrides per business
_NAMED = re.compile(r'%\((\w+)\)')


def overrides_shape_problem(value: object) -> Text | None:
    """Stored overrides are {locale: {English text: own wording}} for shipped locales, within the size limits."""
    shape = lazy('text_overrides must map a language (one of %(choices)s) to the English texts and the wording to '
                 'show instead.', choices=', '.join(SHIPPED_LOCALES))
    if not isinstance(value, dict) or not all(loc in SHIPPED_LOCALES and isinstance(texts, dict)
                                              for loc, texts in value.items()):
        return shape
    count = 0
    for texts in value.values():
        for msgid, text in texts.items():
            if not (isinstance(msgid, str) and msgid and isinstance(text, str) and text.strip()):
                return shape
            if len(text) > OVERRIDE_MAX:
                return lazy('text_overrides: a wording can be at most %(limit)s characters.', limit=OVERRIDE_MAX)
            count += 1
    if count > OVERRIDES_MAX:
        return lazy('text_overrides: at most %(limit)s texts can be reworded.', limit=OVERRIDES_MAX)
    return None


def override_problem(msgid: str, text: str, *, texts: Collection[str] | None = None) -> Text | None:
    """A business's wording of `msgid` must be a text Kairos shows (one of `texts`, the template's message ids, when
    given) and keep its placeholders (`%(name)s`): a placeholder the English does not have could not be filled."""
    if texts is not None and msgid not in texts:
        return lazy('text_overrides: Kairos shows no text %(text)s (copy it exactly from '
                    'services/locales/kairos.pot).', text=repr(msgid))
    allowed = set(_NAMED.findall(msgid))
    unknown = sorted(set(_NAMED.findall(text)) - allowed)
    if unknown:
        return lazy('text_overrides: %(text)s has no placeholder %(names)s.', text=repr(msgid),
                    names=', '.join(unknown))
    if allowed:
        try:
            text % defaultdict(int)
        except (ValueError, TypeError):
            return lazy('text_overrides: the wording of %(text)s has a stray %%; write placeholders as in the '
                        'English.', text=repr(msgid))
    return None


def overrides_from_settings(stored: Mapping[str, Mapping[str, str]]) -> dict[tuple[str, str], str]:
    """The stored {locale: {msgid: text}} as the (locale, msgid) mapping the translation functions take."""
    return {(locale, msgid): text for locale, texts in stored.items() for msgid, text in texts.items()}

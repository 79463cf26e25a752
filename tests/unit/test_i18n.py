"""Which language a visitor reads, and how a text is found in it: the business's wording, else the catalog's,
else the English; catalogs read once per process."""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Iterator
from io import BytesIO

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from domain import i18n as di
from services import i18n
from services.i18n import (
    PSEUDO_LOCALE,
    SHIPPED_LOCALES,
    Translator,
    choose_locale,
    gettext,
    is_rtl,
    language_name,
    lazy,
    lazy_plural,
    ngettext,
    normalise_locale,
    parse_accept_language,
    render,
)


@pytest.mark.parametrize(('saved', 'header', 'business', 'expected'), [
    # The customer's saved choice wins over everything.
    ('de', 'ar-EG,ar;q=0.9', 'pt_PT', 'de'),
    ('pt-pt', None, 'en', 'pt_PT'),
    # A saved language Kairos no longer speaks, or garbage, falls through to the browser.
    ('fr', 'es-ES,es;q=0.9', 'pt_PT', 'es'),
    ('!!', 'es', 'pt_PT', 'es'),
    # The browser: Portuguese of any country reads Portugal's, a country variant reads its language.
    (None, 'pt', 'en', 'pt_PT'),
    (None, 'pt-BR,pt;q=0.9,en;q=0.8', 'en', 'pt_PT'),
    (None, 'ar-EG', 'en', 'ar'),
    (None, 'de-AT', 'en', 'de'),
    (None, 'es-419', 'en', 'es'),
    (None, 'en-GB,en;q=0.9', 'pt_PT', 'en'),
    # The first language Kairos speaks, by weight, not by position.
    (None, 'fr-FR,fr;q=0.9,de;q=0.5,es;q=0.7', 'en', 'es'),
    (None, 'de;q=0.1, ar', 'en', 'ar'),
    # q=0 means "not this one"; * is no language.
    (None, 'ar;q=0, *', 'de', 'de'),
    # Nothing the browser asks for is shipped: the business's default, else English.
    (None, 'fr-FR,fr;q=0.9,ja', 'pt_PT', 'pt_PT'),
    (None, None, 'de', 'de'),
    (None, '', None, 'en'),
    (None, 'fr', 'xx', 'en'),
    (None, 'q=;;;,,,-', 'es', 'es'),
])
def test_the_language_is_the_saved_one_else_the_browsers_else_the_business_default(
        saved: str | None, header: str | None, business: str | None, expected: str) -> None:
    assert choose_locale(saved, header, business) == expected


def test_the_pseudo_locale_is_never_negotiated_but_a_test_can_offer_it() -> None:
    assert choose_locale(None, 'en-XA', 'en') == 'en'
    assert choose_locale(PSEUDO_LOCALE, None, 'en') == 'en'
    assert choose_locale(PSEUDO_LOCALE, None, 'en', available=(*SHIPPED_LOCALES, PSEUDO_LOCALE)) == PSEUDO_LOCALE


def test_a_long_accept_language_header_is_read_only_in_part() -> None:
    header = ','.join(['fr'] * 5000) + ',de'
    assert parse_accept_language(header) == ['fr'] * 20
    assert choose_locale(None, header, 'es') == 'es'


@pytest.mark.parametrize(('value', 'expected'), [
    ('pt-pt', 'pt_PT'), ('PT_pt', 'pt_PT'), ('ar', 'ar'), ('zh-hant-tw', 'zh_Hant_TW'),
    ('', None), (None, None), ('12', None), ('x' * 40, None),
])
def test_locale_identifiers_are_normalised(value: str | None, expected: str | None) -> None:
    assert normalise_locale(value) == expected


@pytest.mark.parametrize(('locale', 'rtl'), [('ar', True), ('ar_EG', True), ('en', False), ('pt_PT', False),
                                             ('de', False), ('es', False), (PSEUDO_LOCALE, False), ('xx', False)])
def test_arabic_reads_right_to_left(locale: str, rtl: bool) -> None:
    assert is_rtl(locale) is rtl


# A catalog made here, so the rules below hold whatever the shipped catalogs say.
_PO = '''
msgid ""
msgstr ""
"Language: ar\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"

msgid "Language"
msgstr "اللغة"

msgid "Hello %(name)s"
msgstr "مرحبا %(name)s"

msgid "%(num)d appointment"
msgid_plural "%(num)d appointments"
msgstr[0] "لا مواعيد"
msgstr[1] "موعد واحد"
msgstr[2] "موعدان"
msgstr[3] "%(num)d مواعيد"
msgstr[4] "%(num)d موعدًا"
msgstr[5] "%(num)d موعد"

#, fuzzy
msgid "Pay"
msgstr "ادفع؟"

msgid "Cancel"
msgstr ""
'''


class CountingLoader:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, locale: str) -> stdlib_gettext.NullTranslations | None:
        self.calls.append(locale)
        if locale != 'ar':
            return None
        compiled = BytesIO()
        write_mo(compiled, read_po(BytesIO(_PO.encode()), locale='ar'))
        compiled.seek(0)
        return stdlib_gettext.GNUTranslations(compiled)


@pytest.fixture
def loader() -> Iterator[CountingLoader]:
    counting = CountingLoader()
    i18n.reset_translator(Translator(counting))
    yield counting
    i18n.reset_translator()


def test_each_catalog_is_read_once_however_many_texts_are_translated(loader: CountingLoader) -> None:
    for _ in range(200):
        assert gettext('Language', locale='ar') == 'اللغة'
        assert gettext('Language', locale='en') == 'Language'
        ngettext('%(num)d appointment', '%(num)d appointments', 3, locale='ar')
    assert sorted(loader.calls) == ['ar', 'en']
    i18n.translator().preload()
    assert sorted(loader.calls) == sorted(SHIPPED_LOCALES)


def test_preloading_reads_every_shipped_catalog_once() -> None:
    counting = CountingLoader()
    translator = Translator(counting)
    translator.preload()
    translator.preload()
    for locale in SHIPPED_LOCALES:
        translator.gettext('Language', locale=locale)
    assert sorted(counting.calls) == sorted(SHIPPED_LOCALES)


@pytest.mark.parametrize(('n', 'expected'), [(0, 'لا مواعيد'), (1, 'موعد واحد'), (2, 'موعدان'), (3, '3 مواعيد'),
                                             (11, '11 موعدًا'), (100, '100 موعد')])
def test_arabic_counts_take_their_six_forms(loader: CountingLoader, n: int, expected: str) -> None:
    assert ngettext('%(num)d appointment', '%(num)d appointments', n, locale='ar') == expected


def test_english_counts_take_two_forms(loader: CountingLoader) -> None:
    assert ngettext('%(num)d appointment', '%(num)d appointments', 1, locale='en') == '1 appointment'
    assert ngettext('%(num)d appointment', '%(num)d appointments', 0, locale='en') == '0 appointments'


def test_placeholders_are_filled_after_translation(loader: CountingLoader) -> None:
    assert gettext('Hello %(name)s', locale='ar', name='Ana') == 'مرحبا Ana'
    assert gettext('Hello %(name)s', locale='de', name='Ana') == 'Hello Ana'
    assert gettext('100% sure', locale='de') == '100% sure'  # no params: no formatting, a lone % is fine


def test_fuzzy_empty_and_missing_translations_read_as_english(loader: CountingLoader) -> None:
    assert gettext('Pay', locale='ar') == 'Pay'
    assert gettext('Cancel', locale='ar') == 'Cancel'
    assert gettext('Not in any catalog', locale='ar') == 'Not in any catalog'
    assert gettext('Language', locale='fr') == 'Language'  # a language without a catalog


def test_the_business_wording_wins_over_the_catalog_in_its_language_only(loader: CountingLoader) -> None:
    overrides = {('ar', 'Language'): 'لغة الواجهة', ('en', 'Language'): 'Speak', ('ar', 'Cancel'): ''}
    assert gettext('Language', locale='ar', overrides=overrides) == 'لغة الواجهة'
    assert gettext('Language', locale='en', overrides=overrides) == 'Speak'
    assert gettext('Language', locale='de', overrides=overrides) == 'Language'
    assert gettext('Language', locale='ar', overrides={}) == 'اللغة'
    assert gettext('Cancel', locale='ar', overrides=overrides) == 'Cancel'  # an empty override is no override
    plural = {('ar', '%(num)d appointments'): '%(num)d حجوزات', ('ar', '%(num)d appointment'): 'حجز واحد'}
    assert ngettext('%(num)d appointment', '%(num)d appointments', 4, locale='ar', overrides=plural) == '4 حجوزات'
    assert ngettext('%(num)d appointment', '%(num)d appointments', 1, locale='ar', overrides=plural) == 'حجز واحد'


def test_the_pseudo_locale_marks_every_translated_text(loader: CountingLoader) -> None:
    assert gettext('Language', locale=PSEUDO_LOCALE) == '⟦Language⟧'
    assert gettext('Hello %(name)s', locale=PSEUDO_LOCALE, name='Ana') == '⟦Hello Ana⟧'
    assert ngettext('%(num)d appointment', '%(num)d appointments', 2, locale=PSEUDO_LOCALE) == '⟦2 appointments⟧'
    assert gettext('Language', locale=PSEUDO_LOCALE, overrides={('en', 'Language'): 'Speak'}) == '⟦Speak⟧'
    assert 'en_XA' not in loader.calls  # generated, never read from a file


def test_a_lazy_text_is_data_until_it_is_shown(loader: CountingLoader) -> None:
    greeting = lazy('Hello %(name)s', name='Ana')
    count = lazy_plural('%(num)d appointment', '%(num)d appointments', 2)
    assert loader.calls == []  # marking translates nothing
    assert greeting == lazy('Hello %(name)s', name='Ana')
    assert render(greeting, locale='ar') == 'مرحبا Ana' and render(greeting, locale='en') == 'Hello Ana'
    assert render(count, locale='ar') == 'موعدان' and render(count, locale='de') == '2 appointments'
    assert str(greeting) == 'Hello Ana' and str(count) == '2 appointments'


def test_a_text_inside_a_text_is_shown_in_the_same_language(loader: CountingLoader) -> None:
    outer = lazy('Hello %(name)s', name=lazy('Language'))
    assert render(outer, locale=PSEUDO_LOCALE) == '⟦Hello ⟦Language⟧⟧'
    assert render('Ana', locale='ar') == 'Ana'  # a name is data, shown as it is


def test_the_switcher_names_each_language_in_its_own_words() -> None:
    names = {locale: language_name(locale, reader='de') for locale in SHIPPED_LOCALES}
    assert names == {'en': 'English', 'pt_PT': 'Português', 'es': 'Español', 'de': 'Deutsch', 'ar': 'العربية'}
    assert language_name('pt_PT', reader='ar') == 'Português'
    assert language_name('pt_PT', reader=PSEUDO_LOCALE) == '⟦Português⟧'


@pytest.mark.parametrize(('locale', 'expected'), [('en', 'Language'), ('pt_PT', 'Idioma'), ('es', 'Idioma'),
                                                  ('de', 'Sprache'), ('ar', 'اللغة')])
def test_the_shipped_catalogs_translate(locale: str, expected: str) -> None:
    i18n.reset_translator()
    assert gettext('Language', locale=locale) == expected


def test_a_wording_that_no_longer_fits_its_text_falls_back_to_the_catalog(loader: CountingLoader) -> None:
    stale = {('ar', 'Hello %(name)s'): 'أهلا %(first_name)s', ('en', '%(num)d appointment'): '%(count)d visit'}
    assert gettext('Hello %(name)s', locale='ar', overrides=stale, name='Ana') == 'مرحبا Ana'
    assert ngettext('%(num)d appointment', '%(num)d appointments', 1, locale='en', overrides=stale) == '1 appointment'
    with pytest.raises(KeyError):  # the code's own mistakes still show
        gettext('Hello %(name)s', locale='ar', first_name='Ana')


@pytest.mark.parametrize(('msgid', 'text', 'problem'), [
    ('Language', 'Língua', None),
    ('Language', '100% Língua', None),  # no placeholders: the text is shown as it is
    ('Langauge', 'Língua', "Kairos shows no text 'Langauge'"),
    ('Choose your language', 'Escolha, %(name)s', 'has no placeholder name'),
])
def test_a_business_wording_must_be_of_a_text_kairos_shows(msgid: str, text: str, problem: str | None) -> None:
    found = di.override_problem(msgid, text, texts=i18n.template_msgids())
    assert (found is None) if problem is None else (found is not None and problem in str(found))


def test_a_wording_keeps_the_placeholders_of_the_english() -> None:
    texts = frozenset({'Hello %(name)s'})
    assert di.override_problem('Hello %(name)s', 'Olá %(name)s!', texts=texts) is None
    assert di.override_problem('Hello %(name)s', 'Olá!', texts=texts) is None  # leaving one out: allowed
    assert 'stray %' in str(di.override_problem('Hello %(name)s', 'Olá %(name)s, 100% seguro', texts=texts))
    assert 'no placeholder nome' in str(di.override_problem('Hello %(name)s', 'Olá %(nome)s', texts=texts))


@pytest.mark.parametrize(('stored', 'problem'), [
    ({}, None),
    ({'pt_PT': {'Language': 'Língua'}, 'ar': {}}, None),
    ({'fr': {'Language': 'Langue'}}, 'text_overrides must map a language'),
    ({'pt_PT': ['Language']}, 'text_overrides must map a language'),
    ({'pt_PT': {'Language': ''}}, 'text_overrides must map a language'),
    ({'pt_PT': {'Language': 7}}, 'text_overrides must map a language'),
    (['pt_PT'], 'text_overrides must map a language'),
    ({'pt_PT': {'Language': 'x' * 1001}}, 'at most 1,000 characters'),
    ({'pt_PT': {f'text {i}': 'x' for i in range(501)}}, 'at most 500 texts'),
])
def test_stored_wordings_have_their_shape(stored: object, problem: str | None) -> None:
    found = di.overrides_shape_problem(stored)
    assert (found is None) if problem is None else (found is not None and problem in str(found))


def test_stored_wordings_become_the_mapping_the_translation_takes() -> None:
    stored = {'pt_PT': {'Language': 'Língua'}, 'de': {'Language': 'Sprache wählen'}}
    overrides = di.overrides_from_settings(stored)
    assert overrides == {('pt_PT', 'Language'): 'Língua', ('de', 'Language'): 'Sprache wählen'}
    i18n.reset_translator()
    assert gettext('Language', locale='pt_PT', overrides=overrides) == 'Língua'
    assert gettext('Language', locale='es', overrides=overrides) == 'Idioma'

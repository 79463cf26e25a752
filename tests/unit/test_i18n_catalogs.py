"""The shipped catalogs are complete: every text marked in the code is in the template (kairos.pot), and every
shipped language translates every text of the template, not empty, not fuzzy, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from services.i18n import DOMAIN, LOCALES_DIR, SHIPPED_LOCALES, SOURCE_LOCALE, catalog_path

ROOT = Path(__file__).parents[2]
TRANSLATED = [loc for loc in SHIPPED_LOCALES if loc != SOURCE_LOCALE]


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open('rb') as po:
        return read_po(po, locale=locale, domain=DOMAIN)


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (list, tuple)) else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)


def _template() -> dict[str, Message]:
    return {_ids(m)[0]: m for m in _read(LOCALES_DIR / f'{DOMAIN}.pot') if m.id}


def _marked_in_code() -> set[str]:
    """What `make i18n-extract` would gather, with the Makefile's keywords and babel.cfg's files."""
    makefile = (ROOT / 'Makefile').read_text(encoding='utf-8')
    spec = re.search(r'^I18N_KEYWORDS := (.*)$', makefile, re.M)
    assert spec, 'the Makefile names the extraction keywords in I18N_KEYWORDS'
    keywords = parse_keywords([k.strip() for k in spec.group(1).split('-k')[1:]])
    with (ROOT / 'babel.cfg').open(encoding='utf-8') as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)
    return {(msg[0] if isinstance(msg, tuple) else msg) for _file, _line, msg, _comments, _context in found}


def test_the_template_holds_every_text_marked_in_the_code() -> None:
    missing = sorted(_marked_in_code() - set(_template()))
    assert not missing, f'run `make i18n-extract` and translate: {missing}'


def test_the_template_holds_the_language_switchers_words() -> None:
    assert {'Language', 'Choose your language', 'English', 'Português', 'Español', 'Deutsch', 'العربية'} <= set(
        _template())


def catalog_problems(catalog: Catalog, template: dict[str, Message]) -> list[str]:
    """Each text of the template the catalog misses, leaves empty (any plural form), marks fuzzy, or translates with
    other placeholders than the English."""
    problems: list[str] = []
    for msgid, wanted in template.items():
        message = catalog.get(wanted.id)
        if message is None:
            problems.append(f'missing: {msgid!r}')
        elif message.fuzzy:
            problems.append(f'fuzzy: {msgid!r}')
        elif not all(_strings(message)) or len(_strings(message)) != (catalog.num_plurals if message.pluralizable
                                                                       else 1):
            problems.append(f'not translated: {msgid!r}')
        else:
            problems += [f'{msgid!r}: {error}' for error in message.check(catalog)]
    return problems


@pytest.mark.parametrize('locale', TRANSLATED)
def test_every_shipped_language_translates_every_text(locale: str) -> None:
    catalog = _read(catalog_path(locale), locale)
    assert str(catalog.locale) == locale
    problems = catalog_problems(catalog, _template())
    assert not problems, f'{locale}: ' + '; '.join(problems)


def test_the_completeness_check_catches_what_it_promises(tmp_path: Path) -> None:
    broken = tmp_path / 'kairos.po'
    broken.write_text('''msgid ""
msgstr ""
"Language: de\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

msgid "Language"
msgstr ""

#, fuzzy
msgid "English"
msgstr "Englisch"

#, python-format
msgid "Hello %(name)s"
msgstr "Hallo %(nom)s"

msgid "%(num)d visit"
msgid_plural "%(num)d visits"
msgstr[0] "%(num)d Besuch"
msgstr[1] ""

msgid "Deutsch"
msgstr "Deutsch"
''', encoding='utf-8')
    template = {m.id if isinstance(m.id, str) else m.id[0]: m for m in (
        Message('Language'), Message('English'), Message('Hello %(name)s', flags=['python-format']),
        Message(('%(num)d visit', '%(num)d visits')), Message('Choose your language'), Message('Deutsch'))}
    problems = catalog_problems(_read(broken, 'de'), template)
    assert problems == ["not translated: 'Language'", "fuzzy: 'English'", problems[2],
                        "not translated: '%(num)d visit'", "missing: 'Choose your language'"]
    assert problems[2].startswith("'Hello %(name)s': ") and 'nom' in problems[2]


def test_no_catalog_ships_for_a_language_kairos_does_not_offer() -> None:
    on_disk = {p.parent.parent.name for p in LOCALES_DIR.glob(f'*/LC_MESSAGES/{DOMAIN}.po')}
    assert on_disk == set(TRANSLATED)


@pytest.mark.parametrize('locale', ['pt_PT', 'es'])
def test_everyday_counts_do_not_take_the_millions_form(locale: str) -> None:
    """CLDR gives Portuguese and Spanish a third plural form for round millions ("1 000 000 de minutos"), listed
    second: a catalog that puts it last makes "2 de minutos" of an everyday count."""
    catalog = _read(catalog_path(locale), locale)
    wrong = [m.id[0] for m in catalog if m.pluralizable and '%(num)d de ' in m.string[2]]
    assert not wrong, f'{locale}: the everyday form reads "N de …" in {wrong}'

"""How money, dates and times read, in one place: the panel, emails, receipts, calendar files and Stripe all ask here.

Built on CLDR data (Babel), so a `locale` is all another language needs; every function takes one, defaulting to
English. Plain 'en' reads the way Kairos has always written English: day before month, a 24-hour clock, the weekday
without a comma ('Tue 24 Nov 2026, 10:00–10:45') — CLDR's euro-area English (en_IE) writes exactly that, where
CLDR's bare 'en' is American ('Tue, Nov 24, 2026'). Any other tag ('pt_PT', 'de', 'ar', 'en_US') is CLDR's own.

The named formats (all in the zone given, so the reader's own):
  date        'Tue 24 Nov 2026'    weekday and date: the panel, the timeline, emails
  short_date  '24 Nov 2026'
  long_date   '24 November 2026'   documents (receipts)
  full_date   'Tuesday 24 November 2026'   the date of the panel's next visit, said in full
  weekday     'Tue'
  time        '10:00'
  date_time   'Tue 24 Nov 2026, 10:00' (or with the short or long date)
  when        'Tue 24 Nov 2026, 10:00–10:45'   an appointment

Money is integer minor units as the payment provider (Stripe) counts them: 4500 EUR is €45.00, 4500 JPY is ¥4,500.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache, lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as cldr_dates
from babel import numbers as cldr_numbers

from services.i18n import gettext

DEFAULT_LOCALE = 'en'

# Locale tags whose CLDR data is another tag's (see the module's docstring). The pseudo-locale (domain.i18n, English
# with every translated text marked) formats as Kairos's English: dates and money are data, not translated text.
_CLDR_DATA = {'en': 'en_IE', 'en_XA': 'en_IE'}

# Currencies whose minor unit is the whole unit, and those counted in thousandths, as Stripe counts amounts (its
# "zero-decimal" and "three-decimal" lists). Every other currency is counted in hundredths. This is what an amount
# in the database means, not how it reads: the digits shown are CLDR's (an amount in HUF is counted in hundredths
# and shown without them).
ZERO_DECIMAL_CURRENCIES = frozenset({'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX',
                                     'VND', 'VUV', 'XAF', 'XOF', 'XPF'})
THREE_DECIMAL_CURRENCIES = frozenset({'BHD', 'JOD', 'KWD', 'OMR', 'TND'})

DateStyle = Literal['date', 'short_date', 'long_date', 'full_date']
_SKELETONS: dict[str, str] = {'date': 'yMMMEd', 'short_date': 'yMMMd', 'long_date': 'yMMMMd', 'weekday': 'E'}


# ---- money -------------------------------------------------------------------------------------------------------


def minor_unit_digits(currency: str) -> int:
    """How many decimal places an amount's minor units stand for: 2 for EUR (cents), 0 for JPY, 3 for KWD."""
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def to_major(amount: int, currency: str) -> Decimal:
    """Minor units to the amount in whole units: 4500 EUR -> 45.00, 4500 JPY -> 4500."""
    return Decimal(amount).scaleb(-minor_unit_digits(currency))


# The formatting functions are pure (their arguments say everything, times are aware), and Babel's interval and
# currency formatting costs tens of microseconds a call: a panel draws the same cards again on every visit and live
# refresh, so the most used ones keep their recent answers.
_RECENT = 4096


@lru_cache(maxsize=_RECENT)
def money(amount: int, currency: str, *, code: bool = False, locale: str = DEFAULT_LOCALE) -> str:
    """Minor units as the reader writes money: 4500 EUR -> '€45.00', 4500 JPY -> 'JP¥4,500'. With `code`, the ISO
    code after the number instead of the symbol ('45.00 EUR'), for records that must be unambiguous: receipts,
    payment emails, payment notes, Stripe."""
    iso = currency.upper()
    value = to_major(amount, iso)
    where = _locale(locale)
    if code:
        return cldr_numbers.format_currency(value, iso, format=_code_pattern(where), locale=where,
                                            currency_digits=True)
    return cldr_numbers.format_currency(value, iso, locale=where, currency_digits=True)


def number(value: int, *, locale: str = DEFAULT_LOCALE) -> str:
    """A whole number the reader's way: 2,000 (English), 2000 (Portuguese), 2.000 (German)."""
    return cldr_numbers.format_decimal(value, locale=_locale(locale))


# ---- dates and times ----------------------------------------------------------------------------------------------


def date(value: dt.datetime | dt.date, tz: dt.tzinfo | None = None, *, locale: str = DEFAULT_LOCALE) -> str:
    """Weekday and date, 'Tue 24 Nov 2026': the date everywhere a customer reads one."""
    return _apply('date', value, tz, locale)


def short_date(value: dt.datetime | dt.date, tz: dt.tzinfo | None = None, *, locale: str = DEFAULT_LOCALE) -> str:
    """'24 Nov 2026'."""
    return _apply('short_date', value, tz, locale)


def long_date(value: dt.datetime | dt.date, tz: dt.tzinfo | None = None, *, locale: str = DEFAULT_LOCALE) -> str:
    """'24 November 2026', for documents."""
    return _apply('long_date', value, tz, locale)


def full_date(value: dt.datetime | dt.date, tz: dt.tzinfo | None = None, *, locale: str = DEFAULT_LOCALE) -> str:
    """'Tuesday 24 November 2026' ('terça-feira, 24 de novembro de 2026'): the weekday and month in words."""
    return _apply('full_date', value, tz, locale)


def weekday(value: dt.datetime | dt.date, tz: dt.tzinfo | None = None, *, locale: str = DEFAULT_LOCALE) -> str:
    """'Tue'."""
    return _apply('weekday', value, tz, locale)


def time(value: dt.datetime, tz: dt.tzinfo | None = None, *, locale: str = DEFAULT_LOCALE) -> str:
    """'10:00': the locale's own clock (24-hour in Kairos's English, '10:00 AM' in American English)."""
    return _apply('time', value, tz, locale)


@lru_cache(maxsize=_RECENT)
def time_range(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo | None = None, *,
               locale: str = DEFAULT_LOCALE) -> str:
    """'10:00–10:45': the end's clock even when it falls on the next day."""
    a, b = _local(start, tz), _local(end, tz)
    where = _locale(locale)
    if (a.hour, a.minute) == (b.hour, b.minute):
        return _apply('time', a, None, locale)
    return cldr_dates.format_interval(a.time(), b.time(), _clock_skeleton(locale), locale=where)


@lru_cache(maxsize=_RECENT)
def date_time(value: dt.datetime, tz: dt.tzinfo | None = None, *, style: DateStyle = 'date',
              locale: str = DEFAULT_LOCALE) -> str:
    """A moment, 'Tue 24 Nov 2026, 10:00' (or with the short or long date)."""
    local = _local(value, tz)
    return _glue(_apply(style, local, None, locale), _apply('time', local, None, locale), locale)


@lru_cache(maxsize=_RECENT)
def when(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo | None = None, *, locale: str = DEFAULT_LOCALE) -> str:
    """An appointment's time, 'Tue 24 Nov 2026, 10:00–10:45', dated by its start."""
    a = _local(start, tz)
    return _glue(_apply('date', a, None, locale), time_range(a, end, tz or a.tzinfo, locale=locale), locale)


def zone_label(tz: ZoneInfo, at: dt.datetime) -> str:
    """'Europe/Berlin · CET': the zone's name, and its abbreviation at that moment when it has a real one."""
    abbreviation = at.astimezone(tz).tzname() or ''
    if not abbreviation or abbreviation == tz.key or abbreviation.startswith(('+', '-')):
        return tz.key
    return f'{tz.key} · {abbreviation}'


def duration(value: dt.timedelta, *, locale: str = DEFAULT_LOCALE) -> str:
    """'1 h 15 min': a service's length, its units abbreviated in the reader's language (the catalogs')."""
    minutes = int(value.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        # Translators: a length of time, abbreviated: "1 h 15 min".
        return gettext('%(hours)s h %(minutes)s min', locale=locale, hours=hours, minutes=rest)
    if hours:
        # Translators: a length of time in hours, abbreviated: "2 h".
        return gettext('%(hours)s h', locale=locale, hours=hours)
    # Translators: a length of time in minutes, abbreviated: "45 min".
    return gettext('%(minutes)s min', locale=locale, minutes=rest)


# ---- helpers ------------------------------------------------------------------------------------------------------


@cache
def _locale(tag: str) -> Locale:
    # Parsed once per tag: Locale.parse costs more than the formatting itself.
    return Locale.parse(_CLDR_DATA.get(tag, tag))


def cldr_locale(tag: str) -> Locale:
    """The CLDR data a locale tag formats with (Kairos's English is en_IE's; see the module's docstring), for names
    the functions here do not write (a date picker's month and day names)."""
    return _locale(tag)


@cache
def _pattern(name: str, tag: str) -> cldr_dates.DateTimePattern:
    where = _locale(tag)
    if name == 'time':
        short: cldr_dates.DateTimePattern = where.time_formats['short']
        return short
    if name == 'full_date':  # the locale's own full date: skeletons match an abbreviated weekday in some (es, de)
        full: cldr_dates.DateTimePattern = where.date_formats['full']
        return full
    skeleton = _SKELETONS[name]
    found = skeleton if skeleton in where.datetime_skeletons else cldr_dates.match_skeleton(
        skeleton, where.datetime_skeletons)
    return cldr_dates.parse_pattern(where.datetime_skeletons[found or skeleton])


@cache
def _clock_skeleton(tag: str) -> str:
    """Hours and minutes on the locale's clock: 'Hm' (24-hour) or 'hm' (12-hour)."""
    return 'hm' if 'h' in _pattern('time', tag).pattern else 'Hm'


@cache
def _code_pattern(where: Locale) -> str:
    """The locale's number pattern with the ISO code after it, '#,##0.00 ¤¤'. A plain space, as records have always
    had: a business searching its mailbox for '45.00 EUR' finds it (a no-break space would hide it from many)."""
    number = str(where.currency_formats['standard'].pattern).split(';')[0]
    return number.replace('¤', '').replace('\xa0', '').strip() + ' ¤¤'


def _apply(name: str, value: dt.datetime | dt.date, tz: dt.tzinfo | None, locale: str) -> str:
    if isinstance(value, dt.datetime):
        value = _local(value, tz)
    return _pattern(name, locale).apply(value, _locale(locale))


def _local(value: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    return value.astimezone(tz) if tz is not None else value


def _glue(day: str, clock: str, locale: str) -> str:
    """A date and a time joined the locale's way ('{1}, {0}' in English)."""
    glue = str(_locale(locale).datetime_formats['medium']).replace("'", '')
    return glue.replace('{1}', day).replace('{0}', clock)

"""The one formatter: money in minor units (zero- and three-decimal currencies too), the named date and time formats,
and a locale that changes all of them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services import formatting as fmt

BERLIN, TOKYO = ZoneInfo('Europe/Berlin'), ZoneInfo('Asia/Tokyo')
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
END = START + timedelta(minutes=45)


@pytest.mark.parametrize(('amount', 'currency', 'shown', 'record'), [
    (4500, 'EUR', '€45.00', '45.00 EUR'),
    (4500, 'eur', '€45.00', '45.00 EUR'),
    (5, 'usd', 'US$0.05', '0.05 USD'),
    (123456, 'gbp', '£1,234.56', '1,234.56 GBP'),
    (-500, 'EUR', '-€5.00', '-5.00 EUR'),
    # zero-decimal: the minor unit is the whole yen, won, peso... never divided by 100
    (4500, 'JPY', 'JP¥4,500', '4,500 JPY'),
    (4500, 'jpy', 'JP¥4,500', '4,500 JPY'),
    (15000, 'KRW', '₩15,000', '15,000 KRW'),
    (9990, 'CLP', 'CLP9,990', '9,990 CLP'),
    (250000, 'VND', '₫250,000', '250,000 VND'),
    (5000, 'XOF', 'F\u202fCFA5,000', '5,000 XOF'),
    (30000, 'UGX', 'UGX30,000', '30,000 UGX'),
    # three-decimal: thousandths
    (12345, 'KWD', 'KWD12.345', '12.345 KWD'),
    # counted in hundredths (as Stripe does), shown without them (as CLDR does)
    (450000, 'HUF', 'HUF4,500', '4,500 HUF'),
])
def test_money_in_minor_units(amount: int, currency: str, shown: str, record: str) -> None:
    assert fmt.money(amount, currency) == shown
    assert fmt.money(amount, currency, code=True) == record


@pytest.mark.parametrize('currency', sorted(fmt.ZERO_DECIMAL_CURRENCIES))
def test_both_money_styles_agree_on_every_zero_decimal_currency(currency: str) -> None:
    """Before: the panel's formatter knew four zero-decimal currencies and the receipts' sixteen, so 5000 XOF read
    as 50.00 on a card and 5,000 on its receipt."""
    assert fmt.to_major(5000, currency) == 5000
    assert '5,000' in fmt.money(5000, currency)
    assert fmt.money(5000, currency, code=True) == f'5,000 {currency}'


@pytest.mark.parametrize(('locale', 'shown', 'record'), [
    ('en', '€45.00', '45.00 EUR'),
    ('en_US', '€45.00', '45.00 EUR'),
    ('pt_PT', '45,00\xa0€', '45,00 EUR'),
    ('de', '45,00\xa0€', '45,00 EUR'),
])
def test_money_follows_the_locale(locale: str, shown: str, record: str) -> None:
    assert fmt.money(4500, 'EUR', locale=locale) == shown
    assert fmt.money(4500, 'EUR', code=True, locale=locale) == record


@pytest.mark.parametrize(('name', 'expected'), [
    ('date', 'Tue 24 Nov 2026'),
    ('short_date', '24 Nov 2026'),
    ('long_date', '24 November 2026'),
    ('weekday', 'Tue'),
    ('time', '10:00'),
])
def test_the_named_formats_in_english(name: str, expected: str) -> None:
    assert getattr(fmt, name)(START, BERLIN) == expected


def test_dates_without_a_time_and_moments_in_other_zones() -> None:
    assert fmt.date(date(2026, 11, 24)) == 'Tue 24 Nov 2026'
    assert fmt.date(START, TOKYO) == 'Tue 24 Nov 2026' and fmt.time(START, TOKYO) == '18:00'
    assert fmt.date(datetime(2026, 11, 24, 23, 30, tzinfo=UTC), TOKYO) == 'Wed 25 Nov 2026'


def test_moments_and_appointments() -> None:
    assert fmt.date_time(START, BERLIN) == 'Tue 24 Nov 2026, 10:00'
    assert fmt.date_time(START, BERLIN, style='long_date') == '24 November 2026, 10:00'
    assert fmt.date_time(START, BERLIN, style='short_date') == '24 Nov 2026, 10:00'
    assert fmt.time_range(START, END, BERLIN) == '10:00–10:45'
    assert fmt.when(START, END, BERLIN) == 'Tue 24 Nov 2026, 10:00–10:45'
    late = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)  # 23:30 in Berlin, over midnight
    assert fmt.when(late, late + timedelta(minutes=45), BERLIN) == 'Tue 24 Nov 2026, 23:30–00:15'


@pytest.mark.parametrize(('locale', 'when', 'long_date'), [
    ('en_US', 'Tue, Nov 24, 2026, 10:00\u2009–\u200910:45\u202fAM', 'November 24, 2026'),
    ('pt_PT', 'terça, 24/11/2026, 10:00\u2009–\u200910:45', '24 de novembro de 2026'),
    ('de', 'Di., 24. Nov. 2026, 10:00–10:45 Uhr', '24. November 2026'),
    ('es', 'mar, 24 nov 2026, 10:00–10:45', '24 de noviembre de 2026'),
])
def test_dates_follow_the_locale(locale: str, when: str, long_date: str) -> None:
    assert fmt.when(START, END, BERLIN, locale=locale) == when
    assert fmt.long_date(START, BERLIN, locale=locale) == long_date


def test_arabic_names_its_days_and_months_from_cldr() -> None:
    assert fmt.date(START, BERLIN, locale='ar') == 'الثلاثاء، 24 نوفمبر 2026'


@pytest.mark.parametrize(('zone', 'at', 'label'), [
    ('Europe/Berlin', START, 'Europe/Berlin · CET'),
    ('Europe/Berlin', datetime(2026, 7, 1, tzinfo=UTC), 'Europe/Berlin · CEST'),
    ('America/Sao_Paulo', START, 'America/Sao_Paulo'),  # '-03' is no name
    ('UTC', START, 'UTC'),
])
def test_zone_labels(zone: str, at: datetime, label: str) -> None:
    assert fmt.zone_label(ZoneInfo(zone), at) == label


@pytest.mark.parametrize(('minutes', 'text'), [(45, '45 min'), (60, '1 h'), (75, '1 h 15 min')])
def test_durations(minutes: int, text: str) -> None:
    assert fmt.duration(timedelta(minutes=minutes)) == text

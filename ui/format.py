"""How dates, times and money read for a customer."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_SYMBOLS = {'EUR': '€', 'USD': '$', 'GBP': '£', 'JPY': '¥', 'CHF': 'CHF '}
_ZERO_DECIMAL = {'JPY', 'KRW', 'VND', 'CLP'}


def money(amount: int, currency: str) -> str:
    """Minor units to a readable amount: 4500 EUR -> €45.00."""
    symbol = _SYMBOLS.get(currency.upper(), currency.upper() + ' ')
    if currency.upper() in _ZERO_DECIMAL:
        return f'{symbol}{amount:,}'
    return f'{symbol}{amount / 100:,.2f}'


def day(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime('%a %-d %b %Y')


def clock(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime('%H:%M')


def when(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'Tue 24 Nov 2026, 10:00–10:45' in the given zone."""
    return f'{day(start, tz)}, {clock(start, tz)}–{clock(end, tz)}'


def zone_label(tz: ZoneInfo, at: datetime) -> str:
    abbreviation = at.astimezone(tz).strftime('%Z')
    if not abbreviation or abbreviation == tz.key or abbreviation.startswith(('+', '-')):
        return tz.key
    return f'{tz.key} · {abbreviation}'


def duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f'{hours} h {rest} min'
    if hours:
        return f'{hours} h'
    return f'{rest} min'

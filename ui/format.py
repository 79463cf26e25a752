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


# English names, as the rest of the panel reads; spelled out rather than strftime's, which follow the process locale
# and cost several times more (the cards format three times per appointment on every view).
_DAYS = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')
_MONTHS = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')


def _day(local: datetime) -> str:
    return f'{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}'


def _clock(local: datetime) -> str:
    return f'{local.hour:02d}:{local.minute:02d}'


def day(value: datetime, tz: ZoneInfo) -> str:
    """'Tue 24 Nov 2026' in the given zone."""
    return _day(value.astimezone(tz))


def clock(value: datetime, tz: ZoneInfo) -> str:
    """'10:00' in the given zone."""
    return _clock(value.astimezone(tz))


def when(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'Tue 24 Nov 2026, 10:00–10:45' in the given zone."""
    local = start.astimezone(tz)
    return f'{_day(local)}, {_clock(local)}–{_clock(end.astimezone(tz))}'


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

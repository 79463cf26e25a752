"""An appointment's history in words: what the timeline shows for each entry of `domain.history`, with times and
amounts in the reader's locale (`services.formatting`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain import payments as dp
from domain.history import (
    BOOKED,
    CONFIRMED,
    HELD_WORDS,
    PAID,
    PAYMENT_FAILED,
    PAYMENT_HELD,
    REFUNDED,
    RESCHEDULED,
    STAFF_CHANGED,
    STATUS_CHANGED,
    reason_words,
)
from domain.i18n import Overrides, Said, label, lazy
from domain.model import HistoryEntry
from services import formatting as fmt
from services.i18n import render


@dataclass(frozen=True, slots=True)
class Words:
    title: str
    body: str


def describe(entry: HistoryEntry, *, tz: ZoneInfo, status_labels: Mapping[str, str], duration: timedelta,
             locale: str = fmt.DEFAULT_LOCALE, overrides: Overrides | None = None) -> Words:
    """What the entry says to the customer, in `locale`: a title and a body (lines), times in `tz`, statuses by the
    business's current names (`status_labels`, key -> label; a default label in the reader's language);
    `duration` dates the ends of a move."""
    data = entry.data

    def say(text: Said) -> str:
        return render(text, locale=locale, overrides=overrides)

    def status(key: str) -> str:
        gone = data.get('from_label') if key == data.get('from') else None  # a status merged away: its old name
        return say(label(status_labels.get(key) or str(gone or '') or key.replace('-', ' ').capitalize()))

    why = reason_words(data)
    reason = say(lazy('Reason: %(reason)s', reason=why)) if why else ''
    if entry.action == BOOKED:
        return Words(say(lazy('Booked')),
                     say(lazy('Status: %(status)s', status=status(data['status']))) if data.get('status') else '')
    if entry.action == STATUS_CHANGED:
        return Words(f'{status(data.get("from", ""))} → {status(data.get("to", ""))}', reason)
    if entry.action == RESCHEDULED:
        before, after = (_when(str(data.get(end, '')), tz, duration, locale) for end in ('from', 'to'))
        moved = f'{before} → {after}'
        return Words(say(lazy('Rescheduled')), f'{moved}\n{reason}'.strip())
    if entry.action == CONFIRMED:
        return Words(say(lazy('Visit confirmed')), say(lazy('Confirmed from the reminder email.')))
    if entry.action == STAFF_CHANGED:
        return Words(say(lazy('Staff changed')), f'{data.get("from", "")} → {data.get("to", "")}')
    if entry.action == REFUNDED:
        amount = (fmt.money(int(data['amount']), str(data['currency']), code=True, locale=locale)
                  if 'amount' in data and data.get('currency') else '')
        return Words(say(lazy('Refund')), say(lazy('%(amount)s refunded.', amount=amount)) if amount else '')
    if entry.action in (PAID, PAYMENT_FAILED, PAYMENT_HELD):
        return Words(say(lazy('Payment')),
                     ' · '.join(say(p) for p in _payment_words(entry.action, data, locale) if p))
    parts = (data.get('from', ''), data.get('to', ''), data.get('text', ''))
    return Words(say(lazy('Note')), ' · '.join(str(p) for p in parts if p))


def _payment_words(action: str, data: Mapping[str, Any], locale: str) -> tuple[Said, Said]:
    amount = (fmt.money(int(data['amount']), str(data['currency']), code=True, locale=locale)
              if 'amount' in data and data.get('currency') else '')
    card = data.get('method') == dp.CARD
    if action == PAID:
        to = str(data.get('to', ''))
        state: Said = next((words for key, words in dp.STATUS_LABELS.items() if key.value == to), '')
        if not amount:
            return state, ''
        if not data.get('method'):
            return state, lazy('%(amount)s received.', amount=amount)
        return state, (lazy('Card payment of %(amount)s received.', amount=amount) if card
                       else lazy('Payment in person of %(amount)s received.', amount=amount))
    if action == PAYMENT_FAILED:
        if not amount:
            return dp.NOT_COMPLETED, ''
        return dp.NOT_COMPLETED, (lazy('Card payment of %(amount)s did not go through.', amount=amount) if card
                                  else lazy('Payment in person of %(amount)s did not go through.', amount=amount))
    return dp.HELD_FOR_REVIEW, HELD_WORDS.get(str(data.get('cause', '')), '')


def _when(value: str, tz: ZoneInfo, duration: timedelta, locale: str) -> str:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return value
    if start.tzinfo is None:
        return value
    return fmt.when(start, start + duration, tz, locale=locale)

"""History entries hold data, and one function says them in words: every action, as the timeline reads it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain import history as dh
from domain.model import HistoryEntry
from services import history_words
from tests.support.words import en

AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo('Europe/Berlin')
LABELS = {'approved': 'Approved', 'pending': 'Pending', 'canceled': 'Canceled'}
HOUR = timedelta(minutes=45)

ENTRIES = [
    pytest.param(dh.booked(at=AT, actor='customer', status='pending'),
                 {'status': 'pending'}, ('Booked', 'Status: Pending'), id='booked'),
    pytest.param(dh.status_changed(at=AT, actor='customer', from_status='approved', to_status='canceled',
                                   reason='Flu'),
                 {'from': 'approved', 'to': 'canceled', 'reason': 'Flu'}, ('Approved → Canceled', 'Reason: Flu'),
                 id='status_changed with a reason'),
    pytest.param(dh.status_changed(at=AT, actor='system', from_status='approved', to_status='pending',
                                   cause=dh.AWAITS_CONFIRMATION),
                 {'from': 'approved', 'to': 'pending', 'cause': 'awaits_confirmation'},
                 ('Approved → Pending', 'Reason: The new time waits for the business to confirm it.'),
                 id='status_changed by the system'),
    pytest.param(dh.status_changed(at=AT, actor='customer', from_status='pending', to_status='no-show'),
                 {'from': 'pending', 'to': 'no-show'}, ('Pending → No show', ''), id='status_changed, unknown key'),
    pytest.param(dh.rescheduled(at=AT, actor='customer', from_start=START, to_start=START + timedelta(days=1),
                                reason='Train strike'),
                 {'from': '2026-11-26T09:00:00+00:00', 'to': '2026-11-27T09:00:00+00:00', 'reason': 'Train strike'},
                 ('Rescheduled', 'Thu 26 Nov 2026, 10:00–10:45 → Fri 27 Nov 2026, 10:00–10:45\nReason: Train strike'),
                 id='rescheduled'),
    pytest.param(dh.staff_changed(at=AT, actor='customer', from_staff='Mia Wong', to_staff='Leo Park'),
                 {'from': 'Mia Wong', 'to': 'Leo Park'}, ('Staff changed', 'Mia Wong → Leo Park'), id='staff_changed'),
    pytest.param(dh.paid(at=AT, actor='system', amount=4500, currency='eur', method='card', from_status='unpaid',
                         to_status='paid'),
                 {'amount': 4500, 'currency': 'EUR', 'method': 'card', 'from': 'unpaid', 'to': 'paid'},
                 ('Payment', 'Paid · Card payment of 45.00 EUR received.'), id='paid by card'),
    pytest.param(dh.paid(at=AT, actor='system', amount=1000, currency='EUR', method='cash', from_status='unpaid',
                         to_status='deposit_paid'),
                 {'amount': 1000, 'currency': 'EUR', 'method': 'cash', 'from': 'unpaid', 'to': 'deposit_paid'},
                 ('Payment', 'Deposit paid · Payment in person of 10.00 EUR received.'), id='paid in person'),
    pytest.param(dh.paid(at=AT, actor='system', amount=4500, currency='JPY', method='card', from_status='unpaid',
                         to_status='paid'),
                 {'amount': 4500, 'currency': 'JPY', 'method': 'card', 'from': 'unpaid', 'to': 'paid'},
                 ('Payment', 'Paid · Card payment of 4,500 JPY received.'), id='paid in yen'),
    pytest.param(dh.payment_failed(at=AT, actor='system', amount=4500, currency='EUR', method='card'),
                 {'amount': 4500, 'currency': 'EUR', 'method': 'card'},
                 ('Payment', 'Not completed · Card payment of 45.00 EUR did not go through.'), id='payment_failed'),
    pytest.param(dh.payment_held(at=AT, actor='system', amount=4500, currency='EUR', method='card',
                                 cause=dh.ALREADY_PAID),
                 {'amount': 4500, 'currency': 'EUR', 'method': 'card', 'cause': 'already_paid'},
                 ('Payment', 'Held for review · A second payment arrived for a balance already paid; the business '
                             'will refund it.'), id='payment_held'),
    pytest.param(dh.note(at=AT, actor='staff', text='Called to confirm'), {'text': 'Called to confirm'},
                 ('Note', 'Called to confirm'), id='note'),
]


@pytest.mark.parametrize(('entry', 'data', 'words'), ENTRIES)
def test_each_action_stores_values_and_reads_as_words(entry: HistoryEntry, data: dict, words: tuple) -> None:
    assert entry.data == data
    said = history_words.describe(entry, tz=BERLIN, status_labels=LABELS, duration=HOUR)
    assert (said.title, said.body) == words


@pytest.mark.parametrize(('entry', 'data', 'words'), ENTRIES)
def test_each_action_survives_a_trip_through_json(entry: HistoryEntry, data: dict, words: tuple) -> None:
    """What the database's JSON column holds gives back the same entry."""
    back = HistoryEntry(at=entry.at, actor=entry.actor, action=entry.action,
                        data=json.loads(json.dumps(entry.data)))
    assert back == entry
    assert entry.action in dh.ACTIONS


def test_the_business_renaming_a_status_renames_it_in_the_history_too() -> None:
    entry = dh.status_changed(at=AT, actor='staff', from_status='pending', to_status='approved')
    said = history_words.describe(entry, tz=BERLIN, status_labels={'pending': 'Requested', 'approved': 'Confirmed'},
                       duration=HOUR)
    assert said.title == 'Requested → Confirmed'


@pytest.mark.parametrize(('actor', 'words'), [('customer', 'by you'), ('staff', 'by the staff'),
                                              ('admin', 'by the business'), ('system', 'automatically')])
def test_who_did_it(actor: str, words: str) -> None:
    assert en(dh.actor_words(actor)) == en(words)


@pytest.mark.parametrize(('actor', 'words'), [('customer', 'by the customer'), ('staff', 'by the staff'),
                                              ('admin', 'by the business'), ('system', 'automatically')])
def test_who_did_it_as_the_business_reads_it(actor: str, words: str) -> None:
    assert en(dh.actor_words(actor, reader=dh.ADMIN)) == en(words)


@pytest.mark.parametrize(('reason', 'cause', 'words'), [
    ('Feeling ill', '', 'Feeling ill'),
    ('', dh.ACCOUNT_CLOSED, 'The customer closed their account.'),
    ('Typed', dh.ACCOUNT_CLOSED, 'Typed'),  # what a person wrote wins
    ('', '', ''),
])
def test_the_why_of_a_change_for_its_email(reason: str, cause: str, words: str) -> None:
    assert en(dh.change_reason(reason=reason, cause=cause)) == en(words)


def test_times_are_stored_in_utc_whatever_zone_they_came_in() -> None:
    entry = dh.rescheduled(at=AT, actor='customer', from_start=START.astimezone(BERLIN),
                           to_start=START.astimezone(ZoneInfo('Asia/Tokyo')))
    assert entry.data == {'from': '2026-11-26T09:00:00+00:00', 'to': '2026-11-26T09:00:00+00:00'}
    with pytest.raises(ValueError):
        dh.rescheduled(at=AT, actor='customer', from_start=START.replace(tzinfo=None), to_start=START)

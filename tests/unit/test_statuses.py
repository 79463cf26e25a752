"""Statuses are read by their role: renamed or added statuses keep the rules working; and what time may be booked."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain import rules
from domain import statuses as st
from domain.model import DEFAULT_STATUSES, Appointment, Service, Staff, Status, StatusRole
from tests.support.words import en

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BERLIN = ZoneInfo('Europe/Berlin')
R = StatusRole


def status(key: str, role: StatusRole = R.OTHER, *, busy: bool = True) -> Status:
    return Status(key=key, label=key.capitalize(), color='#000000', icon='label', busy=busy, role=role)


# A business that renamed every status and added one of its own: the same rules, other words.
RENAMED = (
    status('checked-in', R.OTHER),
    status('awaiting', R.NEW_BOOKING),
    status('confirmed', R.CONFIRMED),
    status('called-off', R.CUSTOMER_CANCEL, busy=False),
    status('declined', R.REJECTED, busy=False),
    status('absent', R.NO_SHOW),
)


@pytest.mark.parametrize(('statuses', 'expected'), [
    (DEFAULT_STATUSES, 'pending'),
    (RENAMED, 'awaiting'),
    ((status('free', busy=False), status('booked'), status('also-booked')), 'booked'),  # no role: the first busy one
    ((status('waiting', R.NEW_BOOKING, busy=False), status('booked')), 'booked'),  # a role that would free the slot
    ((status('free', busy=False),), None),  # nothing holds a slot: no online bookings
])
def test_a_new_booking_gets_the_new_booking_status_if_it_holds_the_slot(statuses: tuple[Status, ...],
                                                                        expected: str | None) -> None:
    found = st.new_booking_status(statuses)
    assert (found.key if found else None) == expected


@pytest.mark.parametrize(('statuses', 'expected'), [
    (DEFAULT_STATUSES, 'canceled'),
    (RENAMED, 'called-off'),
    ((status('booked'), status('gone', busy=False), status('off', busy=False)), 'gone'),  # no role: first free one
    ((status('booked'),), None),
])
def test_a_cancel_sets_the_customer_cancel_status_else_the_first_that_frees_the_slot(
        statuses: tuple[Status, ...], expected: str | None) -> None:
    found = st.freeing_status(statuses)
    assert (found.key if found else None) == expected


@pytest.mark.parametrize(('role', 'busy', 'completes'), [
    (R.NEW_BOOKING, True, True), (R.CONFIRMED, True, True), (R.OTHER, True, True),
    (R.NO_SHOW, True, False), (R.CUSTOMER_CANCEL, False, False), (R.REJECTED, False, False), (R.OTHER, False, False),
])
def test_a_visit_is_completed_when_it_held_its_slot_and_was_not_a_no_show(role: StatusRole, busy: bool,
                                                                          completes: bool) -> None:
    s = status('any', role, busy=busy)
    assert s.completes is completes
    start = NOW - timedelta(hours=3)
    appt = Appointment(id=1, customer_id=1, service=Service(id=1, name='Cut'), staff=Staff(id=1, name='Ana'),
                       location=None, start=start, end=start + timedelta(hours=1), status=s, price=0)
    assert appt.is_completed(NOW) is completes
    assert replace(appt, start=NOW + timedelta(hours=1), end=NOW + timedelta(hours=2)).is_completed(NOW) is False


@pytest.mark.parametrize(('role', 'tentative'), [(R.NEW_BOOKING, True), (R.CONFIRMED, False), (R.OTHER, False)])
def test_only_the_new_booking_status_awaits_confirmation(role: StatusRole, tentative: bool) -> None:
    assert st.awaits_confirmation(status('x', role)) is tentative


def test_the_default_statuses_are_sound_and_each_plays_its_role() -> None:
    assert st.status_problems(DEFAULT_STATUSES) == []
    assert st.status_problems(RENAMED) == []
    assert {s.key: s.role for s in DEFAULT_STATUSES} == {
        'pending': R.NEW_BOOKING, 'approved': R.CONFIRMED, 'canceled': R.CUSTOMER_CANCEL, 'rejected': R.REJECTED,
        'no-show': R.NO_SHOW}
    assert st.busy_keys(DEFAULT_STATUSES) == {'pending', 'approved', 'no-show'}


@pytest.mark.parametrize(('statuses', 'problems'), [
    ((status('a', R.NEW_BOOKING), status('b', R.NEW_BOOKING)),
     ['Only one status can have the role new_booking: a, b.']),
    ((status('a', R.NO_SHOW), status('b', R.NO_SHOW), status('c', R.CONFIRMED), status('d', R.CONFIRMED)),
     ['Only one status can have the role no_show: a, b.']),  # confirmed may be shared
    ((status('a'), status('a')), ['Status keys must be unique: a.']),
    ((status(''),), ['Every status needs a key.']),
    ((status('wait', R.NEW_BOOKING, busy=False),), ['The status new bookings get (wait) must occupy the slot.']),
    ((status('off', R.CUSTOMER_CANCEL),), ['The status a customer cancel sets (off) must free the slot.']),
])
def test_an_unsound_list_of_statuses_says_what_is_wrong(statuses: tuple[Status, ...], problems: list[str]) -> None:
    assert [str(p) for p in st.status_problems(statuses)] == problems


# ---- what time may be booked -----------------------------------------------------------------------------------

SERVICE = Service(id=1, name='Cut', capacity=6, min_notice=timedelta(hours=1), max_days_ahead=60)


@pytest.mark.parametrize(('start', 'seats', 'reason'), [
    (NOW + timedelta(hours=2), 1, None),
    (NOW + timedelta(hours=1), 6, None),  # exactly the notice, every seat
    (NOW + timedelta(hours=2), 0, 'Please book at least one seat.'),
    (NOW, 1, 'That time has already passed. Please pick another.'),
    (NOW - timedelta(minutes=5), 1, 'That time has already passed. Please pick another.'),
    (NOW + timedelta(minutes=59), 1, 'This service needs 60 minutes notice. Please pick a later time.'),
    (NOW + timedelta(hours=2), 7, 'At most 6 seats can be booked at one time.'),
    # 60 days ahead in Berlin's calendar is allowed, 61 is not (Berlin's day, not UTC's, counts)
    (datetime(2027, 1, 22, 22, 30, tzinfo=UTC), 1, None),
    (datetime(2027, 1, 22, 23, 30, tzinfo=UTC), 1, 'This service can be booked at most 60 days ahead.'),
])
def test_a_time_may_be_booked_ahead_with_notice_within_the_seats_and_the_horizon(start: datetime, seats: int,
                                                                                 reason: str | None) -> None:
    assert en(rules.why_not_book_at(SERVICE, start=start, now=NOW, seats=seats, zone=BERLIN)) == en(reason)


def test_one_seat_of_a_single_service_is_said_in_the_singular() -> None:
    single = replace(SERVICE, capacity=1)
    assert en(rules.why_not_book_at(single, start=NOW + timedelta(hours=2), now=NOW, seats=2, zone=BERLIN)) == (
        'At most 1 seat can be booked at one time.')


# ---- no code reads a status by its key -------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_KEYS = {s.key for s in DEFAULT_STATUSES}


def _status_key_comparisons(path: Path) -> list[str]:
    """Comparisons of something named like a status with one of the default keys written out."""
    tree = ast.parse(path.read_text(encoding='utf-8'))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        literals = {n.value for side in sides for n in ast.walk(side)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        names = ' '.join(ast.unparse(side) for side in sides).lower()
        if literals & DEFAULT_KEYS and ('status' in names or 'key' in names):
            found.append(f'{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}')
    return found


def test_no_code_compares_a_status_with_a_key_written_out() -> None:
    sources = [p for layer in ('domain', 'storage', 'services', 'ui') for p in (ROOT / layer).rglob('*.py')
               if 'migrations' not in p.parts]
    assert sources
    assert [hit for p in sources for hit in _status_key_comparisons(p)] == []


# ---- the business edits its statuses -------------------------------------------------------------------------------

@pytest.mark.parametrize(('label', 'taken', 'key'), [
    ('Checked in', (), 'checked-in'),
    ('Checked in', ('checked-in',), 'checked-in-2'),
    ('Checked in', ('checked-in', 'checked-in-2'), 'checked-in-3'),
    ('Não compareceu', (), 'nao-compareceu'),
    ('حضر', (), 'status'),  # nothing of it in ASCII: a plain key, the label stays the business's
    ('  --VIP!!  ', (), 'vip'),
])
def test_a_new_status_key_is_made_once_from_its_label(label: str, taken: tuple[str, ...], key: str) -> None:
    assert st.key_for(label, taken) == key


@pytest.mark.parametrize(('changes', 'fields'), [
    ({}, set()),
    ({'label': ''}, {'label'}),
    ({'label': '   '}, {'label'}),
    ({'label': 'x' * 41}, {'label'}),
    ({'label': 'Can\u202eceled'}, {'label'}),  # a bidi override would make the badge read otherwise
    ({'labels': {'de': 'x' * 41, 'xx': 'Nope'}}, {'label_de', 'label_xx'}),
    ({'labels': {'de': ''}}, set()),  # no German label: the default shows
    ({'color': 'red'}, {'color'}),
    ({'icon': 'check circle'}, {'icon'}),
    ({'icon': ''}, {'icon'}),
])
def test_each_field_of_a_status_is_checked(changes: dict, fields: set[str]) -> None:
    assert set(st.status_field_problems(replace(status('ok'), **changes))) == fields


def test_a_business_keeps_at_least_one_status() -> None:
    assert [str(p) for p in st.status_problems(())] == ['A business needs at least one status.']


def test_a_new_order_names_every_status_once() -> None:
    statuses = (status('a'), status('b'), status('c'))
    assert st.order_problem(statuses, ['c', 'a', 'b']) is None
    assert [s.key for s in st.reordered(statuses, ['c', 'a', 'b'])] == ['c', 'a', 'b']
    assert st.order_problem(statuses, ['c', 'a']) is not None
    assert st.order_problem(statuses, ['c', 'a', 'a']) is not None
    assert st.order_problem(statuses, ['c', 'a', 'b', 'd']) is not None


@pytest.mark.parametrize(('source', 'target', 'ok'), [
    ('canceled', 'rejected', True),
    ('canceled', 'canceled', False),
    ('canceled', 'gone', False),
    ('gone', 'canceled', False),
])
def test_a_status_merges_into_another_of_the_business(source: str, target: str, ok: bool) -> None:
    assert (st.merge_problem(DEFAULT_STATUSES, source, target) is None) is ok

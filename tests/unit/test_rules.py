"""The business's rules as tables: every status x every time window x the settings that change the answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain import rules
from domain.availability import Booking
from domain.model import DEFAULT_STATUSES, Appointment, Location, Service, Staff, Status
from domain.settings import PanelSettings, SettingsError
from tests.support.words import en

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
STATUS = {s.key: s for s in DEFAULT_STATUSES}
KEYS = ('pending', 'approved', 'canceled', 'rejected', 'no-show')

# Defaults: changes close 60 minutes before, rescheduling 120 minutes before, from pending or approved;
# customers may cancel a pending or approved appointment.
DEFAULT = PanelSettings()

# How long before the start `now` is, per window name (the appointment lasts an hour).
WINDOWS = {
    'days ahead': timedelta(days=3),
    '121 min ahead': timedelta(minutes=121),
    '120 min ahead': timedelta(minutes=120),  # exactly at the reschedule limit: closed
    '61 min ahead': timedelta(minutes=61),
    '60 min ahead': timedelta(minutes=60),  # exactly at the change limit: closed
    '1 min ahead': timedelta(minutes=1),
    'started': timedelta(minutes=-10),
    'over': timedelta(hours=-2),
}

OK = None
ONLY = 'Only pending or approved appointments can be rescheduled online.'
R_CLOSED = 'Rescheduling closes 2 hours before the start.'
C_CLOSED = 'Changes close 60 minutes before the start.'
STARTED = 'This appointment has already started, so it can no longer be changed.'
OVER = 'This appointment is over, so it can no longer be changed.'


def appt(status: str = 'approved', window: str = 'days ahead', *, count: int = 0, price: int = 5000, paid: int = 0,
         capacity: int = 1, seats: int = 1, buffer: int = 0) -> Appointment:
    start = NOW + WINDOWS[window]
    service = Service(id=1, name='Cut', capacity=capacity, buffer_before=timedelta(minutes=buffer),
                      buffer_after=timedelta(minutes=buffer))
    return Appointment(id=7, customer_id=1, service=service, staff=Staff(id=3, name='Ana'),
                       location=Location(id=1, name='Main'), start=start, end=start + timedelta(hours=1),
                       status=STATUS[status], price=price, amount_paid=paid, seats=seats, reschedule_count=count)


# ---- reschedule: status x window, default settings ----------------------------------------------------------------

RESCHEDULE_MATRIX = {
    #                pending    approved   canceled rejected no-show
    'days ahead':    (OK,       OK,        ONLY,    ONLY,    ONLY),
    '121 min ahead': (OK,       OK,        ONLY,    ONLY,    ONLY),
    '120 min ahead': (R_CLOSED, R_CLOSED,  ONLY,    ONLY,    ONLY),
    '61 min ahead':  (R_CLOSED, R_CLOSED,  ONLY,    ONLY,    ONLY),
    '60 min ahead':  (C_CLOSED, C_CLOSED,  ONLY,    ONLY,    ONLY),
    '1 min ahead':   (C_CLOSED, C_CLOSED,  ONLY,    ONLY,    ONLY),
    'started':       (STARTED,  STARTED,   STARTED, STARTED, STARTED),
    'over':          (OVER,     OVER,      OVER,    OVER,    OVER),
}


@pytest.mark.parametrize(('window', 'status', 'expected'), [
    (w, k, row[i]) for w, row in RESCHEDULE_MATRIX.items() for i, k in enumerate(KEYS)
])
def test_reschedule_by_status_and_window(window: str, status: str, expected: str | None) -> None:
    assert en(rules.why_not_reschedule(appt(status, window), DEFAULT, now=NOW)) == en(expected)


@pytest.mark.parametrize(('settings', 'status', 'window', 'count', 'expected'), [
    (replace(DEFAULT, reschedule_enabled=False), 'approved', 'days ahead', 0,
     'This business does not offer rescheduling online.'),
    (replace(DEFAULT, reschedule_from_statuses=('pending',)), 'approved', 'days ahead', 0,
     'Only pending appointments can be rescheduled online.'),
    (replace(DEFAULT, reschedule_from_statuses=()), 'pending', 'days ahead', 0,
     'This business does not offer rescheduling online.'),
    (replace(DEFAULT, reschedule_from_statuses=('pending', 'approved', 'no-show')), 'no-show', 'days ahead', 0, OK),
    # Its own limit shorter than the general one: the general one still closes every change.
    (replace(DEFAULT, reschedule_closes_minutes=30), 'approved', '61 min ahead', 0, OK),
    (replace(DEFAULT, reschedule_closes_minutes=30), 'approved', '60 min ahead', 0, C_CLOSED),
    (replace(DEFAULT, reschedule_closes_minutes=1440), 'approved', '121 min ahead', 0,
     'Rescheduling closes 1 day before the start.'),
    (replace(DEFAULT, change_closes_minutes=0, reschedule_closes_minutes=0), 'approved', '1 min ahead', 0, OK),
    (replace(DEFAULT, change_closes_minutes=0, reschedule_closes_minutes=0), 'approved', 'started', 0, STARTED),
    # Quota: 0 means no limit.
    (DEFAULT, 'approved', 'days ahead', 25, OK),
    (replace(DEFAULT, reschedule_quota=1), 'approved', 'days ahead', 0, OK),
    (replace(DEFAULT, reschedule_quota=1), 'approved', 'days ahead', 1,
     'An appointment can be rescheduled at most once; this one already was.'),
    (replace(DEFAULT, reschedule_quota=3), 'approved', 'days ahead', 2, OK),
    (replace(DEFAULT, reschedule_quota=3), 'pending', 'days ahead', 3,
     'An appointment can be rescheduled at most 3 times; this one already was.'),
])
def test_reschedule_settings(settings: PanelSettings, status: str, window: str, count: int,
                             expected: str | None) -> None:
    assert en(rules.why_not_reschedule(appt(status, window, count=count), settings, now=NOW)) == en(expected)


@pytest.mark.parametrize(('count', 'needs'), [(0, False), (1, True), (4, True)])
def test_a_reason_is_asked_after_the_first_reschedule(count: int, needs: bool) -> None:
    assert rules.reschedule_needs_reason(appt(count=count)) is needs


@pytest.mark.parametrize(('setting', 'status', 'expected'), [
    ('keep', 'approved', 'approved'), ('keep', 'pending', 'pending'),
    ('pending', 'approved', 'pending'), ('approved', 'pending', 'approved'),
])
def test_status_after_reschedule(setting: str, status: str, expected: str) -> None:
    settings = replace(DEFAULT, status_after_reschedule=setting)
    assert rules.status_after_reschedule(appt(status), settings) == expected


# ---- status change: may the drawer open, and which targets, per status x window ----------------------------------

CANT = 'An appointment that is {} cannot be changed online.'
X_CAN, X_REJ, X_NS = (CANT.format(k) for k in ('canceled', 'rejected', 'no-show'))
#: window -> per status: the reason Change status is closed, or the keys the customer may choose.
STATUS_MATRIX = {
    #                pending        approved      canceled  rejected  no-show
    'days ahead':    (['canceled'], ['canceled'], X_CAN,    X_REJ,    X_NS),
    '61 min ahead':  (['canceled'], ['canceled'], X_CAN,    X_REJ,    X_NS),
    '60 min ahead':  (C_CLOSED,     C_CLOSED,     C_CLOSED, C_CLOSED, C_CLOSED),
    'started':       (STARTED,      STARTED,      STARTED,  STARTED,  STARTED),
    'over':          (OVER,         OVER,         OVER,     OVER,     OVER),
}


@pytest.mark.parametrize(('window', 'status', 'expected'), [
    (w, k, row[i]) for w, row in STATUS_MATRIX.items() for i, k in enumerate(KEYS)
])
def test_status_change_by_status_and_window(window: str, status: str, expected: str | list[str]) -> None:
    a = appt(status, window)
    reason = rules.why_not_change_status(a, DEFAULT, now=NOW, statuses=DEFAULT_STATUSES)
    targets = [s.key for s in rules.allowed_targets(a, DEFAULT, DEFAULT_STATUSES, now=NOW)]
    if isinstance(expected, list):
        assert reason is None
        assert targets == expected
    else:
        assert en(reason) == en(expected)
        assert targets == []


BUSY_BACK = {'canceled': ('pending', 'approved'), 'pending': ('canceled',)}


@pytest.mark.parametrize(('settings', 'status', 'target', 'expected'), [
    (DEFAULT, 'approved', 'canceled', OK),
    (DEFAULT, 'pending', 'rejected',
     'An appointment that is pending cannot be set to rejected online.'),
    (DEFAULT, 'canceled', 'canceled', 'The appointment is already canceled.'),
    (replace(DEFAULT, status_change_enabled=False), 'approved', 'canceled',
     'This business does not offer status changes online.'),
    # A busy target listed in the transitions still needs the explicit confirmation.
    (replace(DEFAULT, status_transitions={'approved': ('pending',)}), 'pending', 'approved',
     'Only the business can set an appointment to approved.'),
    (replace(DEFAULT, status_transitions={'approved': ('pending',)}, allow_busy_targets=True), 'pending', 'approved',
     OK),
    (replace(DEFAULT, status_transitions=BUSY_BACK), 'canceled', 'pending',
     'Only the business can set an appointment to pending.'),
    (replace(DEFAULT, status_transitions=BUSY_BACK, allow_busy_targets=True), 'canceled', 'pending', OK),
    (replace(DEFAULT, status_transitions=BUSY_BACK, allow_busy_targets=True), 'canceled', 'approved',
     'An appointment that is canceled cannot be set to approved online.'),
    (replace(DEFAULT, change_closes_minutes=3 * 24 * 60), 'approved', 'canceled',
     'Changes close 3 days before the start.'),
])
def test_set_status_settings(settings: PanelSettings, status: str, target: str, expected: str | None) -> None:
    assert en(rules.why_not_set_status(appt(status), STATUS[target], settings, now=NOW)) == en(expected)


def test_change_status_without_statuses_counts_busy_targets_only_by_transitions() -> None:
    only_busy = replace(DEFAULT, status_transitions={'approved': ('pending',)})
    a = appt('pending')
    # The cards ask without statuses first; the drawer's targets then leave the busy one out.
    assert rules.why_not_change_status(a, only_busy, now=NOW) is None
    assert en(rules.why_not_change_status(a, only_busy, now=NOW, statuses=DEFAULT_STATUSES)) == CANT.format('pending')
    assert rules.allowed_targets(a, only_busy, DEFAULT_STATUSES, now=NOW) == []


@pytest.mark.parametrize(('status', 'target', 'needs'), [
    ('canceled', 'pending', True), ('rejected', 'approved', True), ('pending', 'approved', False),
    ('approved', 'canceled', False), ('canceled', 'rejected', False),
])
def test_only_a_move_from_free_to_busy_rechecks_the_slot(status: str, target: str, needs: bool) -> None:
    assert rules.needs_slot_check(appt(status), STATUS[target]) is needs


# ---- the slot is still free? ------------------------------------------------------------------------------------


def booking(minutes_after: int, *, service_id: int = 2, seats: int = 1, staff_id: int = 3, length: int = 60,
            buffer: int = 0, appointment_id: int = 99) -> Booking:
    start = NOW + WINDOWS['days ahead'] + timedelta(minutes=minutes_after)
    return Booking(staff_id=staff_id, start=start, end=start + timedelta(minutes=length), service_id=service_id,
                   seats=seats, buffer_before=timedelta(minutes=buffer), buffer_after=timedelta(minutes=buffer),
                   appointment_id=appointment_id)


TAKEN = 'That time is no longer free, so the appointment cannot be restored. Please book a new time.'
FULL = 'All seats at that time are taken now, so the appointment cannot be restored. Please book a new time.'


@pytest.mark.parametrize(('label', 'kwargs', 'others', 'expected'), [
    ('nothing else booked', {}, [], OK),
    ('someone took the hour', {}, [booking(0)], TAKEN),
    ('overlaps the end', {}, [booking(30)], TAKEN),
    ('touches the end', {}, [booking(60)], OK),
    ('touches the start', {}, [booking(-60)], OK),
    ('another staff member', {}, [booking(0, staff_id=4)], OK),
    ('itself', {}, [booking(0, appointment_id=7)], OK),
    ('our buffer reaches the next one', {'buffer': 15}, [booking(70)], TAKEN),
    ('their buffer reaches us', {}, [booking(65, buffer=10)], TAKEN),
    ('buffers clear', {'buffer': 5}, [booking(70, buffer=5)], OK),
    ('group with seats left', {'capacity': 3}, [booking(0, service_id=1, seats=2)], OK),
    ('group full', {'capacity': 3}, [booking(0, service_id=1, seats=2), booking(0, service_id=1, appointment_id=98)],
     FULL),
    ('group, two seats asked, one left', {'capacity': 3, 'seats': 2}, [booking(0, service_id=1, seats=2)], FULL),
    ('same service, other start', {'capacity': 3}, [booking(30, service_id=1)], TAKEN),
    ('same service, one seat, same start', {}, [booking(0, service_id=1)], TAKEN),
])
def test_restoring_a_busy_status_needs_the_slot_free(label: str, kwargs: dict, others: list[Booking],
                                                      expected: str | None) -> None:
    assert en(rules.why_not_occupy(appt('canceled', **kwargs), others)) == en(expected), label


# ---- pay ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(('settings', 'status', 'price', 'paid', 'expected'), [
    (DEFAULT, 'approved', 5000, 0, OK),
    (DEFAULT, 'pending', 5000, 1500, OK),
    (DEFAULT, 'approved', 5000, 5000, 'Nothing is due for this appointment.'),
    (DEFAULT, 'approved', 0, 0, 'Nothing is due for this appointment.'),
    (DEFAULT, 'canceled', 5000, 0, 'An appointment that is canceled needs no payment.'),
    (replace(DEFAULT, hide_pay_now=True), 'approved', 5000, 0, DEFAULT.offline_payment_instructions),
    (replace(DEFAULT, hide_pay_now=True, offline_payment_instructions=''), 'approved', 5000, 0,
     'This business takes payment in person.'),
])
def test_pay(settings: PanelSettings, status: str, price: int, paid: int, expected: str | None) -> None:
    assert en(rules.why_not_pay(appt(status, price=price, paid=paid), settings)) == en(expected)


# ---- settings: every field the rules read gives a clear message when it is wrong ---------------------------------



@pytest.mark.parametrize(('data', 'message'), [
    ({'change_closes_minutes': -5}, 'change_closes_minutes must be a whole number of zero or more.'),
    ({'change_closes_minutes': '60'}, 'change_closes_minutes must be a whole number.'),
    ({'reschedule_closes_minutes': True}, 'reschedule_closes_minutes must be a whole number.'),
    ({'reschedule_quota': -1}, 'reschedule_quota must be a whole number of zero or more.'),
    ({'reschedule_enabled': 'yes'}, 'reschedule_enabled must be true or false.'),
    ({'allow_busy_targets': 1}, 'allow_busy_targets must be true or false.'),
    ({'reschedule_from_statuses': 'pending'}, 'reschedule_from_statuses must be a list of status keys.'),
    ({'reschedule_from_statuses': ['pending', 3]}, 'reschedule_from_statuses must be a list of status keys.'),
    ({'status_transitions': ['canceled']},
     'status_transitions must map each status a customer may set to the list of statuses it may be set from.'),
    ({'status_transitions': {'canceled': 'pending'}},
     'status_transitions must map each status a customer may set to the list of statuses it may be set from.'),
    ({'status_after_reschedule': ''}, 'status_after_reschedule must be "keep" or a status key.'),
    ({'reschedule_from_statuses': ['pending', 'booked']}, 'Unknown status: booked.'),
    ({'status_transitions': {'gone': ['pending']}}, 'Unknown status: gone.'),
    ({'status_after_reschedule': 'waiting'}, 'Unknown status: waiting.'),
    ({'colour': 'red'}, 'Unknown setting: colour.'),
])
def test_settings_say_what_is_wrong(data: dict, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        PanelSettings.from_dict(data).validate(DEFAULT_STATUSES)
    assert str(caught.value) == message


def test_a_busy_target_needs_the_confirmation_when_the_statuses_are_known() -> None:
    risky = PanelSettings.from_dict({'status_transitions': {'approved': ['pending']}})
    with pytest.raises(SettingsError) as caught:
        risky.validate(DEFAULT_STATUSES)
    assert str(caught.value) == ('Customers could set approved, a status that occupies the slot: '
                                 'set allow_busy_targets to true to confirm.')
    assert replace(risky, allow_busy_targets=True).validate(DEFAULT_STATUSES).allow_busy_targets


def test_settings_round_trip() -> None:
    settings = replace(DEFAULT, reschedule_quota=2, status_transitions={'canceled': ('pending',)},
                       reschedule_from_statuses=('pending',))
    assert PanelSettings.from_dict(settings.to_dict()) == settings


def test_defaults_are_valid_for_the_default_statuses() -> None:
    assert DEFAULT.validate(DEFAULT_STATUSES) == DEFAULT


def test_every_status_is_covered() -> None:
    assert tuple(STATUS) == KEYS
    assert all(isinstance(s, Status) for s in DEFAULT_STATUSES)


# ---- rating ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(('status', 'window', 'already', 'expected'), [
    ('approved', 'over', False, OK),
    ('pending', 'over', False, OK),
    ('approved', 'over', True, 'You have already rated this visit. Thank you!'),
    ('approved', 'started', False, 'You can rate this visit once it is over.'),
    ('approved', 'days ahead', False, 'You can rate this visit once it is over.'),
    ('canceled', 'over', False, 'Only visits that took place can be rated.'),
    ('rejected', 'over', False, 'Only visits that took place can be rated.'),
    ('no-show', 'over', False, 'Only visits that took place can be rated.'),
])
def test_a_visit_is_rated_once_after_it_took_place(status: str, window: str, already: bool,
                                                   expected: str | None) -> None:
    assert en(rules.why_not_rate(appt(status, window), now=NOW, already_rated=already)) == en(expected)


@pytest.mark.parametrize(('stars', 'comment', 'expected'), [
    (1, '', OK), (5, 'Great', OK), (0, '', 'Choose from 1 to 5 stars.'), (6, '', 'Choose from 1 to 5 stars.'),
    (True, '', 'Choose from 1 to 5 stars.'), (4, 'x' * 1001, 'Please keep the comment under 1,000 characters.'),
])
def test_rating_values(stars: int, comment: str, expected: str | None) -> None:
    assert en(rules.rating_problem(stars, comment)) == en(expected)



# ---- a status that goes: the settings follow -----------------------------------------------------------------------

def test_settings_name_the_status_a_merged_one_went_into() -> None:
    from domain.settings import PanelSettings, forget_status

    settings = PanelSettings(reschedule_from_statuses=('pending', 'approved'), status_after_reschedule='pending',
                             status_transitions={'canceled': ('pending', 'approved'), 'rejected': ('canceled',)})
    merged = forget_status(settings, 'pending', into='approved')
    assert merged.reschedule_from_statuses == ('approved',)
    assert merged.status_after_reschedule == 'approved'
    assert merged.status_transitions == {'canceled': ('approved',), 'rejected': ('canceled',)}
    # Merging a target into one of its own sources leaves no transition from a status to itself.
    assert forget_status(settings, 'canceled', into='approved').status_transitions == {
        'approved': ('pending',), 'rejected': ('approved',)}


def test_settings_forget_a_deleted_status_but_not_the_one_reschedules_end_in() -> None:
    from domain.settings import PanelSettings, forget_status, status_removal_problem

    settings = PanelSettings()
    gone = forget_status(settings, 'approved')
    assert gone.reschedule_from_statuses == ('pending',)
    assert gone.status_transitions == {'canceled': ('pending',)}
    assert forget_status(settings, 'canceled').status_transitions == {}
    assert status_removal_problem(settings, 'pending') is not None
    assert status_removal_problem(settings, 'pending', into='approved') is None
    assert status_removal_problem(settings, 'approved') is None

"""How the panel groups, counts and sorts: upcoming, past, completed, next visit and the All tab's orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import panel
from domain.model import DEFAULT_STATUSES, Appointment, Service, Staff

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
STATUS = {s.key: s for s in DEFAULT_STATUSES}
ORDER = [s.key for s in DEFAULT_STATUSES]


def appt(id_: int, hours: float, status: str = 'approved', price: int = 4500, minutes: int = 60) -> Appointment:
    start = NOW + timedelta(hours=hours)
    return Appointment(id=id_, customer_id=1, service=Service(id=1, name='Haircut'), staff=Staff(id=1, name='Mia'),
                       location=None, start=start, end=start + timedelta(minutes=minutes), status=STATUS[status],
                       price=price)


BOOK = [
    appt(1, 48), appt(2, 2, 'pending', 12000), appt(3, 1, 'canceled'), appt(4, -0.5),  # 4 is under way
    appt(5, -30, price=2000), appt(6, -60, 'no-show'), appt(7, -90, 'rejected'), appt(8, -100, 'pending'),
]


def ids(found: list[Appointment]) -> list[int]:
    return [a.id for a in found]


def test_upcoming_starts_in_the_future_soonest_first_whatever_its_status() -> None:
    assert ids(panel.upcoming(BOOK, NOW)) == [3, 2, 1]


def test_past_has_ended_latest_first_and_a_visit_under_way_is_neither() -> None:
    assert ids(panel.past(BOOK, NOW)) == [5, 6, 7, 8]


def test_the_next_visit_holds_its_slot_so_a_canceled_one_is_skipped() -> None:
    assert panel.next_appointment(BOOK, NOW).id == 2
    assert panel.next_appointment([appt(9, 5, 'canceled')], NOW) is None


def test_completed_counts_ended_busy_visits_but_not_no_shows() -> None:
    assert panel.counts(BOOK, NOW) == panel.Counts(upcoming=2, completed=2)  # 1 and 2; 5 and 8


@pytest.mark.parametrize(('how', 'expected'), [
    ('newest', [1, 2, 3, 4, 5, 6, 7, 8]),
    ('oldest', [8, 7, 6, 5, 4, 3, 2, 1]),
    ('status', [2, 8, 1, 4, 5, 6, 3, 7]),  # the business's order: pending, approved, no-show, canceled, rejected
    ('price', [2, 1, 3, 4, 6, 7, 8, 5]),  # high to low, newest first among equals
])
def test_the_all_tab_sorts(how: str, expected: list[int]) -> None:
    order = ['pending', 'approved', 'no-show', 'canceled', 'rejected']
    assert ids(panel.sort_all(BOOK, how, order)) == expected


def test_an_unknown_sort_is_refused() -> None:
    with pytest.raises(ValueError):
        panel.sort_all(BOOK, 'random', ORDER)

"""The desk's pure rules: CSV cells a spreadsheet will not run, a day of the business's clock as long as it really
is, the filter cleaned of what makes no sense, and which way a page reads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain import desk as dd

BERLIN = ZoneInfo('Europe/Berlin')


@pytest.mark.parametrize(('value', 'cell'), [
    ('=SUM(A1:A9)', "'=SUM(A1:A9)"), ('+49 151 000', "'+49 151 000"), ('-1', "'-1"), ('@cmd', "'@cmd"),
    ('\tTab', "'\tTab"), ('Ada Lovelace', 'Ada Lovelace'), ('a=b', 'a=b'), (4500, '4500'), (-5, '-5'), (None, ''),
    (True, 'yes'),
])
def test_a_cell_that_starts_like_a_formula_is_made_plain_text(value: object, cell: str) -> None:
    assert dd.csv_cell(value) == cell


def test_the_night_the_clocks_go_back_has_25_hours_and_one_hour_mark_twice() -> None:
    day = dd.day_span(date(2026, 10, 25), BERLIN)
    assert day.minutes == 25 * 60
    assert [label for label, _ in day.marks][:5] == ['00:00', '01:00', '02:00', '02:00', '03:00']
    assert day.offset(datetime(2026, 10, 25, 19, 0, tzinfo=UTC)) == 21 * 60  # 20:00 in Berlin
    assert day.start == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)


def test_the_night_the_clocks_go_forward_has_23_hours_and_no_two_oclock() -> None:
    day = dd.day_span(date(2027, 3, 28), BERLIN)
    assert day.minutes == 23 * 60 and len(day.marks) == 23
    assert '02:00' not in [label for label, _ in day.marks]


def test_an_ordinary_day_has_24_hour_marks_an_hour_apart() -> None:
    day = dd.day_span(date(2026, 11, 24), BERLIN)
    assert [m for _, m in day.marks] == [h * 60 for h in range(24)]
    assert day.offset(datetime(2026, 11, 20, tzinfo=UTC)) == 0, 'clamped to the day'


def _row(start: datetime, end: datetime) -> dd.DeskRow:
    return dd.DeskRow(id=1, start=start, end=end, status_key='approved', customer_id=1, customer_name='Ada',
                      customer_email='ada@example.com', customer_phone='', service_name='Cut', color='#000000',
                      staff_id=1, staff_name='Mia', location_name='', price=0, deposit=0, amount_paid=0,
                      created_at=start)


def berlin(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_the_day_view_draws_the_working_day_and_widens_to_every_appointment() -> None:
    day = dd.day_span(date(2026, 11, 24), BERLIN)
    assert dd.day_window(day, []) == (8 * 60, 20 * 60)
    assert dd.day_window(day, [_row(berlin(24, 10), berlin(24, 11))]) == (8 * 60, 20 * 60)
    early, late = _row(berlin(24, 6, 30), berlin(24, 7, 15)), _row(berlin(24, 20, 30), berlin(24, 21, 10))
    assert dd.day_window(day, [early, late]) == (6 * 60, 22 * 60), 'from the hour it starts to the end of the hour'
    overnight = _row(berlin(24, 23), berlin(25, 1))
    assert dd.day_window(day, [overnight]) == (8 * 60, 24 * 60), 'to the end of the day it is drawn on'


def test_the_day_view_on_the_night_the_clocks_go_back_keeps_its_marks_right() -> None:
    day = dd.day_span(date(2026, 10, 25), BERLIN)  # 02:00 twice: every mark after it is an hour later
    assert dd.day_window(day, []) == (9 * 60, 21 * 60)
    first = _row(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 0, 45, tzinfo=UTC))  # 02:30 CEST
    assert dd.day_window(day, [first]) == (2 * 60, 21 * 60)  # the first 02:00 mark
    second = _row(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 45, tzinfo=UTC))  # 02:30 CET
    assert dd.day_window(day, [second]) == (3 * 60, 21 * 60)  # the second 02:00 mark, an hour later


def test_the_filter_drops_what_it_does_not_know_and_puts_the_days_in_order() -> None:
    cleaned = dd.AppointmentFilter(first_day=date(2026, 12, 5), last_day=date(2026, 12, 1), payment='stolen',
                                   sort='by-mood', text='  ada   lovelace ').cleaned()
    assert (cleaned.first_day, cleaned.last_day, cleaned.payment, cleaned.sort, cleaned.text) == (
        date(2026, 12, 1), date(2026, 12, 5), '', 'start_desc', 'ada lovelace')


def test_the_days_are_the_business_own_from_midnight_to_midnight() -> None:
    lo, hi = dd.utc_range(date(2026, 11, 25), date(2026, 11, 26), BERLIN)
    assert (lo, hi) == (datetime(2026, 11, 24, 23, tzinfo=UTC), datetime(2026, 11, 26, 23, tzinfo=UTC))
    assert dd.utc_range(None, None, BERLIN) == (None, None)


def test_a_previous_or_last_page_reads_the_other_way() -> None:
    assert dd.descending('start_desc', 'next') and not dd.descending('start_desc', 'previous')
    assert not dd.descending('start_asc', 'first') and dd.descending('start_asc', 'last')


@pytest.mark.parametrize(('price', 'deposit', 'paid', 'state'), [
    (4500, 0, 0, 'unpaid'), (4500, 1000, 500, 'unpaid'), (4500, 1000, 1000, 'deposit_paid'), (4500, 0, 4500, 'paid'),
    (0, 0, 0, 'paid'),
])
def test_a_row_payment_state_follows_the_model_rule(price: int, deposit: int, paid: int, state: str) -> None:
    from domain.model import payment_status
    assert payment_status(price=price, deposit=deposit, paid=paid).value == state
    now = datetime(2026, 11, 23, tzinfo=UTC)
    row = dd.DeskRow(id=1, start=now, end=now, status_key='approved', customer_id=1, customer_name='',
                     customer_email='', customer_phone='', service_name='', color='', staff_id=1, staff_name='',
                     location_name='',
                     price=price, deposit=deposit, amount_paid=paid, created_at=now)
    assert row.payment == state

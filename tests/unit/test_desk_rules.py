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

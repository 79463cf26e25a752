"""The front desk's rules, pure: what the appointments list filters and sorts by, how a day of the business's clock
maps onto UTC (a daylight-saving day has 23 or 25 hours), and how a CSV cell is made safe to open in a spreadsheet.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.i18n import N_

PAGE_SIZE = 25
MOVES = ('first', 'next', 'previous', 'last')
COUNT_CAP = 10_000
"""The list counts matching appointments up to this many; past it the page says 'more than' and pages on."""
TEXT_MAX = 80

SORTS: dict[str, str] = {
    'start_desc': N_('Newest first'),
    'start_asc': N_('Oldest first'),
    'created_desc': N_('Booked most recently'),
}
PAYMENT_STATES: dict[str, str] = {
    'unpaid': N_('Unpaid'),
    'deposit_paid': N_('Deposit paid'),
    'paid': N_('Paid'),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class AppointmentFilter:
    """What the desk asks the list for. Days are the business's own calendar days, both ends included."""

    first_day: date | None = None
    last_day: date | None = None
    staff_id: int | None = None
    service_id: int | None = None
    location_id: int | None = None
    status_key: str = ''
    payment: str = ''  # a key of PAYMENT_STATES, '' for any
    text: str = ''  # part of the customer's name, email or phone
    sort: str = 'start_desc'
    customer_id: int | None = None  # one customer's appointments (their admin page's "All appointments")

    def cleaned(self) -> AppointmentFilter:
        """The filter with unknown sort/payment keys dropped, the text trimmed, and the days in order."""
        first, last = self.first_day, self.last_day
        if first and last and last < first:
            first, last = last, first
        return AppointmentFilter(
            first_day=first, last_day=last, staff_id=self.staff_id, service_id=self.service_id,
            location_id=self.location_id, status_key=self.status_key.strip()[:64],
            payment=self.payment if self.payment in PAYMENT_STATES else '',
            text=' '.join(self.text.split())[:TEXT_MAX], sort=self.sort if self.sort in SORTS else 'start_desc',
            customer_id=self.customer_id)


@dataclass(slots=True, kw_only=True)
class DeskRow:
    """One appointment as the list, the calendar and the export show it. Not frozen: a week's calendar builds a
    thousand of these, and a frozen dataclass's __init__ costs three times as much. Treat it as read-only."""

    id: int
    start: datetime
    end: datetime
    status_key: str
    customer_id: int
    customer_name: str
    customer_email: str
    customer_phone: str
    service_name: str
    color: str
    staff_id: int
    staff_name: str
    location_name: str
    price: int
    deposit: int
    amount_paid: int
    created_at: datetime
    # Who confirmed the visit they were reminded of ('customer', domain.history's actors) and when; None until then.
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None

    @property
    def payment(self) -> str:
        """A key of PAYMENT_STATES (domain.model.payment_status's rule)."""
        if self.amount_paid >= self.price:
            return 'paid'
        if self.amount_paid > 0 and self.amount_paid >= self.deposit:
            return 'deposit_paid'
        return 'unpaid'


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page of the list starts or ends: the row's value of the sort's column (start, or when it was booked)
    and its id. The next page is what comes after the last row's cursor in the sort's order, the previous one what
    comes before the first row's: keyset paging, every page from an index whatever its depth."""

    key: datetime
    id: int


def cursor_of(row: DeskRow, sort: str) -> Cursor:
    return Cursor(row.created_at if sort == 'created_desc' else row.start, row.id)


def descending(sort: str, move: str) -> bool:
    """Whether the statement for `move` reads the sort's column downwards (a previous or last page reads the other
    way and turns its rows round)."""
    return (sort != 'start_asc') != (move in ('previous', 'last'))


def utc_range(first: date | None, last: date | None, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The UTC instants from the start of `first` to the end of `last` on the business's clock (None: open)."""
    return (day_start(first, zone) if first else None,
            day_start(last + timedelta(days=1), zone) if last else None)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of `day` on the business's clock, in UTC (a zone that skips midnight starts the day at its first
    instant: zoneinfo's fold rules pick the later offset)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class DaySpan:
    """One day of the business's clock: its UTC start and end, and its hour marks (local labels, minutes from the
    day's start). A 23-hour day has 23 marks, a 25-hour day 25 (one local hour twice)."""

    day: date
    start: datetime
    end: datetime
    marks: tuple[tuple[str, int], ...] = field(default=())

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def offset(self, instant: datetime) -> int:
        """Minutes from the start of this day to `instant`, clamped to the day."""
        minutes = int((instant - self.start).total_seconds() // 60)
        return max(0, min(self.minutes, minutes))


def day_span(day: date, zone: ZoneInfo) -> DaySpan:
    start, end = day_start(day, zone), day_start(day + timedelta(days=1), zone)
    marks = []
    at = start
    while at < end:
        local = at.astimezone(zone)
        marks.append((f'{local.hour:02d}:{local.minute:02d}', int((at - start).total_seconds() // 60)))
        at += timedelta(hours=1)
    return DaySpan(day=day, start=start, end=end, marks=tuple(marks))


@dataclass(frozen=True, slots=True)
class DayGlance:
    """A day at the front desk at a glance: how many visits it holds, and those not over yet, earliest first."""

    visits: int
    ahead: tuple[DeskRow, ...]


def day_glance(rows: Sequence[DeskRow], busy: Container[str], now: datetime) -> DayGlance:
    """`rows`: the day's appointments by start; `busy`: the keys of the statuses that hold their time (a canceled
    or declined visit is not one the desk expects)."""
    held = [r for r in rows if r.status_key in busy]
    return DayGlance(visits=len(held), ahead=tuple(r for r in held if r.end > now))


DAY_VIEW_HOURS = ('08:00', '20:00')  # the day view shows at least these hours of the business's clock


def day_window(day: DaySpan, rows: Sequence[DeskRow], *, least: tuple[str, str] = DAY_VIEW_HOURS) -> tuple[int, int]:
    """The part of `day` the day view draws, in minutes from its start, on its hour marks: from the earlier of
    `least`'s first mark and the hour of the first appointment's start, to the later of `least`'s last mark and the
    end of the hour of the last appointment's end. The empty night is left out; no appointment ever is. By the marks,
    so a night the clocks change stays right; a day whose marks lack `least` shows whole."""
    minutes = {label: minute for label, minute in reversed(day.marks)}  # a mark seen twice: its first time
    if least[0] not in minutes or least[1] not in minutes:
        return 0, day.minutes
    lo, hi = minutes[least[0]], minutes[least[1]]
    marks = [minute for _, minute in day.marks]
    for row in rows:
        start, end = day.offset(row.start), day.offset(row.end)
        lo = min(lo, max((m for m in marks if m <= start), default=0))
        hi = max(hi, min((m for m in marks if m >= end), default=day.minutes))
    return lo, hi


def week_of(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


# ---- CSV ----------------------------------------------------------------------------------------------------------

_FORMULA_START = ('=', '+', '-', '@', '\t', '\r', '\n')


def csv_cell(value: object) -> str:
    """A value as a CSV cell a spreadsheet will not run: text that starts like a formula gets a leading apostrophe
    (OWASP's advice for CSV injection). Numbers the export writes itself are passed as int and stay numbers."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


@dataclass(frozen=True, slots=True, kw_only=True)
class FlaggedPayment:
    """A payment held for the business to look at (it arrived after the balance was paid another way, after a
    cancellation or account closing, or for another amount), with what it was for."""

    payment_id: int
    amount: int
    currency: str
    method: str
    state: str
    note: str  # the payment's note as stored (domain.i18n text data)
    created_at: datetime
    customer_name: str
    customer_email: str
    appointment_id: int | None
    service_name: str
    start: datetime | None

"""What the customer panel shows: one customer's appointments, counted, paged and sorted as the business sets it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlmodel import Session

from domain import model as d
from domain.settings import PanelSettings
from services import auth
from services.i18n import shipped_locale
from storage import appointments as appointment_db
from storage import customers as customer_db
from storage import payments as payment_db
from storage import tenants as tenant_db
from storage.db import Database

PAGE_SIZE = 12
RatingValue = appointment_db.RatingValue


@dataclass(frozen=True, slots=True, kw_only=True)
class Shell:
    """Who is signed in and the business's rules for them: what every panel section starts from."""

    customer: d.Customer
    settings: PanelSettings
    statuses: tuple[d.Status, ...]
    sells_packages: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PanelData:
    """What the Appointments section needs on first paint: counts, the next visit and the first page of a tab."""

    counts: dict[str, int]
    next_appointment: d.Appointment | None
    page: list[d.Appointment]


def with_statuses(data: PanelData, statuses: tuple[d.Status, ...]) -> PanelData:
    """The same data with each appointment's status taken from `statuses` by key (the page's language's labels,
    chosen after the data was read)."""
    by_key = {st.key: st for st in statuses}

    def swap(appt: d.Appointment) -> d.Appointment:
        found = by_key.get(appt.status.key)
        return replace(appt, status=found) if found is not None else appt

    return replace(data, next_appointment=swap(data.next_appointment) if data.next_appointment else None,
                   page=[swap(a) for a in data.page])


def statuses(db: Database, *, tenant_id: int, customer_id: int) -> tuple[d.Status, ...]:
    """The business's statuses as they are now (an open panel reads them again when the business changes them)."""
    del customer_id  # the session was checked (services.auth.act); the statuses are the business's
    with db.read() as s:
        return tenant_db.statuses(s, tenant_id=tenant_id)


def load_shell(db: Database, *, tenant_id: int, session_id: str | None, now: datetime | None = None) -> Shell | None:
    """The live session's customer with the tenant's settings and statuses (two statements), or None."""
    if not session_id:
        return None
    now = now or datetime.now(UTC)
    with db.read() as s:
        found = _shell(s, tenant_id=tenant_id, session_id=session_id, now=now)
    if found is None:
        return None
    auth.seen(db, token_hash=auth.session_hash(session_id), last_seen_at=found[1], now=now)
    return found[0]


def _shell(s: Session, *, tenant_id: int, session_id: str, now: datetime) -> tuple[Shell, datetime] | None:
    born_after, seen_after = auth.live_window(now)
    found = customer_db.session_context(s, token_hash=auth.session_hash(session_id), tenant_id=tenant_id,
                                        born_after=born_after, seen_after=seen_after)
    if found is None:
        return None
    live, settings, sells_packages = found
    return Shell(customer=live.customer, settings=settings, statuses=tenant_db.statuses(s, tenant_id=tenant_id),
                 sells_packages=sells_packages), live.last_seen_at


def load_entry(db: Database, *, tenant_id: int, session_id: str | None, now: datetime,
               appointments: bool) -> tuple[Shell, PanelData | None] | None:
    """First paint in one session: the shell and, on the Appointments section, its data (four statements)."""
    if not session_id:
        return None
    with db.read() as s:
        found = _shell(s, tenant_id=tenant_id, session_id=session_id, now=now)
        if found is None:
            return None
        shell, last_seen_at = found
        data = None if not appointments else _panel_data(
            s, tenant_id=tenant_id, customer_id=shell.customer.id, now=now, statuses=shell.statuses, tab='upcoming',
            sort='newest', page_size=PAGE_SIZE)
    auth.seen(db, token_hash=auth.session_hash(session_id), last_seen_at=last_seen_at, now=now)
    return shell, data


def load_panel(db: Database, *, tenant_id: int, customer_id: int, now: datetime, statuses: tuple[d.Status, ...],
               tab: str = 'upcoming', sort: str = 'newest', page_size: int = PAGE_SIZE) -> PanelData:
    """Counts and one page of the tab (two statements), and the next visit when that page does not show it."""
    with db.read() as s:
        return _panel_data(s, tenant_id=tenant_id, customer_id=customer_id, now=now, statuses=statuses, tab=tab,
                           sort=sort, page_size=page_size)


def _panel_data(s: Session, *, tenant_id: int, customer_id: int, now: datetime, statuses: tuple[d.Status, ...],
                tab: str, sort: str, page_size: int) -> PanelData:
    counts = appointment_db.panel_counts(s, tenant_id=tenant_id, customer_id=customer_id, now=now, status_list=statuses)
    page = appointment_db.appointment_page(s, tenant_id=tenant_id, customer_id=customer_id, now=now, tab=tab, sort=sort,
                                           status_list=statuses, offset=0, limit=page_size)
    # The first Upcoming page runs soonest first, so the next visit is its first busy card when it has one.
    upcoming = next((a for a in page if a.status.busy), None) if tab == 'upcoming' else None
    if upcoming is None and counts['upcoming']:
        upcoming = appointment_db.next_appointment(s, tenant_id=tenant_id, customer_id=customer_id, now=now,
                                                   status_list=statuses)
    return PanelData(counts=counts, next_appointment=upcoming, page=page)


def load_page(db: Database, *, tenant_id: int, customer_id: int, now: datetime, tab: str, sort: str,
              statuses: tuple[d.Status, ...], page: int, page_size: int = PAGE_SIZE) -> list[d.Appointment]:
    """One page (1-based) of a tab."""
    with db.read() as s:
        return appointment_db.appointment_page(s, tenant_id=tenant_id, customer_id=customer_id, now=now, tab=tab,
                                               sort=sort,
                                               status_list=statuses, offset=(max(page, 1) - 1) * page_size,
                                               limit=page_size)


def all_appointments(db: Database, *, tenant_id: int, customer_id: int) -> list[d.Appointment]:
    """Every appointment of the customer, newest first (exports and tests)."""
    with db.read() as s:
        return appointment_db.customer_appointments(s, tenant_id=tenant_id, customer_id=customer_id,
                                                    status_list=tenant_db.statuses(s, tenant_id=tenant_id))


def appointment_detail(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int) -> d.Appointment | None:
    """One of the customer's own appointments with its history; None for anyone else's."""
    with db.read() as s:
        return appointment_db.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                                   appointment_id=appointment_id,
                                                   status_list=tenant_db.statuses(s, tenant_id=tenant_id))


@dataclass(frozen=True, slots=True, kw_only=True)
class Details:
    """What the Details drawer shows of one appointment: it, its history, the money received for it, its rating."""

    appointment: d.Appointment
    receipts: list[d.Payment]
    rating: RatingValue | None


def appointment_details(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int, now: datetime,
                        statuses: tuple[d.Status, ...] = ()) -> Details | None:
    """Everything the Details drawer needs in one read (the page's statuses when it has them; the rating only of a
    completed visit, the only one that can have one); None for anyone else's appointment."""
    with db.read() as s:
        appt = appointment_db.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id,
                                                   appointment_id=appointment_id,
                                                   status_list=statuses or tenant_db.statuses(s, tenant_id=tenant_id))
        if appt is None:
            return None
        paid = payment_db.customer_payments(s, tenant_id=tenant_id, customer_id=customer_id,
                                            appointment_id=appointment_id)
        rating = (appointment_db.rating(s, tenant_id=tenant_id, appointment_id=appointment_id)
                  if appt.is_completed(now) else None)
    return Details(appointment=appt, receipts=[p for p in paid if p.state == d.PaymentState.SUCCEEDED],
                   rating=rating)


def panel_settings(db: Database, *, tenant_id: int) -> PanelSettings:
    with db.read() as s:
        return tenant_db.panel_settings(s, tenant_id=tenant_id)


class UnknownLanguage(ValueError):
    """A language Kairos does not ship (the switcher offers only shipped ones; anything else came from elsewhere)."""


def remember_language(db: Database, *, tenant_id: int, customer_id: int, language: str) -> str:
    """Keep the language the customer chose (the switcher, or Profile): their pages and emails use it from now on.
    Only a shipped language is kept; the value as Kairos spells it is returned."""
    found = shipped_locale(language)
    if found is None:
        raise UnknownLanguage(language)
    with db.write() as s:
        customer_db.set_customer_language(s, tenant_id=tenant_id, customer_id=customer_id, language=found)
    return found


def remember_timezone(db: Database, *, tenant_id: int, customer_id: int, timezone: str) -> None:
    """Keep the zone the customer's browser reports, so times read in their own clock."""
    with db.write() as s:
        customer_db.set_customer_timezone(s, tenant_id=tenant_id, customer_id=customer_id, timezone=timezone)

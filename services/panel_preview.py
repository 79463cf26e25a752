"""The sample customer the Panel Designer's preview shows: made up in memory, never one of the business's customers.

The appointments carry the business's own statuses (by role, so a renamed status shows its new label) and currency,
and cover what the designer's switches change: a next visit, an unpaid upcoming one, a paid past one (Rebook) and a
cancelled one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain import model as d
from services import i18n
from services.panel import PanelData

SAMPLE_ID = 0  # no row has id 0: nothing the preview shows can name a real customer or appointment


def sample_customer(tenant: d.Tenant, *, locale: str) -> d.Customer:
    return d.Customer(id=SAMPLE_ID, tenant_id=tenant.id, first_name=i18n.gettext('Alex', locale=locale),
                      last_name=i18n.gettext('Sample', locale=locale), email='alex@example.com',
                      timezone=tenant.timezone)


def sample_panel(tenant: d.Tenant, statuses: tuple[d.Status, ...], *, now: datetime, locale: str,
                 tab: str = 'upcoming') -> PanelData:
    """The sample customer's panel on one tab (upcoming, past or all), counted as the real panel counts."""
    every = sample_appointments(tenant, statuses, now=now, locale=locale)
    upcoming = [a for a in every if a.is_upcoming(now)]
    past = [a for a in every if not a.is_upcoming(now)]
    counts = {'upcoming': sum(a.status.busy for a in upcoming), 'completed': sum(a.is_completed(now) for a in past),
              'tab_upcoming': len(upcoming), 'tab_past': len(past), 'tab_all': len(every)}
    page = {'upcoming': upcoming, 'past': past[::-1], 'all': every[::-1]}.get(tab, upcoming)
    return PanelData(counts=counts, next_appointment=next((a for a in upcoming if a.status.busy), None), page=page)


def sample_appointments(tenant: d.Tenant, statuses: tuple[d.Status, ...], *, now: datetime,
                        locale: str) -> list[d.Appointment]:
    """Four appointments, oldest first: a cancelled and a paid visit that are over, then two ahead."""
    by_role = {st.role: st for st in statuses}
    busy = next((st for st in statuses if st.busy), None) or d.DEFAULT_STATUSES[1]
    confirmed = by_role.get(d.StatusRole.CONFIRMED, busy)
    new = by_role.get(d.StatusRole.NEW_BOOKING, busy)
    cancelled = by_role.get(d.StatusRole.CUSTOMER_CANCEL) or next((st for st in statuses if not st.busy), busy)
    studio = d.Location(id=1, name=i18n.gettext('Main studio', locale=locale))
    jordan = d.Staff(id=1, name='Jordan Reyes')
    sam = d.Staff(id=2, name='Sam Okafor')
    cut = d.Service(id=1, name=i18n.gettext('Haircut', locale=locale), duration=timedelta(minutes=45), price=4500)
    colour = d.Service(id=2, name=i18n.gettext('Colour and cut', locale=locale), duration=timedelta(minutes=120),
                       price=12000, deposit=3000)
    # Visits at 10:00 in the business's zone: the preview reads like a real diary.
    morning = now.astimezone(ZoneInfo(tenant.timezone)).replace(hour=10, minute=0, second=0, microsecond=0)

    def visit(number: int, service: d.Service, staff: d.Staff, days: int, status: d.Status, paid: int) -> d.Appointment:
        start = (morning + timedelta(days=days)).astimezone(UTC)
        return d.Appointment(id=number, customer_id=SAMPLE_ID, service=service, staff=staff, location=studio,
                             start=start, end=start + service.duration, status=status, price=service.price,
                             amount_paid=paid, deposit=service.deposit)

    return [visit(4, cut, jordan, -45, cancelled, 0), visit(3, colour, sam, -20, confirmed, 12000),
            visit(1, cut, jordan, 3, confirmed, 0), visit(2, colour, sam, 10, new, 3000)]

"""The Details drawer: everything about one appointment, in the customer's time (and the business's if different)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import model as d
from services import appointments, panel
from services import formatting as fmt
from ui.components import details_extras, history_timeline, receipts
from ui.components.drawer import drawer
from ui.components.styles import add_css_once
from ui.components.words import say, translated_status
from ui.context import PanelContext
from ui.i18n import locale, t
from ui.theme import status_badge


async def open_details_drawer(ctx: PanelContext, appointment_id: int,
                              on_changed: Callable[[], Awaitable[None]] | None = None) -> None:
    # One read for the drawer and all its extensions (one session check, one transaction, the page's statuses).
    details = await ctx.act(panel.appointment_details, appointment_id=appointment_id, now=ctx.now(),
                            statuses=ctx.statuses)
    if details is None:
        ui.notify(say(appointments.NOT_YOURS), type='negative')
        return
    appt = details.appointment
    with drawer(t('Details'), mark='details-drawer') as d_:
        details_body(ctx, appt)
        for extension in EXTENSIONS:
            await extension(ctx, appt, on_changed, details=details)
    d_.open()


# What the drawer shows below the facts, in this order: meeting link, rating and calendar; receipts; history. Each
# takes (ctx, appt, on_changed, *, details): `details` is what the drawer loaded (services.panel.Details).
Extension = Callable[..., Awaitable[None]]
EXTENSIONS: tuple[Extension, ...] = (
    details_extras.render,
    receipts.render,
    history_timeline.render,
)


# The facts are a two-column grid of <dt>/<dd> pairs: two elements a fact (not a row, two cells and two labels).
FACTS_CSS = '''
.k-facts { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 2fr); column-gap: 8px; }
.k-facts > dt, .k-facts > dd { margin: 0; padding: 4px 0; border-bottom: 1px solid rgba(0,0,0,.06); }
.body--dark .k-facts > dt, .body--dark .k-facts > dd { border-bottom-color: rgba(255,255,255,.12); }
'''


class Fact(ui.label):
    """A label drawn as a <dt> or <dd>."""

    def __init__(self, tag: str, text: str) -> None:
        super().__init__(text)
        self.tag = tag  # before it is first sent


def details_body(ctx: PanelContext, appt: d.Appointment) -> None:
    tz, business, loc = ctx.tz, ctx.business_tz, locale()
    with ui.row().classes('items-center gap-2 w-full'):
        ui.label(appt.service.name).classes('text-h6 col').props('role=heading aria-level=3')
        status_badge(translated_status(appt.status), mark='details-status')
    rows: list[tuple[str, str]] = [
        (t('Date'), fmt.full_date(appt.start, tz, locale=loc)),
        (t('Time'), t('%(time)s (%(zone)s)', time=fmt.time_range(appt.start, appt.end, tz, locale=loc),
                      zone=fmt.zone_label(tz, appt.start))),
    ]
    if tz.key != business.key:
        business_when = t('%(time)s (%(zone)s)', time=fmt.when(appt.start, appt.end, business, locale=loc),
                          zone=fmt.zone_label(business, appt.start))
        rows.append((t('Business time'), business_when))
    # The same Panel Designer switches as the cards: what the business hides there is hidden here too.
    designer = ctx.settings.designer
    rows.append((t('Duration'), fmt.duration(appt.end - appt.start, locale=loc)))
    if designer.show_staff:
        rows.append((t('Staff'), appt.staff.name))
    if designer.show_location:
        rows.append((t('Location'), appt.location.name if appt.location else (
            t('Online') if appt.service.is_online else '—')))
    if appt.seats > 1:
        rows.append((t('Seats'), str(appt.seats)))
    currency = ctx.tenant.currency
    if designer.show_price:
        rows.append((t('Price'), fmt.money(appt.price, currency, locale=loc) if appt.price else t('Free')))
    if designer.show_payment_status and appt.price:
        rows += [(t('Paid'), fmt.money(appt.amount_paid, currency, locale=loc)),
                 (t('Due'), fmt.money(appt.amount_due, currency, locale=loc))]
    add_css_once(FACTS_CSS)
    with ui.element('dl').classes('k-facts w-full q-ma-none').mark('details-facts'):
        for term, value in rows:
            Fact('dt', term).classes('k-muted')
            Fact('dd', value).classes('text-weight-medium')
    if appt.notes:
        ui.label(appt.notes).classes('k-muted')

"""The Appointments section's one element: dashboard, tabs, sort, cards and pager drawn in the browser.

The server sends plain state (card rows decided by the Panel Designer and the business's rules) and answers the
element's `view` and `action` events; see appointments_view.js.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from nicegui import events

from domain import model as d
from domain import rules
from domain.i18n import N_
from domain.panel import SORTS
from domain.settings import booking_link
from domain.statuses import icon_name
from domain.web import safe_color, safe_url
from services import formatting as fmt
from ui.components.live import Listening
from ui.components.wire import ascii_json
from ui.components.words import say, status_label
from ui.context import PanelContext
from ui.i18n import locale, t, tn

# The section's own words, English and marked: shown through t() in the page's language (panel_labels, the states).
TAB_LABELS = {
    # Translators: a tab of the Appointments section.
    'upcoming': N_('Upcoming'),
    # Translators: a tab of the Appointments section.
    'past': N_('Past'),
    # Translators: a tab of the Appointments section.
    'all': N_('All'),
}
SORT_LABELS = {'newest': N_('Newest first'), 'oldest': N_('Oldest first'), 'status': N_('Status'),
               'price': N_('Price (high to low)')}
EMPTY = {
    'upcoming': N_('No upcoming appointments. When you book one, it will be waiting for you here.'),
    'past': N_('No past appointments yet. Your visits will be listed here once they are over.'),
    'all': N_('You have no appointments yet. Your first one is only a few taps away.'),
}
# Where a label of the browser-drawn element names a card, the browser puts the card's own label in place of this.
CARD = '{card}'


def panel_labels() -> dict[str, str]:
    """Every fixed word appointments_view.js shows, in the page's language (it has none of its own)."""
    return {
        'overview': t('Overview'),
        'next': t('Your next appointment'),
        'view_details': t('View details'),
        'nothing_booked': t('Nothing booked yet.'),
        'book': t('Book an appointment'),
        'heading': t('Appointments'),
        'sort_by': t('Sort by'),
        'cards': t('Appointment cards'),
        'details': t('Details'),
        'reschedule': t('Reschedule'),
        'pay': t('Pay'),
        'change_status': t('Change status'),
        'rebook': t('Rebook'),
        # Translators: a button's name for screen readers; %(appointment)s is the card's service and time.
        'details_for': t('Details: %(appointment)s', appointment=CARD),
        # Translators: a button's name for screen readers; %(appointment)s is the card's service and time.
        'reschedule_for': t('Reschedule: %(appointment)s', appointment=CARD),
        # Translators: a button's name for screen readers; %(appointment)s is the card's service and time.
        'pay_for': t('Pay: %(appointment)s', appointment=CARD),
        # Translators: a button's name for screen readers; %(appointment)s is the card's service and time.
        'change_status_for': t('Change status: %(appointment)s', appointment=CARD),
        # Translators: a button's name for screen readers; %(service)s is the service to book again.
        'rebook_for': t('Rebook: %(service)s', service=CARD),
        'pages': t('Pages'),
        'previous': t('Previous'),
        'next_page': t('Next'),
    }


def page_words(page: int, pages: int) -> str:
    return t('Page %(page)d of %(pages)d', page=page, pages=pages)


def encode_state(state: dict[str, Any]) -> str:
    """The state (or the labels) as ASCII JSON (ui.components.wire): on 2,000-appointment pages this took 0.3 ms off
    every visit, and keeps a page in any language as cheap to send as in English."""
    return ascii_json(state)


ActionHandler = Callable[[str, int], Awaitable[None]]
ViewHandler = Callable[[dict[str, Any]], Awaitable[None]]


class AppointmentsView(Listening, component='appointments_view.js'):
    """One element for the whole section; `state` is what the browser draws, `labels` its fixed words
    (`panel_labels`, in the page's language)."""

    def __init__(self, state: dict[str, Any], *, on_action: ActionHandler, on_view: ViewHandler,
                 labels: dict[str, str] | None = None) -> None:
        super().__init__()
        self._state = state
        self.labels = labels if labels is not None else panel_labels()
        self._props['data'] = encode_state(state)
        self._props['labels'] = encode_state(self.labels)
        self._on_action = on_action
        self._on_view = on_view
        self.on('action', self._handle_action)
        self.on('view', self._handle_view)

    @property
    def state(self) -> dict[str, Any]:
        return self._state

    @property
    def rows(self) -> list[dict[str, Any]]:
        return list(self.state['rows'])

    def show(self, **changes: Any) -> None:
        # Sent as one JSON string: NiceGUI would otherwise wrap every nested row in observable containers.
        self._state = {**self._state, **changes}
        self._props['data'] = encode_state(self._state)
        self.update()

    async def _handle_action(self, event: events.GenericEventArguments) -> None:
        args = event.args if isinstance(event.args, dict) else {}
        kind, appointment_id = str(args.get('kind', '')), args.get('id')
        if not isinstance(appointment_id, int):
            return
        # Only ids this page shows: the drawers check ownership again on the server.
        shown = {row['id'] for row in self.state['rows']}
        dashboard = self.state.get('dashboard') or {}
        if dashboard.get('next'):
            shown.add(dashboard['next']['id'])
        if appointment_id in shown:
            await self._on_action(kind, appointment_id)

    async def _handle_view(self, event: events.GenericEventArguments) -> None:
        args = event.args if isinstance(event.args, dict) else {}
        change: dict[str, Any] = {}
        if args.get('tab') in TAB_LABELS:
            change['tab'] = args['tab']
        if args.get('sort') in SORTS:
            change['sort'] = args['sort']
        if isinstance(args.get('page'), int):
            change['page'] = args['page']
        if change:
            await self._on_view(change)


def tabs_state(counts: dict[str, int]) -> list[dict[str, Any]]:
    return [{'name': key, 'label': t(label), 'count': counts[f'tab_{key}']} for key, label in TAB_LABELS.items()]


def sorts_state() -> list[dict[str, str]]:
    return [{'value': key, 'label': t(SORT_LABELS[key])} for key in SORTS]


def empty_text(tab: str) -> str:
    return t(EMPTY[tab])


def dashboard_state(ctx: PanelContext, nxt: d.Appointment | None, counts: dict[str, int]) -> dict[str, Any] | None:
    """The mini-dashboard (or None when the Panel Designer hides it)."""
    if not ctx.settings.designer.show_mini_dashboard:
        return None
    upcoming, completed = counts['upcoming'], counts['completed']
    state: dict[str, Any] = {
        'upcoming': upcoming, 'completed': completed, 'next': None,
        # Translators: a count on the panel's overview, "3 upcoming" (appointments).
        'upcoming_text': tn('%(num)d upcoming', '%(num)d upcoming', upcoming),
        # Translators: a count on the panel's overview, "5 completed" (appointments).
        'completed_text': tn('%(num)d completed', '%(num)d completed', completed),
    }
    if nxt is not None:
        tz, loc = ctx.tz, locale()
        designer = ctx.settings.designer
        facts = [
            _fact('event', fmt.full_date(nxt.start, tz, locale=loc), t('Date')),
            _fact('schedule', fmt.time_range(nxt.start, nxt.end, tz, locale=loc), t('Time')),
        ]
        # The same Panel Designer switches as the cards below.
        if designer.show_staff:
            facts.append(_fact('person', nxt.staff.name, t('Staff')))
        if designer.show_location and nxt.location:
            facts.append(_fact('place', nxt.location.name, t('Location')))
        elif designer.show_location and nxt.service.is_online:
            facts.append(_fact('videocam', t('Online'), t('Location')))
        state['next'] = {'id': nxt.id, 'service': nxt.service.name, 'facts': facts}
    return state


def _fact(icon: str, text: str, what: str) -> dict[str, str]:
    # Translators: a fact of the next appointment as a screen reader says it, "Date: Tuesday 24 November 2026".
    return {'icon': icon, 'text': text, 'what': what, 'label': t('%(what)s: %(value)s', what=what, value=text)}


def dashboard_html(state: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    """The mini-dashboard of `dashboard_state` as static HTML, the markup appointments_view.js draws (keep the two in
    step), in the page's language: the page frame paints it before any script has run, and the element replaces it
    (ui/theme.py)."""
    words = labels if labels is not None else panel_labels()
    nxt = state['next']
    if nxt is not None:
        facts = ''.join(
            f'<span class="row items-center no-wrap">{_icon("k-muted q-mr-xs", size="20px")}'
            f'<span>{html.escape(fact["text"])}</span></span>' for fact in nxt['facts'])
        card = (f'<h2 class="text-h6 q-my-xs">{html.escape(nxt["service"])}</h2>'
                f'<div class="row items-center q-gutter-x-lg q-gutter-y-xs text-body1">{facts}</div>'
                f'<div>{_button(words["view_details"], "q-btn--flat text-primary q-btn--dense q-mt-sm")}</div>')
    else:
        card = (f'<div class="text-subtitle1 q-mb-sm">{html.escape(words["nothing_booked"])}</div>'
                + _button(words['book'], 'q-btn--unelevated bg-primary text-white'))
    chips = ''.join(
        f'<div class="q-chip row inline no-wrap items-center text-{color} q-chip--colored q-chip--outline k-chip">'
        f'{_icon("q-chip__icon q-chip__icon--left")}<div class="q-chip__content col row no-wrap items-center">'
        f'{html.escape(state[key])}</div></div>'
        for key, color in (('upcoming_text', 'primary'), ('completed_text', 'positive')))
    return ('<div class="nicegui-sub-pages w-full"><div class="column q-gutter-y-md full-width w-full">'
            '<div class="column q-gutter-y-sm"><div class="q-card q-card--bordered q-card--flat no-shadow k-card '
            f'q-pa-md"><div class="text-overline k-muted">{html.escape(words["next"])}</div>{card}</div>'
            f'<div class="row q-gutter-sm">{chips}</div></div></div></div>')


def _icon(classes: str, *, size: str = '') -> str:
    """An icon's place, without its glyph: the icon font (130 KB) would compete with the page's scripts for a slow
    network; the live element draws the icons once they have arrived."""
    style = f' style="font-size: {size};"' if size else ''
    return f'<i class="q-icon notranslate material-icons {classes}"{style}></i>'


def _button(label: str, look: str) -> str:
    """Quasar's markup for <q-btn no-caps>, drawn without Quasar."""
    return (f'<span class="q-btn q-btn-item non-selectable no-outline q-btn--rectangle q-btn--actionable '
            f'q-btn--no-uppercase {look}"><span class="q-btn__content text-center col items-center q-anchor--skip '
            f'justify-center row"><span class="block">{html.escape(label)}</span></span></span>')


def rows_state(appointments: Sequence[d.Appointment], ctx: PanelContext, now: datetime) -> list[dict[str, Any]]:
    loc = locale()
    return [card_row(a, ctx, now, loc) for a in appointments]


def card_row(appt: d.Appointment, ctx: PanelContext, now: datetime, loc: str | None = None) -> dict[str, Any]:
    """What one card shows, decided on the server by the Panel Designer and the business's rules, in the page's
    language (`loc`, the page's locale, when the caller has it at hand)."""
    designer = ctx.settings.designer
    tz = ctx.tz
    loc = loc or locale()
    when = fmt.when(appt.start, appt.end, tz, locale=loc)
    reschedule_reason = rules.why_not_reschedule(appt, ctx.settings, now=now)
    # With the statuses, 'no reason' means some status may be set now (the drawer lists rules.allowed_targets).
    status_reason = rules.why_not_change_status(appt, ctx.settings, now=now, statuses=ctx.statuses)
    can_status = status_reason is None
    can_pay = rules.why_not_pay(appt, ctx.settings) is None
    # Say why a change is closed on upcoming cards (past ones are simply over).
    note = ''
    if appt.is_upcoming(now) and appt.status.busy:
        if reschedule_reason and ctx.settings.reschedule_enabled:
            note = say(reschedule_reason)
        elif status_reason and ctx.settings.status_change_enabled:
            note = say(status_reason)
    staff_avatar: str | None = None
    if designer.show_staff and designer.show_staff_avatar:
        staff_avatar = safe_url(appt.staff.avatar_url, allow_path=True) or ''
    booking = ctx.booking_url
    return {
        'id': appt.id,
        'service': appt.service.name,
        'when': when,
        'label': _card_name(appt, when, show_staff=designer.show_staff),
        'status_label': status_label(appt.status) if designer.show_status_badge else '',
        'status_color': safe_color(appt.status.color) or '',
        'status_icon': icon_name(appt.status.icon) or '',
        'staff': appt.staff.name if designer.show_staff else '',
        'staff_avatar': staff_avatar,
        'staff_initials': ''.join(part[:1] for part in appt.staff.name.split()[:2]).upper(),
        'location': appt.location.name if designer.show_location and appt.location else '',
        'price': _price(appt, ctx, loc) if designer.show_price else '',
        # A separate switch from the price: a business may hide prices yet show what is still due, or the reverse.
        'payment_label': _payment_label(appt, ctx, loc) if designer.show_payment_status and appt.price else '',
        'can_reschedule': reschedule_reason is None,
        'can_pay': can_pay,
        'can_status': can_status,
        'rebook_url': (booking_link(booking, service=appt.service.id)
                       if designer.show_rebook and appt.is_past(now) else ''),
        'note': note,
    }


def _card_name(appt: d.Appointment, when: str, *, show_staff: bool) -> str:
    """A card's name for screen readers, and the end of its buttons' names ("Pay: ..."). With the staff member when
    cards show one: a customer may hold the same service at the same time with two people, and two cards (and their
    buttons) must never read alike."""
    if show_staff:
        # Translators: a card's name for screen readers: the service, who gives it, and its time.
        return t('%(service)s with %(staff)s, %(when)s', service=appt.service.name, staff=appt.staff.name, when=when)
    # Translators: a card's name for screen readers: the service and its time.
    return t('%(service)s, %(when)s', service=appt.service.name, when=when)


def _price(appt: d.Appointment, ctx: PanelContext, loc: str) -> str:
    """The price as money; an appointment that costs nothing says so rather than showing no price at all."""
    if appt.price:
        return fmt.money(appt.price, ctx.tenant.currency, locale=loc)
    # Translators: the price of an appointment booked from a package the customer bought.
    return t('Included in your package') if appt.customer_package_id else t('Free')


def _payment_label(appt: d.Appointment, ctx: PanelContext, loc: str) -> str:
    status = appt.payment_status
    if status is d.PaymentStatus.PAID:
        return t('Paid')
    due = fmt.money(appt.amount_due, ctx.tenant.currency, locale=loc)
    if status is d.PaymentStatus.DEPOSIT_PAID:
        return t('Deposit paid, %(amount)s due', amount=due)
    return t('Unpaid, %(amount)s due', amount=due)

"""Extension actions in the Details drawer: join the online meeting, add to calendar, rate a completed visit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nicegui import ui

from domain import model as d
from domain import rules
from domain.web import safe_url
from services import appointments, panel
from ui import i18n
from ui.context import PanelContext
from ui.i18n import show, t, tn


@dataclass
class RatingForm:
    stars: float | None = None
    comment: str = ''


async def render(ctx: PanelContext, appt: d.Appointment, on_changed: Callable[[], Awaitable[None]] | None, *,
                 details: panel.Details | None = None) -> None:
    """The Details drawer's extension hook: the actions that fit this appointment now."""
    now = ctx.now()
    if appt.status.busy and not appt.is_past(now):  # a visit still to come: join it, put it in a calendar
        _actions(ctx, appt)
    if appt.is_completed(now):
        given = details.rating if details is not None else await ctx.act(appointments.rating_of,
                                                                         appointment_id=appt.id)
        _rating(ctx, appt, given, on_changed)


def _actions(ctx: PanelContext, appt: d.Appointment) -> None:
    with ui.row().classes('w-full gap-2 q-mt-sm').mark('details-actions'):
        meeting = safe_url(appt.service.meeting_url)
        if meeting:
            join = ui.button(t('Join online meeting'), icon='videocam').props(
                'target=_blank rel="noopener noreferrer" unelevated no-caps').mark('join-meeting')
            join.props['href'] = meeting  # set by key: the business's link is never parsed as props

        async def download() -> None:
            try:
                name, data = await ctx.act(appointments.appointment_calendar, appointment_id=appt.id, now=ctx.now(),
                                           locale=i18n.locale())
            except appointments.NotAllowed as refused:
                ui.notify(show(refused.message), type='negative')
                return
            ui.download.content(data, name, 'text/calendar')

        ui.button(t('Add to calendar'), icon='event', on_click=download).props('outline no-caps').mark(
            'add-to-calendar')


def _rating(ctx: PanelContext, appt: d.Appointment, given: panel.RatingValue | None,
            on_changed: Callable[[], Awaitable[None]] | None) -> None:
    box = ui.column().classes('w-full gap-2 q-mt-md').props('role=region').mark('rating')
    box.props['aria-label'] = t('Rate your visit')
    with box:
        ui.label(t('How was your visit?')).classes('text-subtitle1 text-weight-medium').props(
            'role=heading aria-level=3')
        if given is not None:
            _thanks(given.stars, given.comment)
            return
        form = RatingForm()
        stars = ui.rating(max=5, size='32px', icon='star_border', icon_selected='star', color='amber').bind_value(
            form, 'stars').mark('rating-stars')
        stars.props['aria-label'] = t('Stars, from %(low)d to %(high)d', low=1, high=5)
        ui.textarea(label=t('Comment (optional)')).bind_value(form, 'comment').props(
            f'outlined autogrow maxlength={rules.RATING_COMMENT_MAX} counter').classes('w-full').mark('rating-comment')
        error = ui.label().classes('text-negative text-body2').props('role=alert').mark('rating-error')

        async def send() -> None:
            value = int(stars.value or 0)
            try:
                saved = await ctx.act(appointments.rate, appointment_id=appt.id, stars=value,
                                      comment=form.comment, now=ctx.now())
            except appointments.NotAllowed as refused:
                error.text = show(refused.message)
                return
            box.clear()
            with box:
                ui.label(t('How was your visit?')).classes('text-subtitle1 text-weight-medium').props(
                    'role=heading aria-level=3')
                _thanks(saved.stars, saved.comment)
            ui.notify(t('Thank you for your rating.'), type='positive')

        ui.button(t('Send rating'), on_click=send).props('unelevated no-caps').mark('rating-send')


def _thanks(stars: int, comment: str) -> None:
    with ui.row().classes('items-center gap-2').mark('rating-given'):
        given = ui.rating(value=stars, max=5, size='24px', icon='star_border', icon_selected='star',
                          color='amber').props('readonly')
        # Translators: a rating the customer gave, "You gave 4 of 5 stars".
        given.props['aria-label'] = tn('You gave %(num)d of 5 stars', 'You gave %(num)d of 5 stars', stars)
        ui.label(tn('You gave %(num)d of 5 stars. Thank you!', 'You gave %(num)d of 5 stars. Thank you!',
                    stars)).classes('text-body2')
    if comment:
        # Translators: the customer's own comment, in the language's quotation marks.
        ui.label(t('“%(comment)s”', comment=comment)).classes('text-body2 k-muted')

"""The admin's Emails page bodies: the template editor (per kind of email and language: subject, text, HTML, the
placeholders it may use, a preview with sample data, "send me a test", back to Kairos's wording) and the outbox
(sent, queued and failed, with resend).

The page (in the admin shell) hands in `act`, which runs a service as the signed-in admin; every action goes to
services.email_templates, which checks it all again and keeps to that admin's business.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nicegui import ui

from domain.emails import EmailTemplate
from domain.i18n import SHIPPED_LOCALES
from services import email_templates as svc
from services import formatting as fmt
from services.i18n import language_name
from services.mail import OutboxEmail
from ui.components.admin import Act
from ui.i18n import locale, show, t, tn


@dataclass
class Form:
    kind: str = 'appointment_booked'
    language: str = 'en'
    subject: str = ''
    text: str = ''
    html: str = ''


def email_editor(act: Act, *, business: str) -> None:
    """Draw the template editor for the signed-in admin's business (`act`: see ui.components.admin)."""
    form = Form()
    reader = locale()
    with ui.row().classes('w-full gap-2'):
        ui.select({k.kind: t(k.name) for k in svc.kinds()}, label=t('Email')).bind_value(form, 'kind').classes(
            'col-12 col-sm').mark('email-kind').on_value_change(lambda: load())
        ui.select({loc: language_name(loc, reader=reader) for loc in SHIPPED_LOCALES}, label=t('Language')) \
            .bind_value(form, 'language').classes('col-12 col-sm').mark('email-language') \
            .on_value_change(lambda: load())
    wording = ui.label().classes('text-caption k-muted').props('role=status').mark('email-wording')
    placeholders = ui.label().classes('text-caption').mark('email-placeholders')
    errors: dict[str, ui.label] = {}

    def problem_slot(name: str) -> None:
        errors[name] = ui.label().classes('text-negative text-caption').mark(f'email-problem-{name}')

    ui.input(t('Subject')).bind_value(form, 'subject').props('maxlength=200').classes('w-full').mark(
        'email-subject')
    problem_slot('subject')
    ui.textarea(t('Text')).bind_value(form, 'text').props('autogrow').classes('w-full').mark('email-text')
    problem_slot('text')
    ui.textarea(t('HTML (optional)')).bind_value(form, 'html').props('autogrow input-style="font-family: monospace"') \
        .classes('w-full').mark('email-html')
    problem_slot('html')
    problem_slot('kind')
    problem_slot('locale')
    notice = ui.label().classes('text-body2').props('role=status aria-live=polite').mark('email-notice')
    with ui.row().classes('w-full gap-2'):
        # Held back until the chosen wording has loaded: a click before would act on empty fields.
        actions = [
            ui.button(t('Preview'), icon='visibility', on_click=lambda: preview()).props('outline').mark(
                'email-preview'),
            ui.button(t('Send me a test'), icon='send', on_click=lambda: send_test()).props('outline').mark(
                'email-test'),
            ui.button(t("Back to Kairos's wording"), icon='restart_alt', on_click=lambda: reset()).props(
                'flat').mark('email-reset'),
            ui.button(t('Save'), icon='save', on_click=lambda: save()).props('unelevated').mark('email-save'),
        ]

    def ready(loaded: bool) -> None:
        for button in actions:
            button.set_enabled(loaded)

    ready(False)
    shown = ui.column().classes('w-full gap-1').mark('email-preview-pane')

    def template() -> EmailTemplate:
        return EmailTemplate(kind=form.kind, locale=form.language, subject=form.subject or '', text=form.text or '',
                             html=form.html or None)

    def clear() -> None:
        notice.set_text('')
        for slot in errors.values():
            slot.set_text('')

    def refused(problems: dict) -> None:
        for name, text in problems.items():
            if name in errors:
                errors[name].set_text(show(text))
        notice.set_text(t('Not saved: see the marked parts.'))

    asked = [0]  # the latest choice of kind and language: an earlier one's answer arriving late is dropped

    async def load() -> None:
        clear()
        shown.clear()
        asked[0] += 1
        mine = asked[0]
        ready(False)
        found = await act(svc.editable, kind_name=form.kind, locale=form.language)
        if found is None or mine != asked[0]:
            return
        form.subject, form.text, form.html = found.template.subject, found.template.text, found.template.html or ''
        ready(True)
        wording.set_text(t('Your own wording') if found.own else t("Kairos's wording (edit and save to use yours)"))
        placeholders.set_text(t('Placeholders: %(names)s', names=', '.join(f'${n}' for n in found.placeholders)))

    async def save() -> None:
        clear()
        try:
            await act(svc.save_template, template=template(), now=datetime.now(UTC))
        except svc.TemplateRefused as e:
            refused(e.problems)
            return
        wording.set_text(t('Your own wording'))
        notice.set_text(t('Saved: the next email of this kind in this language uses it.'))

    async def reset() -> None:
        clear()
        await act(svc.reset_template, kind_name=form.kind, locale=form.language, now=datetime.now(UTC))
        await load()
        notice.set_text(t("Back to Kairos's wording."))

    async def send_test() -> None:
        clear()
        try:
            address = await act(svc.send_test, template=template(), now=datetime.now(UTC))
        except svc.TemplateRefused as e:
            refused(e.problems)
            return
        notice.set_text(t('A test is on its way to %(address)s.', address=address))

    def preview() -> None:
        clear()
        subject, text, html = svc.preview(template(), business=business)
        shown.clear()
        with shown:
            ui.label(t('Preview with sample data')).classes('text-subtitle1').props('role=heading aria-level=3')
            ui.label(subject).classes('text-weight-medium').mark('email-preview-subject')
            ui.label(text).style('white-space: pre-line').classes('text-body2').mark('email-preview-text')
            if html:
                # The business's HTML in a sandbox: drawn, never run, and nothing of it reaches the admin page.
                frame = ui.element('iframe').classes('w-full').style('height: 28rem; border: 1px solid #e4e4e7')
                frame.props['sandbox'] = ''
                frame.props['srcdoc'] = html
                frame.props['title'] = t('HTML preview')
                frame.mark('email-preview-html')

    ui.timer(0, load, once=True)


def outbox_view(act: Act, *, timezone: str) -> None:
    """Draw the business's outbox: filter by status, a page of emails, resend (`act`: see ui.components.admin)."""
    state: dict = {'status': None, 'page': 1}
    zone = ZoneInfo(timezone)
    filters = ui.row().classes('w-full gap-2').mark('outbox-filters')
    message = ui.label().classes('text-body2').props('role=status aria-live=polite').mark('outbox-message')
    listing = ui.column().classes('w-full gap-2').mark('outbox-list')
    pager = ui.row().classes('w-full items-center gap-2')
    words = {None: t('All'), 'queued': t('Queued'), 'sent': t('Sent'), 'failed': t('Failed')}

    async def refresh() -> None:
        found = await act(svc.outbox, status=state['status'], page=state['page'])
        if found is None:
            return
        filters.clear()
        with filters:
            for status, word in words.items():
                count = sum(found.counts.values()) if status is None else found.counts[status]
                chosen = state['status'] == status
                button = ui.button(f'{word} ({count})', on_click=lambda s=status: choose(s)).props(
                    'unelevated' if chosen else 'outline').mark(f'outbox-filter-{status or "all"}')
                button.props['aria-pressed'] = 'true' if chosen else 'false'
        listing.clear()
        with listing:
            if not found.emails:
                ui.label(t('No emails here.')).classes('k-muted')
            for email in found.emails:
                _email_card(email, zone, resend)
        pager.clear()
        with pager:
            back = ui.button(t('Newer'), on_click=lambda: turn(-1)).props('flat').mark('outbox-newer')
            if state['page'] <= 1:
                back.disable()
            ui.label(t('Page %(page)s', page=state['page']))
            more = ui.button(t('Older'), on_click=lambda: turn(1)).props('flat').mark('outbox-older')
            if len(found.emails) < svc.OUTBOX_PAGE:
                more.disable()

    async def choose(status: str | None) -> None:
        state['status'], state['page'] = status, 1
        await refresh()

    async def turn(step: int) -> None:
        state['page'] = max(1, state['page'] + step)
        await refresh()

    async def resend(email_id: int) -> None:
        try:
            await act(svc.resend, email_id=email_id, now=datetime.now(UTC))
        except svc.OutboxRefused as e:
            message.set_text(show(e.reason))
            return
        message.set_text(t('Queued to go out again.'))
        await refresh()

    ui.timer(0, refresh, once=True)


def _email_card(email: OutboxEmail, zone: ZoneInfo, resend: Callable[[int], Awaitable[None]]) -> None:
    names = {k.kind: k.name for k in svc.kinds()}
    status_words = {'queued': t('Queued'), 'sent': t('Sent'), 'failed': t('Failed')}
    with ui.card().classes('w-full q-pa-sm').mark(f'outbox-email-{email.id}'):
        with ui.row().classes('w-full items-center no-wrap gap-2'):
            with ui.column().classes('col gap-0'):
                ui.label(email.subject).classes('text-body1 text-weight-medium').style('overflow-wrap: anywhere')
                ui.label(t('To %(address)s · %(kind)s', address=email.recipient,
                           kind=t(names[email.template]) if email.template in names else email.template)).classes(
                    'text-caption').style('overflow-wrap: anywhere')
                when = fmt.date_time(email.sent_at or email.created_at, zone, locale=locale())
                ui.label(f'{status_words.get(email.status, email.status)} · {when} · '
                         + tn('%(num)d attempt', '%(num)d attempts', email.attempts)).classes(
                    'text-caption k-muted').mark(f'outbox-status-{email.id}')
                if email.last_error:
                    ui.label(email.last_error).classes('text-caption text-negative').style('overflow-wrap: anywhere')
            if email.status != 'queued':
                button = ui.button(icon='replay', on_click=lambda: resend(email.id)).props('flat round').mark(
                    f'outbox-resend-{email.id}')
                button.props['aria-label'] = t('Send again to %(address)s', address=email.recipient)

"""The business's emails at /admin/emails (its own wording per email and language, preview, test) and what was
sent at /admin/outbox (ui.components.admin.emails_editor draws both)."""

from __future__ import annotations

from nicegui import ui

from domain.i18n import N_
from ui.components.admin.emails_editor import email_editor, outbox_view
from ui.i18n import t
from ui.pages.admin.shell import AdminContext, admin_page


@admin_page('/admin/emails', title=N_('Emails'))
def emails_page(ctx: AdminContext) -> None:
    ui.label(t('Emails')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('Word each email your own way, per language. Placeholders such as $name are filled in for each '
               "recipient; an email you have not reworded goes out in Kairos's words.")).classes('k-muted')
    email_editor(ctx.act, business=ctx.tenant.name)


@admin_page('/admin/outbox', title=N_('Outbox'))
def outbox_page(ctx: AdminContext) -> None:
    ui.label(t('Outbox')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('Every email Kairos sent or is about to send for your business. A failed one can be sent again.')
             ).classes('k-muted')
    outbox_view(ctx.act, timezone=ctx.tenant.timezone)

"""The business's statuses at /admin/statuses: names per language, colours, icons, what each means; add, reorder,
delete an unused one, merge one in use (ui.components.admin.statuses_editor draws it)."""

from __future__ import annotations

from nicegui import ui

from domain.i18n import N_
from ui.components.admin.statuses_editor import statuses_editor
from ui.i18n import t
from ui.pages.admin.shell import AdminContext, admin_page


@admin_page('/admin/statuses', title=N_('Statuses'))
def statuses_page(ctx: AdminContext) -> None:
    ui.label(t('Statuses')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('Each appointment has one of these statuses; customers see its name, colour and icon on their '
               'appointments, in their language. A renamed status shows in open panels at once.')).classes(
        'k-muted')
    statuses_editor(ctx.act)

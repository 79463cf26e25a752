"""Settings: the business's rules for its customer panel (SPEC section 3), checked by the same rules as
`kairos settings set`, each refusal said next to its field. Saving applies to open customer panels at once."""

from __future__ import annotations

from nicegui import ui

from domain.admins import PAYMENT_SETTINGS, AdminRole
from domain.i18n import N_
from services import admin_settings
from ui.components.admin_fields import save_row
from ui.components.settings_form import SettingsForm
from ui.i18n import page_statuses, t, tn
from ui.pages.admin.shell import AdminContext, admin_page


@admin_page('/admin/settings', title=N_('Settings'))
async def settings_page(ctx: AdminContext) -> None:
    view = await ctx.act(admin_settings.load)

    async def save() -> None:
        try:
            saved = await ctx.act(admin_settings.save_settings, settings=form.value(), now=ctx.now())
        except admin_settings.Refused as refused:
            form.show_problems(refused.problems)
            count = len(refused.problems)
            status.set_text(tn('Not saved: %(num)d setting needs a change (see below it).',
                               'Not saved: %(num)d settings need a change (see below them).', count))
            return
        form.load(saved)
        status.set_text(t('Saved. Open customer panels follow the new rules now.'))

    def discard() -> None:
        form.load(form.base)
        status.set_text(t('Changes discarded.'))

    ui.label(t('Settings')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('The rules of your customer panel. Your customers see a change as soon as you save it.')).classes(
        'text-body1')
    form = SettingsForm(view.settings, page_statuses(view.statuses),
                        locked=() if ctx.may(AdminRole.OWNER) else PAYMENT_SETTINGS)
    with ui.column().classes('gap-2 w-full'):
        save_row(on_save=save, on_discard=discard)
        status = ui.label('').props('role=status aria-live=polite').mark('settings-status')

"""The Panel Designer: what the customer panel shows, switched on one side and previewed on the other (the real panel
for a sample customer, at phone and at desktop width) before anything is saved."""

from __future__ import annotations

from dataclasses import replace

from nicegui import ui

from domain.i18n import N_
from domain.settings import PanelDesigner
from services import admin_settings
from ui.components.admin_fields import save_row
from ui.components.designer_form import DesignerForm
from ui.components.panel_preview import Draft, preview_frames
from ui.i18n import t
from ui.pages.admin.shell import AdminContext, admin_page


@admin_page('/admin/designer', title=N_('Panel Designer'))
async def designer_page(ctx: AdminContext) -> None:
    stored = ctx.settings
    draft = Draft(ctx.tenant, stored)

    def changed(designer: PanelDesigner) -> None:
        draft.change(settings=replace(draft.settings, designer=designer))
        status.set_text(t('Unsaved changes: your customers still see the saved panel.')
                        if designer != stored.designer else '')

    async def save() -> None:
        nonlocal stored
        stored = await ctx.act(admin_settings.save_designer, designer=form.value, now=ctx.now())
        status.set_text(t('Saved. Open customer panels show it now.'))

    def discard() -> None:
        form.reset(stored.designer)
        status.set_text(t('Changes discarded.'))

    ui.label(t('Panel Designer')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('Choose what your customers see. The preview shows a made-up customer; nothing changes for your '
               'customers until you save.')).classes('text-body1')
    with ui.row().classes('w-full gap-6 items-start max-sm:flex-wrap'):
        with ui.column().classes('gap-4').style('flex: 0 1 340px; min-width: 260px'):
            form = DesignerForm(stored.designer, on_change=changed)
            save_row(on_save=save, on_discard=discard)
            status = ui.label('').props('role=status aria-live=polite').mark('designer-status')
        with ui.column().classes('gap-2').style('flex: 1 1 400px; min-width: 0'):
            ui.label(t('Preview')).classes('text-h6').props('role=heading aria-level=2')
            preview_frames(draft)

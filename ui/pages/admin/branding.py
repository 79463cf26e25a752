"""Branding: the business's name, logo, primary colour and theme, shown in the preview as they change. The colour is
refused, with the reason, when white text on it would not read."""

from __future__ import annotations

from nicegui import ui

from domain import model as d
from domain.i18n import N_
from services import admin_settings, avatars
from ui.components.admin_fields import save_row
from ui.components.branding_form import BrandingForm
from ui.components.panel_preview import Draft, preview_frames
from ui.i18n import show, t
from ui.pages.admin.shell import AdminContext, admin_page


@admin_page('/admin/branding', title=N_('Branding'))
async def branding_page(ctx: AdminContext) -> None:
    stored = ctx.tenant
    draft = Draft(ctx.tenant, ctx.settings)

    async def save_logo(data: bytes | None) -> d.Tenant | str:
        nonlocal stored
        try:
            if data is None:
                saved = await ctx.act(admin_settings.remove_logo, now=ctx.now())
            else:
                saved = await ctx.act(admin_settings.save_logo, data=data, now=ctx.now())
        except avatars.AvatarRefused as refusal:
            return show(refusal.message)
        stored = saved
        return saved

    async def save() -> None:
        nonlocal stored
        wanted = form.value
        try:
            stored = await ctx.act(admin_settings.save_branding, name=wanted.name,
                                   primary_color=form.colour.value or '',  # type: ignore[attr-defined]
                                   dark=wanted.branding.dark, now=ctx.now())
        except admin_settings.Refused as refused:
            form.errors.show_all(refused.problems)
            status.set_text(t('Not saved: see the reason next to the field.'))
            return
        form.errors.show_all({})
        status.set_text(t('Saved. Your pages use the new look from the next page your customers open.'))

    def discard() -> None:
        form.load(stored)
        status.set_text(t('Changes discarded.'))

    ui.label(t('Branding')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('How your customer panel, booking page and emails look.')).classes('text-body1')
    with ui.row().classes('w-full gap-6 items-start max-sm:flex-wrap'):
        with ui.column().classes('gap-4').style('flex: 0 1 380px; min-width: 260px'):
            form = BrandingForm(stored, on_change=lambda tenant: draft.change(tenant=tenant), save_logo=save_logo)
            save_row(on_save=save, on_discard=discard)
            status = ui.label('').props('role=status aria-live=polite').mark('branding-status')
        with ui.column().classes('gap-2').style('flex: 1 1 400px; min-width: 0'):
            ui.label(t('Preview')).classes('text-h6').props('role=heading aria-level=2')
            preview_frames(draft)

"""The business's locations at /admin/locations: list, create, rename, archive and bring back."""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from domain import model as d
from domain.catalog import LocationInput
from domain.i18n import N_
from services import catalog
from services.catalog import CatalogRefused
from ui.components.admin_form import FieldErrors, form_dialog, save_buttons, save_from_dialog
from ui.i18n import show, t
from ui.pages.admin.shell import AdminContext, admin_page

PATH = '/admin/locations'


@dataclass
class LocationForm:
    name: str = ''
    address: str = ''


@admin_page(PATH, title=N_('Locations'))
async def locations_page(ctx: AdminContext) -> None:
    ui.label(t('Locations')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('The places customers come to. A staff member may work at several.')).classes('k-muted')
    ui.button(t('New location'), icon='add_location', on_click=lambda: edit(None)).props('unelevated no-caps').mark(
        'location-new')
    listing = ui.column().classes('w-full gap-2').mark('location-list')

    async def draw() -> None:
        found = await ctx.act(catalog.catalog)
        working: dict[int, list[str]] = {}
        for person in found.staff:
            if person.active:
                for location_id in person.location_ids:
                    working.setdefault(location_id, []).append(person.name)
        listing.clear()
        with listing:
            if not found.locations:
                ui.label(t('No locations yet. Add the first one.')).classes('k-muted').mark('location-empty')
            for place in found.locations:
                with ui.card().classes('k-card w-full q-pa-md').mark(f'location-{place.id}') as card:
                    card.props['aria-label'] = place.name
                    with ui.row().classes('w-full items-center gap-2'):
                        ui.label(place.name).classes('text-subtitle1 text-weight-medium').props(
                            'role=heading aria-level=2')
                        if not place.active:
                            ui.badge(t('Archived'), color='grey-7').mark('location-archived')
                        ui.space()
                        button = ui.button(t('Edit'), on_click=lambda p=place: edit(p)).props(
                            'outline no-caps dense').mark(f'location-edit-{place.id}')
                        button.props['aria-label'] = t('Edit %(name)s', name=place.name)
                        toggle = ui.button(t('Archive') if place.active else t('Bring back'),
                                           on_click=lambda p=place: archive(p)).props('flat no-caps dense').mark(
                            f'location-archive-{place.id}')
                        toggle.props['aria-label'] = (t('Archive %(name)s', name=place.name) if place.active
                                                      else t('Bring back %(name)s', name=place.name))
                    if place.address:
                        ui.label(place.address).classes('text-body2')
                    names = working.get(place.id, [])
                    ui.label(t('Works here: %(names)s', names=', '.join(names)) if names
                             else t('Nobody works here yet.')).classes('k-muted text-body2')

    async def archive(place: d.Location) -> None:
        try:
            await ctx.act(catalog.set_archived, kind='location', row_id=place.id, archived=place.active,
                          now=ctx.now())
        except CatalogRefused as refused:
            ui.notify(show(refused.message), type='negative')
            return
        ui.notify(t('%(name)s is archived.', name=place.name) if place.active else
                  t('%(name)s can be booked again.', name=place.name), type='positive')
        await draw()

    def edit(place: d.Location | None) -> None:
        form = LocationForm() if place is None else LocationForm(name=place.name, address=place.address)
        title = t('New location') if place is None else t('Edit %(name)s', name=place.name)
        dialog, body = form_dialog(title, mark='location-dialog')
        with body:
            errors = FieldErrors()
            errors.field('name', ui.input(t('Name')).bind_value(form, 'name').props('outlined maxlength=80').classes(
                'w-full').mark('location-name'))
            errors.field('address', ui.textarea(t('Address (optional)')).bind_value(form, 'address').props(
                'outlined autogrow maxlength=300').classes('w-full').mark('location-address'))

            async def save() -> None:
                value = LocationInput(name=form.name, address=form.address)
                saving = ctx.act(catalog.save_location, value=value, location_id=None if place is None else place.id,
                                 now=ctx.now())
                await save_from_dialog(dialog, errors, saving, name=value.name, refused=CatalogRefused, then=draw)

            save_buttons(dialog, on_save=save, mark='location-save')
        dialog.open()

    await draw()

"""The business's staff at /admin/staff: list, create, edit (name, email, locations, services, photo), archive and
bring back; each links to their hours (/admin/schedules?staff=<id>).

Photos go through the avatar pipeline on the server (services.avatars: judged by content, shrunk, EXIF removed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from nicegui import events, ui

from domain import model as d
from domain.catalog import StaffInput
from domain.i18n import N_
from services import avatars, catalog
from services.catalog import CatalogRefused
from ui.components.admin_form import FieldErrors, form_dialog, save_buttons, save_from_dialog
from ui.components.stranded import stranded_list
from ui.i18n import show, t, tn
from ui.pages.admin.shell import AdminContext, admin_page

PATH = '/admin/staff'
Handler = Callable[[], Awaitable[None] | None]


@dataclass
class StaffForm:
    name: str = ''
    email: str = ''
    location_ids: list[int] = field(default_factory=list)
    service_ids: list[int] = field(default_factory=list)


@admin_page(PATH, title=N_('Team'))
async def staff_page(ctx: AdminContext) -> None:
    ui.label(t('Team')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('Who customers book with: where each works, what each offers, and their hours.')).classes('k-muted')
    ui.button(t('New staff member'), icon='person_add', on_click=lambda: edit(None)).props(
        'unelevated no-caps').mark('staff-new')
    stranded_box = ui.column().classes('w-full gap-1').mark('stranded')
    stranded_box.props['role'] = 'status'
    listing = ui.column().classes('w-full gap-2').mark('staff-list')
    choices: dict[str, dict[int, str]] = {'locations': {}, 'services': {}}

    async def draw() -> None:
        found = await ctx.act(catalog.catalog)
        places = {p.id: p.name for p in found.locations}
        offers = {s.id: s.name for s in found.services}
        choices['locations'] = {p.id: _named(p.name, p.active) for p in found.locations}
        choices['services'] = {s.id: _named(s.name, s.active) for s in found.services}
        listing.clear()
        with listing:
            if not found.staff:
                ui.label(t('No staff yet. Add the first one.')).classes('k-muted').mark('staff-empty')
            for person in found.staff:
                _staff_card(person, places=places, offers=offers, on_edit=partial(edit, person),
                            on_archive=partial(archive, person))

    async def archive(person: d.Staff) -> None:
        try:
            left = await ctx.act(catalog.set_archived, kind='staff', row_id=person.id, archived=person.active,
                                 now=ctx.now())
        except CatalogRefused as refused:
            ui.notify(show(refused.message), type='negative')
            return
        heading = tn('%(name)s still has %(num)d upcoming booking:', '%(name)s still has %(num)d upcoming bookings:',
                     len(left or []), name=person.name)
        stranded_list(stranded_box, left or [], heading=heading, tz=ctx.tz, locale=ctx.locale)
        ui.notify(t('%(name)s is archived.', name=person.name) if person.active else
                  t('%(name)s can be booked again.', name=person.name), type='positive')
        await draw()

    def edit(person: d.Staff | None) -> None:
        form = StaffForm() if person is None else StaffForm(
            name=person.name, email=person.email, location_ids=list(person.location_ids),
            service_ids=list(person.service_ids))
        title = t('New staff member') if person is None else t('Edit %(name)s', name=person.name)
        dialog, body = form_dialog(title, mark='staff-dialog')
        with body:
            errors = FieldErrors()
            errors.field('name', ui.input(t('Name')).bind_value(form, 'name').props('outlined maxlength=80').classes(
                'w-full').mark('staff-name'))
            errors.field('email', ui.input(t('Email (optional)')).bind_value(form, 'email').props(
                'outlined type=email maxlength=254').classes('w-full').mark('staff-email'))
            errors.field('location_ids', ui.select(choices['locations'], multiple=True, label=t('Works at')).bind_value(
                form, 'location_ids').props('outlined use-chips').classes('w-full').mark('staff-locations'))
            errors.field('service_ids', ui.select(choices['services'], multiple=True, label=t('Offers')).bind_value(
                form, 'service_ids').props('outlined use-chips').classes('w-full').mark('staff-services'))
            if person is None:
                ui.label(t('Add a photo once the staff member is saved.')).classes('k-muted text-body2')
            else:
                _photo(ctx, person, on_change=draw)

            async def save() -> None:
                value = StaffInput(name=form.name, email=form.email, location_ids=tuple(form.location_ids),
                                   service_ids=tuple(form.service_ids))
                saving = ctx.act(catalog.save_staff, value=value, staff_id=None if person is None else person.id,
                                 now=ctx.now())
                await save_from_dialog(dialog, errors, saving, name=value.name, refused=CatalogRefused, then=draw)

            save_buttons(dialog, on_save=save, mark='staff-save')
        dialog.open()

    await draw()


def _photo(ctx: AdminContext, person: d.Staff, *, on_change: Handler) -> None:
    """The staff member's photo: upload (judged on the server) or remove."""
    message = ui.label().props('role=status aria-live=polite').mark('staff-photo-message')

    async def received(e: events.UploadEventArguments) -> None:
        if e.file.size() > avatars.MAX_BYTES:
            message.text = t('That photo is larger than 2 MB. Choose a smaller one.')
            uploader.reset()
            return
        data = await e.file.read()
        uploader.reset()
        try:
            await ctx.act(catalog.save_staff_photo, staff_id=person.id, data=data, now=ctx.now())
        except CatalogRefused as refused:
            message.text = show(refused.message)
            return
        message.text = t('The new photo is saved.')
        result = on_change()
        if result is not None:
            await result

    async def remove() -> None:
        await ctx.act(catalog.remove_staff_photo, staff_id=person.id, now=ctx.now())
        message.text = t('The photo was removed.')
        result = on_change()
        if result is not None:
            await result

    with ui.row().classes('items-center gap-2'):
        uploader = ui.upload(on_upload=received, auto_upload=True, max_file_size=avatars.MAX_BYTES).props(
            'accept="image/jpeg,image/png,image/webp"').classes('hidden').mark('staff-photo-upload')
        ui.button(t('Upload a photo'), icon='photo_camera').props('outline no-caps').on(
            'click', js_handler=f'() => runMethod({uploader.id}, "pickFiles", [])').mark('staff-photo-pick')
        if person.avatar_url:
            ui.button(t('Remove photo'), on_click=remove).props('flat no-caps color=negative').mark(
                'staff-photo-remove')


def _named(name: str, active: bool) -> str:
    return name if active else t('%(name)s (archived)', name=name)


def _staff_card(person: d.Staff, *, places: dict[int, str], offers: dict[int, str], on_edit: Handler,
                on_archive: Handler) -> None:
    with ui.card().classes('k-card w-full q-pa-md').mark(f'staff-{person.id}') as card:
        card.props['aria-label'] = person.name
        with ui.row().classes('w-full items-center gap-3'):
            if person.avatar_url:
                photo = ui.image(person.avatar_url).classes('rounded-full').style('width: 48px; height: 48px').props(
                    'fit=cover ratio=1')
                photo.props['alt'] = t('Photo of %(name)s', name=person.name)
            else:
                initials = ''.join(w[:1] for w in person.name.split()[:2]).upper() or '?'
                ui.label(initials).classes('rounded-full bg-primary text-white flex items-center justify-center').style(
                    'width: 48px; height: 48px').props('aria-hidden=true')
            with ui.column().classes('gap-0 col'):
                ui.label(person.name).classes('text-subtitle1 text-weight-medium').props('role=heading aria-level=2')
                if person.email:
                    ui.label(person.email).classes('k-muted text-body2')
            if not person.active:
                ui.badge(t('Archived'), color='grey-7').mark('staff-archived')
        where = [places[i] for i in person.location_ids if i in places]
        what = [offers[i] for i in person.service_ids if i in offers]
        ui.label(t('Works at %(places)s', places=', '.join(where)) if where else t('No location: online only.')
                 ).classes('text-body2')
        ui.label(t('Offers %(services)s', services=', '.join(what)) if what else t('Offers nothing yet.')).classes(
            'k-muted text-body2')
        with ui.row().classes('gap-2'):
            edit = ui.button(t('Edit'), on_click=on_edit).props('outline no-caps dense').mark(f'staff-edit-{person.id}')
            edit.props['aria-label'] = t('Edit %(name)s', name=person.name)
            hours = ui.link(t('Hours'), f'/admin/schedules?staff={person.id}').classes('q-px-sm self-center').mark(
                'staff-hours')
            hours.props['aria-label'] = t('Hours of %(name)s', name=person.name)
            toggle = ui.button(t('Archive') if person.active else t('Bring back'), on_click=on_archive).props(
                'flat no-caps dense').mark(f'staff-archive-{person.id}')
            toggle.props['aria-label'] = (t('Archive %(name)s', name=person.name) if person.active
                                          else t('Bring back %(name)s', name=person.name))

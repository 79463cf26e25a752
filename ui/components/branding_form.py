"""The business's look: its name, logo, primary colour (checked for contrast as it is typed) and light or dark theme.
Every change shows in the preview at once; Save keeps the name, colour and theme, an uploaded logo is kept at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from nicegui import events, ui

from domain import branding
from domain import model as d
from services import admin_settings, avatars
from ui.components.admin_fields import FieldErrors, field
from ui.i18n import t

LogoSaver = Callable[[bytes | None], Awaitable[d.Tenant | str]]


class BrandingForm:
    """A working copy of the tenant's name and branding (`value`); `on_change(tenant)` hears every edit,
    `save_logo(data or None)` stores or removes the logo and returns the business or the reason it was refused."""

    def __init__(self, tenant: d.Tenant, *, on_change: Callable[[d.Tenant], None], save_logo: LogoSaver) -> None:
        self.value = tenant
        self.errors = FieldErrors()
        self._on_change = on_change
        self._save_logo = save_logo
        with ui.column().classes('gap-4 w-full max-w-xl').mark('branding-form'):
            self.name = field(self.errors, 'name', t('How the business is called at the top of every page and in '
                                                     'emails.'),
                              lambda: ui.input(t('Business name'), value=tenant.name,
                                               on_change=lambda e: self._edit(name=str(e.value or ''))).props(
                                  'outlined').classes('w-full').mark('brand-name'))
            self.name.props['maxlength'] = admin_settings.NAME_MAX
            self._logo_field(tenant)
            self.colour = field(self.errors, 'primary_color',
                                t('Buttons and the top bar use it with white text on it, so it must be dark enough '
                                  'for white text to read (a contrast of at least 4.5:1).'),
                                lambda: ui.color_input(t('Primary colour'), value=tenant.branding.primary_color,
                                                       on_change=lambda e: self._colour(str(e.value or '')),
                                                       preview=True).props(
                                    'outlined').classes('w-full').mark('brand-color'))
            self.colour.button.props['aria-label'] = t('Pick a colour')  # type: ignore[attr-defined]
            self.dark = field(self.errors, 'dark', t('Dark: light text on a dark page, easier on the eyes at night.'),
                              lambda: ui.switch(t('Dark theme'), value=tenant.branding.dark,
                                                on_change=lambda e: self._edit(dark=bool(e.value))).mark(
                                  'brand-dark'))

    def load(self, tenant: d.Tenant) -> None:
        """Show `tenant` again (Discard, after Save)."""
        self.value = tenant
        self.name.set_value(tenant.name)  # type: ignore[attr-defined]
        self.colour.set_value(tenant.branding.primary_color)  # type: ignore[attr-defined]
        self.dark.set_value(tenant.branding.dark)  # type: ignore[attr-defined]
        self._draw_logo()
        self.errors.show_all({})
        self._on_change(tenant)

    def _colour(self, value: str) -> None:
        """Said at once when white text would not read on it (the server refuses it again on Save)."""
        problem = branding.brand_color_problem(value)
        self.errors.show_all({'primary_color': problem} if problem else {})
        if problem is None:
            self._edit(primary_color=branding.to_hex(branding.parse_hex(value)))

    def _edit(self, *, name: str | None = None, primary_color: str | None = None, dark: bool | None = None) -> None:
        look = self.value.branding
        changed = replace(self.value, name=name if name is not None else self.value.name, branding=replace(
            look, primary_color=primary_color or look.primary_color, dark=look.dark if dark is None else dark))
        if changed != self.value:
            self.value = changed
            self._on_change(changed)

    # ---- the logo -----------------------------------------------------------------------------------------------

    def _logo_field(self, tenant: d.Tenant) -> None:
        with ui.column().classes('gap-1 w-full').mark('field-logo'):
            ui.label(t('Logo')).classes('text-subtitle1')
            self.picture = ui.element('div')
            ui.label(t('JPG, PNG or WEBP, up to 2 MB. It is saved as soon as it is uploaded.')).classes(
                'text-caption k-muted')
            # Quasar's uploader has unnamed controls: hidden, opened from a named button (as the profile photo's).
            self.uploader = ui.upload(on_upload=self._received, on_rejected=self._too_big, auto_upload=True,
                                      max_file_size=avatars.MAX_BYTES).props(
                'accept="image/jpeg,image/png,image/webp"').classes('hidden').mark('logo-upload')
            with ui.row().classes('gap-2'):
                ui.button(t('Upload a logo'), icon='upload').props('outline no-caps').on(
                    'click', js_handler=f'() => runMethod({self.uploader.id}, "pickFiles", [])').mark('logo-pick')
                self.remove = ui.button(t('Remove logo'), on_click=self._remove).props(
                    'flat no-caps color=negative').mark('logo-remove')
            self.logo_message = ui.label('').props('role=status aria-live=polite').mark('logo-message')
        self._draw_logo()

    def _draw_logo(self) -> None:
        self.picture.clear()
        url = self.value.branding.logo_url
        with self.picture:
            if url:
                image = ui.image(url).classes('k-logo').style('width: 64px; height: 64px').mark('logo-image')
                image.props['alt'] = t('Logo of %(business)s', business=self.value.name)
            else:
                ui.label(t('No logo yet.')).classes('text-body2 k-muted')
        self.remove.set_visibility(bool(url))

    async def _received(self, e: events.UploadEventArguments) -> None:
        if e.file.size() > avatars.MAX_BYTES:
            self._too_big()
            return
        await self._logo(await e.file.read(), t('The new logo is saved.'))
        self.uploader.reset()

    async def _remove(self) -> None:
        await self._logo(None, t('The logo was removed.'))

    async def _logo(self, data: bytes | None, done: str) -> None:
        result = await self._save_logo(data)
        if isinstance(result, str):
            self._say(result, error=True)
            return
        self.value = replace(self.value, branding=replace(self.value.branding, logo_url=result.branding.logo_url))
        self._draw_logo()
        self._say(done, error=False)
        self._on_change(self.value)

    def _too_big(self) -> None:
        self._say(t('That file is larger than 2 MB. Choose a smaller one.'), error=True)
        self.uploader.reset()

    def _say(self, text: str, *, error: bool) -> None:
        self.logo_message.set_text(text)
        self.logo_message.classes(replace='text-negative' if error else 'text-positive')

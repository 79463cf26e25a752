"""The profile photo: the current picture (or initials) and an upload that the server judges by content."""

from __future__ import annotations

from nicegui import events, ui

from domain.i18n import N_
from services import avatars
from ui.context import PanelContext
from ui.i18n import show, t

HELP = N_('JPG, PNG or WEBP, up to 2 MB. We shrink it and remove hidden data such as location.')
TOO_BIG = N_('That photo is larger than 2 MB. Choose a smaller one.')
REFUSED = N_('That photo could not be uploaded: it is larger than 2 MB. Choose a smaller one.')


def initials(first: str, last: str, email: str) -> str:
    letters = (first[:1] + last[:1]).upper()
    return letters or email[:1].upper() or '?'


def avatar_upload(ctx: PanelContext, *, first_name: str, last_name: str, email: str,
                  avatar_url: str | None) -> None:
    """Shows the photo and, for its owner only (the signed-in customer), a way to replace or remove it."""
    state = {'url': avatar_url}

    def draw() -> None:
        picture.clear()
        with picture:
            if state['url']:
                image = ui.image(state['url']).props('fit=cover ratio=1').classes(
                    'w-24 h-24 rounded-full').mark('avatar-image')
                image.props['alt'] = t('Your profile photo')
            else:
                initials_box = ui.element('div').classes(
                    'w-24 h-24 rounded-full bg-primary text-white flex items-center justify-center text-h5'
                ).props('role=img').mark('avatar-initials')
                initials_box.props['aria-label'] = t('No profile photo yet')
                with initials_box:
                    ui.label(initials(first_name, last_name, email))
        remove.set_visibility(bool(state['url']))

    async def received(e: events.UploadEventArguments) -> None:
        message.text = ''
        if e.file.size() > avatars.MAX_BYTES:  # judged before the file is read into memory
            too_big()
            return
        data = await e.file.read()
        try:
            # customer_id comes from the session, never from the browser: only the owner can change it.
            url = await ctx.act(avatars.save_avatar, data=data, now=ctx.now())
        except avatars.AvatarRefused as refusal:
            tell(show(refusal.message), error=True)
        else:
            state['url'] = url
            draw()
            tell(t('Your new photo is saved.'), error=False)
        uploader.reset()

    def too_big() -> None:
        tell(t(TOO_BIG), error=True)
        uploader.reset()

    def refused_by_server() -> None:
        # The server refuses an oversized body before reading it (413); the uploader then only says "failed".
        tell(t(REFUSED), error=True)
        uploader.reset()

    async def remove_photo() -> None:
        await ctx.act(avatars.remove_avatar)
        state['url'] = None
        draw()
        tell(t('Your photo was removed.'), error=False)

    def tell(text: str, *, error: bool) -> None:
        message.text = text
        message.classes(replace='text-negative' if error else 'text-positive')

    with ui.row().classes('items-center gap-4 w-full').mark('avatar'):
        picture = ui.element('div')
        with ui.column().classes('gap-1 grow'):
            ui.label(t('Profile photo')).classes('text-subtitle1 text-weight-medium')
            ui.label(t(HELP)).classes('text-caption k-muted')
            # The browser's own limit is a courtesy; the server checks size and content again.
            # Quasar's uploader widget has unnamed controls; keep it hidden and open its file picker from a
            # plain, named button (in the browser, so the click still counts as the customer's own gesture).
            uploader = ui.upload(on_upload=received, on_rejected=too_big, auto_upload=True,
                                 max_file_size=avatars.MAX_BYTES).props(
                'accept="image/jpeg,image/png,image/webp"').classes('hidden').mark('avatar-upload')
            uploader.on('failed', refused_by_server)
            ui.button(t('Upload a photo'), icon='photo_camera').props('outline no-caps').classes('self-start').on(
                'click', js_handler=f'() => runMethod({uploader.id}, "pickFiles", [])').mark('avatar-pick')
            remove = ui.button(t('Remove photo'), on_click=remove_photo).props('flat no-caps dense color=negative') \
                .classes('self-start').mark('avatar-remove')
            message = ui.label('').props('role=status aria-live=polite').mark('avatar-message')
    draw()

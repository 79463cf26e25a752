"""The admins at /admin/admins (owner only): who can sign in, invitations by email link, removing an admin."""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from domain.admins import ROLE_LABELS, Admin, AdminRole, Invitation, NotAllowed
from domain.i18n import N_
from services import admin_auth
from services import formatting as fmt
from ui.i18n import show, t
from ui.pages.admin.shell import AdminContext, admin_page


@dataclass
class InviteForm:
    email: str = ''
    role: str = AdminRole.MANAGER.value


@admin_page('/admin/admins', title=N_('Admins'), role=AdminRole.OWNER)
async def admins_page(ctx: AdminContext) -> None:
    ui.label(t('Admins')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('Owners can do everything. Managers can do everything but manage admins and payment settings.')
             ).classes('k-muted')
    form = InviteForm()

    with ui.card().classes('k-card w-full max-w-xl q-pa-md gap-3').mark('admin-invite-form'):
        ui.label(t('Invite an admin')).classes('text-subtitle1').props('role=heading aria-level=2')
        ui.label(t('They get an email with a link to choose their password. The link works for 72 hours.')
                 ).classes('k-muted')
        email = ui.input(t('Email')).bind_value(form, 'email').props(
            'type=email outlined maxlength=254 autocomplete=off').classes('w-full').mark('invite-email')
        roles = {role.value: t(ROLE_LABELS[role]) for role in AdminRole}
        ui.select(roles, label=t('Role')).bind_value(form, 'role').props('outlined').classes('w-full').mark(
            'invite-role')
        notice = ui.label().props('role=status').mark('invite-notice')

        async def send() -> None:
            email.props(remove='error')
            notice.text = ''
            try:
                sent_to = await ctx.act(admin_auth.invite, need=AdminRole.OWNER, email=form.email, role=form.role,
                                        now=ctx.now())
            except admin_auth.AdminRefused as refusal:
                email.props['error-message'] = show(refusal.text)
                email.props('error')
                return
            except NotAllowed as refusal:
                notice.text = show(refusal.text)
                return
            form.email = ''
            notice.text = t('Invitation sent to %(email)s.', email=sent_to)
            await listing.refresh()

        ui.button(t('Send invitation'), on_click=send).props('unelevated no-caps').mark('invite-send')

    listing = Listing(ctx)
    await listing.refresh()


class Listing:
    """The admins and open invitations, drawn again after each change (state kept in this page's own object)."""

    def __init__(self, ctx: AdminContext) -> None:
        self.ctx = ctx
        self.box = ui.column().classes('w-full gap-3').mark('admins-list')

    async def refresh(self) -> None:
        view = await self.ctx.act(admin_auth.admins_view, need=AdminRole.OWNER, now=self.ctx.now())
        self.box.clear()
        with self.box:
            ui.label(t('Who can sign in')).classes('text-subtitle1').props('role=heading aria-level=2')
            with ui.list().props('bordered separator').classes('w-full k-card'):
                for admin in view.admins:
                    self._admin_row(admin)
            if view.invitations:
                ui.label(t('Invitations waiting')).classes('text-subtitle1').props('role=heading aria-level=2')
                with ui.list().props('bordered separator').classes('w-full k-card').mark('invitations'):
                    for invitation in view.invitations:
                        self._invitation_row(invitation)

    def _admin_row(self, admin: Admin) -> None:
        with ui.item().mark(f'admin-{admin.id}'):
            with ui.item_section():
                ui.item_label(admin.display_name)
                ui.item_label(f'{admin.email} · {t(ROLE_LABELS[admin.role])}').props('caption')
            if admin.id != self.ctx.admin_id:
                with ui.item_section().props('side'):
                    roles = {role.value: t(ROLE_LABELS[role]) for role in AdminRole}
                    select = ui.select(roles, value=admin.role.value,
                                       on_change=lambda e, a=admin: self._change_role(a, e.value)).props(
                        'outlined dense options-dense').mark(f'role-admin-{admin.id}')
                    select.props['aria-label'] = t('Role of %(name)s', name=admin.display_name)
                with ui.item_section().props('side'):
                    button = ui.button(t('Remove'), on_click=lambda a=admin: self._remove(a)).props(
                        'flat no-caps color=negative').mark(f'remove-admin-{admin.id}')
                    button.props['aria-label'] = t('Remove %(name)s', name=admin.display_name)

    def _invitation_row(self, invitation: Invitation) -> None:
        with ui.item().mark(f'invitation-{invitation.id}'):
            with ui.item_section():
                ui.item_label(invitation.email)
                ui.item_label(t('%(role)s · until %(when)s', role=t(ROLE_LABELS[invitation.role]),
                                when=fmt.date_time(invitation.expires_at, self.ctx.tz, locale=self.ctx.locale))
                              ).props('caption')
            with ui.item_section().props('side'):
                button = ui.button(t('Cancel'), on_click=lambda i=invitation: self._cancel(i)).props(
                    'flat no-caps').mark(f'cancel-invitation-{invitation.id}')
                button.props['aria-label'] = t('Cancel the invitation of %(email)s', email=invitation.email)

    async def _remove(self, admin: Admin) -> None:
        with ui.dialog() as dialog, ui.card().classes('q-pa-md gap-3'):
            ui.label(t('Remove %(name)s?', name=admin.display_name)).classes('text-h6').props(
                'role=heading aria-level=2')
            ui.label(t('They are signed out at once and cannot sign in here any more. The audit log keeps their '
                       'changes.'))
            with ui.row().classes('gap-2 justify-end w-full'):
                ui.button(t('Keep'), on_click=lambda: dialog.submit(False)).props('flat no-caps')
                ui.button(t('Remove'), on_click=lambda: dialog.submit(True)).props(
                    'unelevated no-caps color=negative').mark('confirm-remove')
        if not await dialog:
            return
        try:
            await self.ctx.act(admin_auth.remove_admin, need=AdminRole.OWNER, target_id=admin.id, now=self.ctx.now())
        except (admin_auth.AdminRefused, NotAllowed) as refusal:
            ui.notify(show(refusal.text), type='negative')
        await self.refresh()

    async def _change_role(self, admin: Admin, role: str) -> None:
        if role == admin.role.value:
            return
        try:
            await self.ctx.act(admin_auth.change_role, need=AdminRole.OWNER, target_id=admin.id, role=role,
                               now=self.ctx.now())
        except (admin_auth.AdminRefused, NotAllowed) as refusal:
            ui.notify(show(refusal.text), type='negative')
        else:
            ui.notify(t('%(name)s is now %(role)s.', name=admin.display_name, role=t(ROLE_LABELS[AdminRole(role)])),
                      type='positive')
        await self.refresh()

    async def _cancel(self, invitation: Invitation) -> None:
        await self.ctx.act(admin_auth.cancel_invitation, need=AdminRole.OWNER, invitation_id=invitation.id,
                           now=self.ctx.now())
        await self.refresh()

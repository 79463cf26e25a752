"""The admin's Statuses page body: the business's statuses in order, each as its badge with what it means; add,
edit (label per language, colour, icon, busy, role), move up and down, delete an unused one or merge one in use.

The page (in the admin shell) hands in `act`, which runs a service as the signed-in admin; every action goes to
services.statuses, which checks it all again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nicegui import ui

from domain import model as d
from domain.i18n import N_, SHIPPED_LOCALES
from domain.statuses import ICONS
from services import statuses as svc
from services.i18n import language_name
from ui.components.admin import Act
from ui.i18n import locale, page_statuses, show, t, tn
from ui.theme import status_badge

ROLE_WORDS: dict[d.StatusRole, str] = {
    d.StatusRole.NEW_BOOKING: N_('New bookings get it (waits for you to confirm)'),
    d.StatusRole.CONFIRMED: N_('Confirmed by the business'),
    d.StatusRole.CUSTOMER_CANCEL: N_("A customer's cancel sets it"),
    d.StatusRole.REJECTED: N_('Declined by the business'),
    d.StatusRole.NO_SHOW: N_('The customer did not come'),
    d.StatusRole.OTHER: N_('No special meaning'),
}


@dataclass
class Form:
    """The edit dialog's values (bound to its fields; never a row)."""

    key: str | None = None
    label: str = ''
    labels: dict[str, str] = field(default_factory=dict)
    color: str = '#4f46e5'
    icon: str = 'label'
    busy: bool = True
    role: str = d.StatusRole.OTHER.value


@dataclass
class Editor:
    """What every control of the editor acts for: the signed-in admin's business, and how to redraw the list."""

    run: Act
    message: ui.label
    refresh: Callable[[], Awaitable[None]]

    async def call(self, action: Callable[..., Any], /, **kwargs: Any) -> Any:
        """Run a change off the event loop (StatusRefused passes through), then redraw the list."""
        result = await self.run(action, now=datetime.now(UTC), **kwargs)
        self.message.set_text('')
        await self.refresh()
        return result

    async def act(self, action: Callable[..., Any], /, **kwargs: Any) -> bool:
        """Run a change; True when it was made, else its reason is shown above the list."""
        try:
            await self.call(action, **kwargs)
        except svc.StatusRefused as refused:
            self.message.set_text(show(refused.reason))
            return False
        return True


def statuses_editor(act: Act) -> None:
    """Draw the editor for the signed-in admin's business (`act`: see ui.components.admin)."""
    message = ui.label().classes('text-negative text-body2').props('role=alert').mark('status-message')
    listing = ui.column().classes('w-full gap-2').mark('status-list')

    async def refresh() -> None:
        found = await act(svc.status_list)
        if found is None:  # the server is shutting down
            return
        listing.clear()
        with listing:
            _draw_list(found, editor)

    editor = Editor(act, message, refresh)
    ui.button(t('Add a status'), icon='add', on_click=lambda: _edit_dialog(Form(), editor)).props(
        'unelevated').mark('status-add')
    ui.timer(0, refresh, once=True)


def _draw_list(found: svc.StatusList, editor: Editor) -> None:
    shown = page_statuses(found.statuses)
    keys = [st.key for st in found.statuses]
    for i, (status, label) in enumerate(zip(found.statuses, shown, strict=True)):
        in_use = found.in_use.get(status.key, 0)
        with ui.card().classes('w-full q-pa-sm').mark(f'status-{status.key}'):
            with ui.row().classes('w-full items-center no-wrap gap-2'):
                status_badge(label, mark=f'status-badge-{status.key}')
                with ui.column().classes('col gap-0'):
                    ui.label(t(ROLE_WORDS[status.role])).classes('text-caption')
                    busy = t('Holds the time slot') if status.busy else t('Frees the time slot')
                    ui.label(f'{busy} · ' + tn('%(num)d appointment', '%(num)d appointments', in_use)).classes(
                        'text-caption k-muted').mark(f'status-use-{status.key}')
                _move_button(editor, t('Move %(status)s up', status=label.label), 'arrow_upward',
                             _swapped(keys, i, i - 1) if i > 0 else None, mark=f'status-up-{status.key}')
                _move_button(editor, t('Move %(status)s down', status=label.label), 'arrow_downward',
                             _swapped(keys, i, i + 1) if i < len(keys) - 1 else None,
                             mark=f'status-down-{status.key}')
                edit = ui.button(icon='edit', on_click=lambda st=status: _edit_dialog(_form_of(st), editor)).props(
                    'flat round dense').mark(f'status-edit-{status.key}')
                edit.props['aria-label'] = t('Edit %(status)s', status=label.label)
                remove = ui.button(icon='delete', on_click=lambda st=status, lb=label.label, n=in_use:
                                   _remove_dialog(st, lb, n, shown, editor)).props('flat round dense').mark(
                    f'status-remove-{status.key}')
                remove.props['aria-label'] = t('Delete or merge %(status)s', status=label.label)


def _move_button(editor: Editor, name: str, icon: str, order: list[str] | None, *, mark: str) -> None:
    async def move() -> None:
        if order is not None:
            await editor.act(svc.reorder_statuses, keys=order)

    button = ui.button(icon=icon, on_click=move).props('flat round dense').mark(mark)
    button.props['aria-label'] = name
    if order is None:
        button.disable()


def _swapped(keys: list[str], a: int, b: int) -> list[str]:
    out = list(keys)
    out[a], out[b] = out[b], out[a]
    return out


def _form_of(status: d.Status) -> Form:
    return Form(key=status.key, label=status.label, labels=dict(status.labels), color=status.color,
                icon=status.icon, busy=status.busy, role=status.role.value)


def _edit_dialog(form: Form, editor: Editor) -> None:
    title = t('Edit status') if form.key else t('New status')
    with ui.dialog() as dialog, ui.card().classes('w-full q-pa-md').style('max-width: 32rem'):
        dialog.props['aria-label'] = title
        ui.label(title).classes('text-h6').props('role=heading aria-level=2')
        errors: dict[str, ui.label] = {}

        def problem_slot(name: str) -> None:
            errors[name] = ui.label().classes('text-negative text-caption').mark(f'status-problem-{name}')

        ui.input(t('Name'), validation=None).bind_value(form, 'label').props('maxlength=40 counter').classes(
            'w-full').mark('status-label')
        problem_slot('label')
        with ui.expansion(t('Name in other languages'), icon='translate').classes('w-full'):
            ui.label(t('Left empty, customers reading that language see the name above.')).classes(
                'text-caption k-muted')
            for loc in SHIPPED_LOCALES:
                field_input = ui.input(language_name(loc, reader=locale()), value=form.labels.get(loc, '')).props(
                    'maxlength=40').classes('w-full').mark(f'status-label-{loc}')
                field_input.on_value_change(lambda e, loc=loc: form.labels.__setitem__(loc, e.value or ''))
                problem_slot(f'label_{loc}')
        with ui.row().classes('w-full items-start gap-2'):
            ui.color_input(t('Colour'), value=form.color).bind_value(form, 'color').classes('col').mark(
                'status-color')
            ui.select({name: name for name in sorted({*ICONS, form.icon})}, label=t('Icon'),
                      with_input=True).bind_value(form, 'icon').classes('col').mark('status-icon')
        problem_slot('color')
        problem_slot('icon')
        ui.switch(t('Holds the time slot (nobody else can book it)')).bind_value(form, 'busy').mark('status-busy')
        ui.select({role.value: t(words) for role, words in ROLE_WORDS.items()}, label=t('What it means')).bind_value(
            form, 'role').classes('w-full').mark('status-role')
        failure = ui.label().classes('text-negative text-body2').props('role=alert').mark('status-form-error')

        async def save() -> None:
            for slot in errors.values():
                slot.set_text('')
            values = {'label': form.label or '', 'labels': form.labels, 'color': form.color or '',
                      'icon': form.icon or '', 'busy': form.busy, 'role': d.StatusRole(form.role)}
            try:
                if form.key:
                    await editor.call(svc.update_status, key=form.key, **values)
                else:
                    await editor.call(svc.add_status, **values)
            except svc.StatusRefused as refused:
                failure.set_text(show(refused.reason))
                for name, text in refused.problems.items():
                    if name in errors:
                        errors[name].set_text(show(text))
                return
            dialog.close()

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(t('Cancel'), on_click=dialog.close).props('flat').mark('status-cancel')
            ui.button(t('Save'), on_click=save).props('unelevated').mark('status-save')
    dialog.open()


def _remove_dialog(status: d.Status, label: str, in_use: int, shown: tuple[d.Status, ...],
                   editor: Editor) -> None:
    others = {st.key: st.label for st in shown if st.key != status.key}
    title = t('Merge %(status)s', status=label) if in_use else t('Delete %(status)s', status=label)
    with ui.dialog() as dialog, ui.card().classes('w-full q-pa-md').style('max-width: 28rem'):
        dialog.props['aria-label'] = title
        ui.label(title).classes('text-h6').props('role=heading aria-level=2')
        choice = {'into': next(iter(others), None)}
        if in_use:
            ui.label(tn('%(num)d appointment is in this status, so it cannot simply be deleted. Merge it into '
                        'another: it moves there, with a line in its history.',
                        '%(num)d appointments are in this status, so it cannot simply be deleted. Merge it into '
                        'another: they move there, each with a line in its history.', in_use)).classes('text-body2')
            ui.select(others, label=t('Merge into')).bind_value(choice, 'into').classes('w-full').mark(
                'status-merge-into')
        else:
            ui.label(t('No appointment is in this status. Delete it?')).classes('text-body2')
        failure = ui.label().classes('text-negative text-body2').props('role=alert')

        async def confirm() -> None:
            if in_use:
                done = await editor.act(svc.merge_status, key=status.key, into=choice['into'] or '')
            else:
                done = await editor.act(svc.delete_status, key=status.key)
            if done:
                dialog.close()
            else:
                failure.set_text(t('Not done: the reason is shown above the list.'))

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(t('Cancel'), on_click=dialog.close).props('flat')
            ui.button(t('Merge') if in_use else t('Delete'), on_click=confirm).props('unelevated color=negative') \
                .mark('status-remove-confirm')
    dialog.open()

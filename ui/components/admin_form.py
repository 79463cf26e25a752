"""What the admin's catalog forms share: a refusal's reasons drawn next to their fields, a dialog with a heading,
and numbers and money read from what was typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal, InvalidOperation

from nicegui import ui

from domain.i18n import Text
from services import formatting as fmt
from ui.components.styles import add_css_once
from ui.i18n import show, t

CSS = '''
.k-form-grid { display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); }
'''

NOT_A_NUMBER = -1  # what an empty or unreadable number field sends: the domain refuses it with the field's reason


class FieldErrors:
    """Each reason goes under its own field (Quasar's error slot, announced, the field marked invalid); a reason for
    no field in particular (or for one not on the form) goes to the form's alert line."""

    def __init__(self) -> None:
        self.fields: dict[str, ui.element] = {}
        self.general = ui.label().classes('text-negative').props('role=alert').mark('form-error')
        self.general.set_visibility(False)

    def field(self, key: str, element: ui.element) -> ui.element:
        self.fields[key] = element
        return element

    def show(self, problems: Mapping[str, Text]) -> None:
        self.clear()
        stray = []
        for key, problem in problems.items():
            element = self.fields.get(key)
            if element is None:
                stray.append(show(problem))
                continue
            element.props['error'] = True
            element.props['error-message'] = show(problem)  # by key: never parsed as props
            element.update()
        if stray:
            self.general.text = ' '.join(stray)
            self.general.set_visibility(True)
        elif problems:
            self.general.text = t('Please correct the fields marked in red.')
            self.general.set_visibility(True)

    def clear(self) -> None:
        for element in self.fields.values():
            if element.props.get('error'):
                element.props['error'] = False
                element.props.pop('error-message', None)
                element.update()
        self.general.set_visibility(False)


async def save_from_dialog(dialog: ui.dialog, errors: FieldErrors, saving: Awaitable[object], *, name: str,
                           refused: type[Exception] | tuple[type[Exception], ...],
                           then: Callable[[], Awaitable[None]]) -> None:
    """Await the save; a refusal (an exception with `problems`, reasons by field) goes next to its fields and keeps
    the dialog open; otherwise the dialog closes, "<name> is saved." is said and `then` redraws the page."""
    try:
        await saving
    except refused as refusal:
        errors.show(getattr(refusal, 'problems', {}))
        return
    dialog.close()
    ui.notify(t('%(name)s is saved.', name=name.strip()), type='positive')
    await then()


def save_buttons(dialog: ui.dialog, *, on_save: Callable[[], Awaitable[None]], mark: str) -> None:
    """Cancel and Save at the foot of a form dialog; Save carries `mark`."""
    with ui.row().classes('w-full justify-end gap-2'):
        ui.button(t('Cancel'), on_click=dialog.close).props('flat no-caps')
        ui.button(t('Save'), on_click=on_save).props('unelevated no-caps').mark(mark)


def form_dialog(title: str, *, mark: str) -> tuple[ui.dialog, ui.column]:
    """A dialog named by its heading, full screen on a phone; fill the returned column."""
    add_css_once(CSS)
    dialog = ui.dialog().mark(mark)
    dialog.props['aria-label'] = title
    with dialog, ui.card().classes('w-full q-pa-md gap-3').style('max-width: 40rem'):
        with ui.row().classes('w-full items-center no-wrap'):
            ui.label(title).classes('text-h6 col').props('role=heading aria-level=2')
            close = ui.button(icon='close', on_click=dialog.close).props('flat round dense')
            close.props['aria-label'] = t('Close')
        body = ui.column().classes('w-full gap-3')
    return dialog, body


def whole(value: object) -> int:
    """A whole number from a number field; NOT_A_NUMBER when it is empty or not whole."""
    if isinstance(value, bool) or value is None:
        return NOT_A_NUMBER
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return NOT_A_NUMBER


def minor_units(value: object, currency: str) -> int:
    """An amount typed in the currency's main unit (45.50) as minor units (4550); NOT_A_NUMBER when unreadable or
    finer than the currency counts."""
    if value is None or isinstance(value, bool):
        return NOT_A_NUMBER
    try:
        amount = Decimal(str(value)).scaleb(fmt.minor_unit_digits(currency))
    except InvalidOperation:
        return NOT_A_NUMBER
    return int(amount) if amount == amount.to_integral_value() else NOT_A_NUMBER


def major_units(amount: int, currency: str) -> float:
    """Minor units as the number a field shows (4550 -> 45.5)."""
    return float(fmt.to_major(amount, currency))

"""What the admin forms share: a control with its plain-language help under it and, when the server refuses, the
reason right there (role=alert), plus the Save and Discard row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from nicegui import ui

from domain.i18n import Text
from ui.i18n import show, t


class FieldErrors:
    """The refusal labels of one form, by field name: `show_all` puts each reason next to its field and clears the
    others; a reason for no known field goes to the form's own line."""

    def __init__(self) -> None:
        self.labels: dict[str, ui.label] = {}
        self.form_line: ui.label | None = None

    def slot(self, name: str) -> ui.label:
        """The (empty) place for the reason `name` may be refused with; the control's aria-describedby points here."""
        label = ui.label('').classes('text-negative text-body2 hidden').props('role=alert').mark(f'error-{name}')
        self.labels[name] = label
        return label

    def form_slot(self) -> None:
        self.form_line = ui.label('').classes('text-negative text-body2 hidden').props('role=alert').mark('error-form')

    def show_all(self, problems: Mapping[str, Text | str]) -> None:
        leftover = [show(text) for name, text in problems.items() if name not in self.labels]
        for name, label in self.labels.items():
            text = show(problems[name]) if name in problems else ''
            label.set_text(text)
            label.classes(remove='hidden') if text else label.classes(add='hidden')
        if self.form_line is not None:
            self.form_line.set_text(' '.join(leftover))
            self.form_line.classes(remove='hidden') if leftover else self.form_line.classes(add='hidden')

    def shown(self) -> dict[str, str]:
        """The reasons on screen now, by field (what a test reads)."""
        return {name: label.text for name, label in self.labels.items() if label.text}


def field(errors: FieldErrors, name: str, help_text: str, control: Callable[[], ui.element]) -> ui.element:
    """`control()` drawn with its help under it and the place for its refusal; returns the control."""
    with ui.column().classes('gap-1 w-full').mark(f'field-{name}'):
        element = control()
        helper = ui.label(help_text).classes('text-caption k-muted')
        error = errors.slot(name)
        element.props['aria-describedby'] = f'{helper.html_id} {error.html_id}'
    return element


def save_row(*, on_save: Callable[[], Awaitable[None]], on_discard: Callable[[], Any],
             save_label: str | None = None) -> tuple[ui.button, ui.button]:
    """Save and Discard, Save first (the likely next step), both named."""
    with ui.row().classes('gap-2 items-center'):
        save = ui.button(save_label or t('Save'), on_click=on_save).props('unelevated no-caps color=primary').mark(
            'save')
        discard = ui.button(t('Discard changes'), on_click=on_discard).props('outline no-caps color=primary').mark(
            'discard')
    return save, discard

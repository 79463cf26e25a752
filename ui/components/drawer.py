"""The slide-in drawer every appointment action opens: a right-side dialog with a title and a close button."""

from __future__ import annotations

from nicegui import context, ui
from nicegui.slot import Slot

from domain import model as d
from services import appointments, panel
from ui.components.live import Listening
from ui.components.words import say
from ui.context import PanelContext
from ui.i18n import t


def one_use_canary(slot: Slot | None, before: int) -> ui.element | None:
    """The hidden "canary" element a ui.dialog just made in `slot` left there (`before`: the slot's children before
    it), or None. NiceGUI deletes the dialog when its canary goes, with its surroundings; a dialog used once deletes
    its canary with itself (`discard`), so canaries do not pile up where dialogs are made."""
    made = slot.children[before:] if slot is not None else []
    return made[0] if len(made) == 1 else None


def discard(dialog: ui.dialog, canary: ui.element | None) -> None:
    """Delete a dialog used once, and its canary (`one_use_canary`), whichever of them is still there."""
    if not dialog.is_deleted:
        dialog.delete()
    if canary is not None and not canary.is_deleted and canary.parent_slot is not None:
        canary.delete()


class Drawer(ui.dialog):
    """A dialog that slides in from the right (full height on desktop, full width on a phone)."""

    def __init__(self, title: str, *, mark: str = '') -> None:
        slot = context.slot_stack[-1] if context.slot_stack else None
        before = len(slot.children) if slot is not None else 0
        super().__init__()
        # Its canary (one_use_canary: here next to the Appointments section, for every drawer ever opened) goes with
        # it once it is hidden, rather than pile up on the page (memory, and a longer parent to send).
        self._canary = one_use_canary(slot, before)
        # The name goes on the dialog itself (Quasar gives it role=dialog), not only on its card.
        # "right" is the end of the line: Quasar's stylesheet puts it on the left in a right-to-left page (Arabic).
        self.props('position=right full-height').classes('k-drawer')
        self.props['aria-label'] = title  # set by key: a title is text, never parsed as props
        ui.dialog.__enter__(self)
        try:
            card = ui.card().classes('k-drawer-card q-pa-none')
            card.props['aria-label'] = title
            with card:
                with ui.row().classes('w-full items-center no-wrap q-px-md q-pt-md'):
                    ui.label(title).classes('text-h6 col').props('role=heading aria-level=2')
                    close = ui.button(icon='close', on_click=self.close).props('flat round dense').mark('drawer-close')
                    close.props['aria-label'] = t('Close')
                self.body = ui.column().classes('w-full q-pa-md gap-3 k-drawer-body')
        finally:
            ui.dialog.__exit__(self, None, None, None)
        if mark:
            self.mark(mark)
        # A drawer is used once: deleted when the browser says it has slid out. Whatever in it listens to live events
        # stops at once when it closes, not only then: a browser that never says so must not keep it working.
        self.on('hide', self._hidden)
        self.on_value_change(lambda e: None if e.value else self._stop_listening())

    def _hidden(self) -> None:
        canary, self._canary = self._canary, None
        discard(self, canary)

    def _stop_listening(self) -> None:
        for element in self.descendants():
            if isinstance(element, Listening):
                element.stop_listening()

    def __enter__(self) -> Drawer:
        self.body.__enter__()
        return self

    def __exit__(self, *args: object) -> None:
        self.body.__exit__(*args)


def drawer(title: str, *, mark: str = '') -> Drawer:
    """`with drawer(t('Details')) as d: ...` then `d.open()`; content goes into the drawer's body (`title` comes
    translated)."""
    return Drawer(title, mark=mark)


async def own_appointment(ctx: PanelContext, appointment_id: int) -> d.Appointment | None:
    """The customer's own appointment (with its history) for a drawer; anyone else's gets a notice and None."""
    appt = await ctx.act(panel.appointment_detail, appointment_id=appointment_id)
    if appt is None:
        ui.notify(say(appointments.NOT_YOURS), type='negative')
    return appt

"""The Panel Designer's switches: what the customer panel shows. Each switch changes the draft at once (the preview
follows); nothing is saved until Save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

from nicegui import ui

from domain.i18n import N_
from domain.settings import PanelDesigner
from ui.i18n import t

# Each switch: its label and what it changes, in the admin's words (the CLI's are in domain.settings.HELP).
SWITCHES: dict[str, tuple[str, str]] = {
    'show_mini_dashboard': (N_('Mini-dashboard'),
                            N_('The next-appointment card and the upcoming and completed counts.')),
    'show_staff': (N_('Staff'), N_('Who the appointment is with, on cards and in Details.')),
    'show_staff_avatar': (N_("Staff member's photo"),
                          N_('Their photo or initials next to their name (needs Staff).')),
    'show_location': (N_('Location'), N_('Where the appointment takes place.')),
    'show_price': (N_('Price'), N_('The price on cards and in Details.')),
    'show_payment_status': (N_('Payment status'), N_('Paid, deposit paid, or what is still due.')),
    'show_status_badge': (N_('Status badge'), N_('The colour-coded status on each card.')),
    'show_rebook': (N_('Rebook'), N_('A Rebook button on past appointments, leading to the booking page.')),
    'allow_avatar_upload': (N_('Profile photo upload'), N_('Customers may upload a photo of themselves.')),
    'show_packages': (N_('Packages'), N_('The Packages section, where the business sells packages.')),
}
assert set(SWITCHES) == {f.name for f in fields(PanelDesigner)}


class DesignerForm:
    """One switch per PanelDesigner field; `value` is the draft, `on_change(draft)` hears every toggle."""

    def __init__(self, designer: PanelDesigner, *, on_change: Callable[[PanelDesigner], None]) -> None:
        self.value = designer
        self._on_change = on_change
        self.switches: dict[str, ui.switch] = {}
        with ui.column().classes('gap-2 w-full').props('role=group').mark('designer-switches') as group:
            group.props['aria-label'] = t('What the customer panel shows')
            for name, (label, help_text) in SWITCHES.items():
                with ui.column().classes('gap-0'):
                    switch = ui.switch(t(label), value=getattr(designer, name),
                                       on_change=lambda e, key=name: self._toggled(key, bool(e.value))).mark(
                        f'designer-{name}')
                    helper = ui.label(t(help_text)).classes('text-caption k-muted q-ml-xl')
                    switch.props['aria-describedby'] = helper.html_id
                self.switches[name] = switch

    def reset(self, designer: PanelDesigner) -> None:
        """Back to `designer` (Discard), without reporting each switch as a change."""
        self.value = designer
        for name, switch in self.switches.items():
            switch.set_value(getattr(designer, name))
        self._on_change(designer)

    def _toggled(self, name: str, value: bool) -> None:
        if getattr(self.value, name) == value:
            return
        self.value = replace(self.value, **{name: value})
        self._on_change(self.value)

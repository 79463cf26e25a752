"""The panel's top bar and section tabs: one element, however many sections the business shows."""

from __future__ import annotations

from collections.abc import Sequence

from nicegui import events, ui


class PanelChrome(ui.element, component='panel_chrome.js'):
    """Business name, Sign out and the section tabs; `navigate` moves the single-page app to a section."""

    def __init__(self, *, business: str, logo: str | None, color: str, sections: Sequence[tuple[str, str, str]],
                 current: str) -> None:
        super().__init__()
        self._props.update(business=business, logo=logo or '', color=color, current=current,
                           sections=[{'path': p, 'label': label, 'icon': icon} for p, label, icon in sections])
        self._paths = {p for p, _, _ in sections}
        self.on('navigate', self._navigate)

    @property
    def sections(self) -> list[str]:
        """The labels of the sections offered."""
        return [s['label'] for s in self._props['sections']]

    @property
    def current(self) -> str:
        return str(self._props['current'])

    def show_current(self, path: str) -> None:
        path = path.split('?')[0]
        if path in self._paths and path != self.current:
            self._props['current'] = path
            self.update()

    def _navigate(self, event: events.GenericEventArguments) -> None:
        if isinstance(event.args, str) and event.args in self._paths:  # only the sections this page offers
            ui.navigate.to(event.args)

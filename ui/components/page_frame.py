"""The frame of every page: top bar, the panel's section tabs, the main landmark; one element however many sections.

The browser reports its time zone from here, once, and only when it differs from `zone` (what the server already
knows), so an ordinary visit costs the server no extra round trip. Every page learns the zone this one way."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence

from nicegui import events, ui

from ui.components.wire import ascii_json

TimezoneHandler = Callable[[str], Awaitable[None] | None]


class PageFrame(ui.element, component='page_frame.js'):
    """Business name and logo, Sign out when signed in, and the section tabs; `navigate` moves the single-page app to
    a section."""

    def __init__(self, *, business: str, logo: str | None, signed_in: bool = True,
                 sections: Sequence[tuple[str, str, str]] = (), current: str = '', zone: str | None = None,
                 on_timezone: TimezoneHandler | None = None) -> None:
        super().__init__()
        self._sections = [{'path': p, 'label': label, 'icon': icon} for p, label, icon in sections]
        # The section names are words in the page's language: ASCII JSON (ui.components.wire), or one 'ç' makes
        # NiceGUI escape the whole page's elements, the Appointments section's cards included, ~18x slower.
        self._props.update(business=business, logo=logo or '', signed_in=signed_in, current=current,
                           zone=zone or '', learn_zone=on_timezone is not None, sections=ascii_json(self._sections))
        self._paths = {p for p, _, _ in sections}
        self._on_timezone = on_timezone
        self.on('navigate', self._navigate)
        if on_timezone is not None:
            self.on('timezone', self._timezone)

    @property
    def sections(self) -> list[str]:
        """The labels of the sections offered."""
        return [s['label'] for s in self._sections]

    @property
    def current(self) -> str:
        return str(self._props['current'])

    def show_current(self, path: str) -> None:
        path = path.split('?')[0]
        if path in self._paths and path != self.current:
            self._props['current'] = path
            self.update()

    async def _timezone(self, event: events.GenericEventArguments) -> None:
        if self._on_timezone is not None and isinstance(event.args, str):  # the handler decides what is new
            result = self._on_timezone(event.args)
            if inspect.isawaitable(result):
                await result

    def _navigate(self, event: events.GenericEventArguments) -> None:
        if isinstance(event.args, str) and event.args in self._paths:  # only the sections this page offers
            ui.navigate.to(event.args)

"""The frame of every page: top bar, the panel's section tabs, the main landmark; one element however many sections.

The browser reports its time zone from here, once, and only when it differs from `zone` (what the server already
knows), so an ordinary visit costs the server no extra round trip. Every page learns the zone this one way."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from nicegui import events, ui

from ui.components.wire import ascii_json

TimezoneHandler = Callable[[str], Awaitable[None] | None]
LanguageHandler = Callable[[str], Awaitable[object] | object]


class PageFrame(ui.element, component='page_frame.js'):
    """Business name and logo, the language switcher (when `on_language` hears a choice), Sign out when signed in, and
    the section tabs; `navigate` moves the single-page app to a section. Its words come in already translated."""

    def __init__(self, *, business: str, logo: str | None, signed_in: bool = True,
                 sections: Sequence[tuple[str, str, str]] = (), current: str = '', zone: str | None = None,
                 on_timezone: TimezoneHandler | None = None, sign_out_label: str = 'Sign out',
                 sections_label: str = 'Panel sections', languages: Sequence[dict[str, str]] = (),
                 language: str = '', choose_label: str = '', on_language: LanguageHandler | None = None,
                 html_lang: str = '') -> None:
        super().__init__()
        # Every word of the frame, in the page's language, travels as one ASCII JSON string (ui.components.wire): a
        # single 'ç' or 'ã' in any element's props makes NiceGUI escape the whole page's elements (the Appointments
        # section's cards included) ~18x slower; bench_panel measured the panel's build 1.15x in Portuguese, 1.00x so.
        self.words: dict[str, Any] = {
            'sections': [{'path': p, 'label': label, 'icon': icon} for p, label, icon in sections],
            'sign_out_label': sign_out_label, 'sections_label': sections_label, 'choose_label': choose_label,
            'languages': list(languages) if on_language is not None else [],
        }
        self._props.update(business=business, logo=logo or '', signed_in=signed_in, current=current,
                           zone=zone or '', learn_zone=on_timezone is not None, language=language,
                           html_lang=html_lang, words=ascii_json(self.words))
        self._paths = {p for p, _, _ in sections}
        self._on_timezone = on_timezone
        self._on_language = on_language
        self.on('navigate', self._navigate)
        if on_language is not None:
            self.on('language', self._language)
        if on_timezone is not None:
            self.on('timezone', self._timezone)

    @property
    def sections(self) -> list[str]:
        """The labels of the sections offered."""
        return [s['label'] for s in self.words['sections']]

    @property
    def current(self) -> str:
        return str(self._props['current'])

    def stay(self) -> None:
        """Show the section tabs but go nowhere when one is chosen (a preview of the panel)."""
        self._paths = set()

    def show_current(self, path: str) -> None:
        path = path.split('?')[0]
        if path in self._paths and path != self.current:
            self._props['current'] = path
            self.update()

    @property
    def languages(self) -> list[str]:
        """The codes of the languages the switcher offers (none: no switcher)."""
        return [entry['code'] for entry in self.words['languages']]

    async def _language(self, event: events.GenericEventArguments) -> None:
        if self._on_language is not None and event.args in self.languages:  # only what the switcher offers
            result = self._on_language(event.args)
            if inspect.isawaitable(result):
                await result

    async def _timezone(self, event: events.GenericEventArguments) -> None:
        if self._on_timezone is not None and isinstance(event.args, str):  # the handler decides what is new
            result = self._on_timezone(event.args)
            if inspect.isawaitable(result):
                await result

    def _navigate(self, event: events.GenericEventArguments) -> None:
        if isinstance(event.args, str) and event.args in self._paths:  # only the sections this page offers
            ui.navigate.to(event.args)

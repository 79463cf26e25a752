"""Live updates on a page: an element listens to a topic for as long as it is on the page."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from services import events

EventHandler = Callable[[dict[str, Any]], Awaitable[None] | None]


class Listening(ui.element):
    """Base for an element that calls `on_event(payload)` for every event on a topic it `listen`s to, until it is
    removed (section left, tab closed). Subclass it first, before the NiceGUI element class."""

    _unsubscribers: list[Callable[[], None]]

    def listen(self, topic: str, on_event: EventHandler) -> None:
        async def deliver(payload: dict[str, Any]) -> None:
            try:
                gone = self.is_deleted or self.client.is_deleted
            except RuntimeError:  # the client was dropped without deleting its elements
                gone = True
            if gone:
                unsubscribe()
                return
            with self:
                result = on_event(payload)
                if inspect.isawaitable(result):
                    await result

        unsubscribe = events.subscribe(topic, deliver)
        if not hasattr(self, '_unsubscribers'):
            self._unsubscribers = []
        self._unsubscribers.append(unsubscribe)

    def _handle_delete(self) -> None:
        for unsubscribe in getattr(self, '_unsubscribers', ()):
            unsubscribe()
        super()._handle_delete()


class LiveSubscription(Listening):
    """An invisible element that calls `on_event(payload)` for every event on `topic` while it is on the page."""

    def __init__(self, topic: str, on_event: EventHandler) -> None:
        super().__init__('span')
        self.set_visibility(False)
        self.listen(topic, on_event)

"""Live updates on a page: an invisible element that listens to a topic for as long as it is on the page."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from services import events


class LiveSubscription(ui.element):
    """Calls `on_event(payload)` for every event on `topic`; stops when removed (section left, tab closed)."""

    def __init__(self, topic: str, on_event: Callable[[dict[str, Any]], Awaitable[None] | None]) -> None:
        super().__init__('span')
        self.set_visibility(False)
        self._on_event = on_event
        self._unsubscribe = events.subscribe(topic, self._deliver)

    async def _deliver(self, payload: dict[str, Any]) -> None:
        try:
            gone = self.is_deleted or self.client.is_deleted
        except RuntimeError:  # the client was dropped without deleting its elements
            gone = True
        if gone:
            self._unsubscribe()
            return
        with self:
            result = self._on_event(payload)
            if inspect.isawaitable(result):
                await result

    def _handle_delete(self) -> None:
        self._unsubscribe()
        super()._handle_delete()

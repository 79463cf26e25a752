"""Live updates on a page: an element listens to a topic for as long as it is on the page."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from services import events

EventHandler = Callable[[dict[str, Any]], Awaitable[None] | None]
CatchUp = Callable[[], Awaitable[None] | None]


class Listening(ui.element):
    """Base for an element that calls `on_event(payload)` for every event on a topic it `listen`s to, until it is
    removed (section left, tab closed) or told to `stop_listening()`. Subclass it first, before the NiceGUI element
    class."""

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

    def stop_listening(self) -> None:
        """Hear nothing more, for good (the element stays where it is; calling it again does nothing)."""
        self._unsubscribe_all()

    def _unsubscribe_all(self) -> None:
        unsubscribers, self._unsubscribers = getattr(self, '_unsubscribers', []), []
        for unsubscribe in unsubscribers:
            unsubscribe()

    def _handle_delete(self) -> None:
        self._unsubscribe_all()
        super()._handle_delete()


class LiveSubscription(Listening):
    """An invisible element that calls `on_event(payload)` for every event on `topic` while it is on the page.

    With `catch_up`, it listens only while the browser is connected: a page whose browser went away (it may come back
    within NiceGUI's reconnect timeout) does no work for events nobody sees; when the browser comes back it listens
    again and `catch_up()` reloads what may have changed meanwhile."""

    def __init__(self, topic: str, on_event: EventHandler, *, catch_up: CatchUp | None = None) -> None:
        super().__init__('span')
        self.set_visibility(False)
        self._topic, self._on_event, self._catch_up = topic, on_event, catch_up
        self._stopped = False
        self.listen(topic, on_event)
        if catch_up is not None:
            self.client.on_disconnect(self._went_away)
            self.client.on_connect(self._came_back)

    def stop_listening(self) -> None:
        self._stopped = True
        super().stop_listening()
        self._forget_client_handlers()

    def _went_away(self) -> None:
        self._unsubscribe_all()

    async def _came_back(self) -> None:
        if self._stopped or self.is_deleted or getattr(self, '_unsubscribers', None):
            return
        self.listen(self._topic, self._on_event)
        assert self._catch_up is not None
        with self:
            result = self._catch_up()
            if inspect.isawaitable(result):
                await result

    def _forget_client_handlers(self) -> None:
        if self._catch_up is None:
            return
        try:
            client = self.client
        except RuntimeError:  # the client is gone already, and its handler lists with it
            return
        for handlers, handler in ((client.disconnect_handlers, self._went_away),
                                  (client.connect_handlers, self._came_back)):
            if handler in handlers:
                handlers.remove(handler)

    def _handle_delete(self) -> None:
        self._stopped = True
        self._forget_client_handlers()
        super()._handle_delete()


def once_more_at_most(work: Callable[[], Awaitable[None]]) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """An event handler that runs `work()` for an event, and for every event that comes while it runs only once
    more after it: a burst of changes is read twice at most, however long each read waits for its thread."""
    running = again = False

    async def handle(_: dict[str, Any]) -> None:
        nonlocal running, again
        if running:
            again = True
            return
        running = True
        try:
            while True:
                again = False
                await work()
                if not again:
                    break
        finally:
            running = False

    return handle

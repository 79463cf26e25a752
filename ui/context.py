"""What a panel page knows about who is looking: built per request, never shared between visitors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, partial
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo, available_timezones

from nicegui import Client, app, context, run, ui

from domain import model as d
from domain.settings import PanelSettings
from domain.web import safe_url
from services import auth
from services.context import get_db

A = TypeVar('A')


@dataclass(slots=True, kw_only=True)
class PanelContext:
    tenant: d.Tenant
    customer: d.Customer
    session_id: str
    settings: PanelSettings
    statuses: tuple[d.Status, ...] = ()
    # Data the page loaded with the shell, handed to the first section built (then dropped).
    first_paint: dict[str, object] = field(default_factory=dict, repr=False)
    # The section on screen redraws itself with new settings here when the business saves them (None: it needs not).
    on_settings: Callable[[], None] | None = field(default=None, repr=False)

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def act(self, action: Callable[..., A], /, *, live: bool = False, **kwargs: Any) -> A:
        """Run a service action for the signed-in customer, off the event loop, after the server checked that the
        session is still live (services.auth.act). When it ended, the page goes to the sign-in page and the handler
        that asked stops here. `live`: a read for a live update (someone else's change), on the live-update
        threads (`live_call`), not on the threads that answer what people do."""
        try:
            result = await off_loop(live, auth.act, get_db(), action, tenant_id=self.tenant.id,
                                    session_id=self.session_id, **kwargs)
            return result  # type: ignore[return-value]  # None instead of the result only while the app shuts down
        except auth.SessionEnded:
            to_sign_in()
            raise asyncio.CancelledError() from None

    @property
    def tz(self) -> ZoneInfo:
        """The customer's own zone when known, else the business's."""
        return ZoneInfo(self.customer.timezone or self.tenant.timezone)

    @property
    def booking_url(self) -> str:
        """Where "Book an appointment" leads: the business's booking page if it is a safe link, else ours."""
        return safe_url(self.settings.booking_url or self.tenant.booking_url, allow_path=True) or '/book'

    @property
    def business_tz(self) -> ZoneInfo:
        return ZoneInfo(self.tenant.timezone)


# Live updates (a change made elsewhere, shown here without a reload) read on threads of their own, at most this many
# at once. One customer's move makes every open tab of theirs and every slot picker showing that day read again: on
# NiceGUI's pool (six threads) the clicks of everyone else queued behind those reads (bench_load: pool waits of 0.5-1 s
# at the 95th percentile, a tab switch answered in 1.2 s). Here they wait for each other instead; a live update
# arriving 0.1 s later goes unnoticed, a click answered 1 s later does not.
LIVE_THREADS = 2
_live_pool: ThreadPoolExecutor | None = None


async def live_call(fn: Callable[..., A], /, *args: Any, **kwargs: Any) -> A | None:
    """`fn(*args, **kwargs)` on a live-update thread; None when the app is shutting down (as `run.io_bound`)."""
    global _live_pool  # noqa: PLW0603 - one pool for the process, made on first use
    if app.is_stopping:
        return None
    if _live_pool is None:
        _live_pool = ThreadPoolExecutor(LIVE_THREADS, thread_name_prefix='kairos-live')
    try:
        return await asyncio.get_running_loop().run_in_executor(_live_pool, partial(fn, *args, **kwargs))
    except RuntimeError as e:  # the interpreter is shutting down: no new work is taken
        if 'cannot schedule new futures' not in str(e):
            raise
    return None


async def off_loop(live: bool, fn: Callable[..., A], /, *args: Any, **kwargs: Any) -> A | None:
    """`fn(*args, **kwargs)` off the event loop: on a live-update thread (`live_call`) when `live`, else on the
    threads that answer what people do (`run.io_bound`); None while the app shuts down."""
    return await (live_call if live else run.io_bound)(fn, *args, **kwargs)


@cache
def known_timezones() -> frozenset[str]:
    """The IANA zones this machine knows, read from disk once: what a browser may report as its zone."""
    return frozenset(available_timezones())


def to_sign_in(client: Any = None, *, target: str | None = None) -> None:
    """Take the page to the sign-in page (its session ended), coming back to where it was after signing in. Once a
    page is on its way out, only a call naming its `target` (the page's own answer) sends it elsewhere."""
    found: Client = client if client is not None else context.client
    if is_leaving(found) and target is None:
        return
    found.storage[_LEAVING] = True
    if target is None:
        try:  # where the single-page app is now (a section switched in place), else the page's own address
            path = str(found.sub_pages_router.current_path or found.request.url.path).split('?')[0]
        except (AttributeError, RuntimeError):
            path = '/'
        target = f'/login?next={quote(path)}'
    with found:
        ui.navigate.to(target)


def is_leaving(client: Client) -> bool:
    return bool(client.storage.get(_LEAVING))


# Marks, in the page's own client storage, a page already sent to the sign-in page (it goes with the page).
_LEAVING = 'kairos-leaving'

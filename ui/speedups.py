"""Costs NiceGUI and python-socketio pay on every element and every message, cut without changing what they do.

Measured with bench/bench_load.py --profile (50 customers opening drawers and picking times): of the event loop's CPU,
about 13% went to `inspect.signature` and 6% to socket.io's search for binary data in each outgoing message.

- Every NiceGUI element makes three observable collections (props, classes, style), and each asks
  `helpers.expects_arguments` whether its change handler (a bound method, always the same function) takes arguments:
  `inspect.signature` three times per element. The answer depends only on the function, so it is kept per function
  for bound methods; anything else (lambdas, closures: new every time) is asked as before.
- python-socketio walks every outgoing message in Python (`Packet.data_is_binary`, a recursive reduce over every dict
  and list) to find bytes to send as attachments; a page update is a tree of element dicts. orjson (a NiceGUI
  dependency, in C) refuses bytes, so a message orjson can encode has none and the walk is skipped; one it cannot
  encode (bytes, or a type it does not know) is walked as before, so the answer is the same either way.
- Every connected client has an outbox loop that waits for something to send with `asyncio.wait_for(..., timeout=1)`:
  on Python 3.11 each wait is a new task, a timer and, a second later, a cancellation, so 1,000 idle clients cost
  1,000 of them a second (py-spy --gil put them at about 6% of the server's interpreter time under bench_load). Every
  enqueue and `Outbox.stop()` set the event the loop waits for, so it now simply waits for it (`quiet_outboxes`).
- `.props('no-caps outline aria-pressed=false')` runs NiceGUI's props parser (a regular expression and
  `ast.literal_eval`, 6-8 us) for every element, though a page uses the same few strings over and over. A string's
  parse is kept when its values are all immutable (text, numbers, booleans), and every call gets a dict of its own;
  a string with a list or dict value (rare) is parsed every time.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import socketio.packet  # type: ignore[import-untyped]  # python-socketio has no type hints
from nicegui import helpers, slot
from nicegui import outbox as nicegui_outbox
from nicegui.props import Props

_expects: weakref.WeakKeyDictionary[Callable[..., Any], bool] = weakref.WeakKeyDictionary()
_parsed_props: dict[str, dict[str, Any]] = {}
PARSED_PROPS_KEPT = 4096  # distinct strings; a page's props are a few dozen, f-strings add some
_installed = False


def install() -> None:
    """Once per process, before pages are built (ui.app.setup)."""
    global _installed
    if _installed:
        return
    _installed = True
    plain_expects = helpers.expects_arguments

    def expects_arguments(func: Callable[..., Any]) -> bool:
        function = getattr(func, '__func__', None)
        if function is None or getattr(func, '__self__', None) is None:
            return plain_expects(func)
        known = _expects.get(function)
        if known is None:
            known = _expects[function] = plain_expects(func)
        return known

    helpers.expects_arguments = expects_arguments  # same signature, same answers

    plain_parse = Props.parse

    def parse(text: str | None) -> dict[str, Any]:
        if not text:
            return {}
        known = _parsed_props.get(text)
        if known is not None:
            return dict(known)
        parsed = plain_parse(text)
        if len(_parsed_props) < PARSED_PROPS_KEPT and all(
                v is None or isinstance(v, (str, int, float)) for v in parsed.values()):  # bool is an int
            _parsed_props[text] = dict(parsed)
        return parsed

    Props.parse = staticmethod(parse)  # type: ignore[method-assign]  # same signature, same answers

    packet = socketio.packet.Packet
    walk = packet.data_is_binary.__func__  # a classmethod's function

    def data_is_binary(cls: Any, data: Any) -> bool:
        if isinstance(data, (bytes, bytearray)):
            return True
        if isinstance(data, (dict, list)):
            try:
                orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
            except TypeError:
                return bool(walk(cls, data))
        return False

    packet.data_is_binary = classmethod(data_is_binary)
    quiet_outboxes()


class _OutboxAsyncio:
    """nicegui.outbox's view of asyncio: the module itself, except that its one `wait_for` (an idle outbox waiting
    for its event, timing out every second only to wait again) waits for the awaitable alone. The event is set by
    every update, message and rewind enqueued and by `Outbox.stop()`, so nothing it waited for is missed."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def wait_for(awaitable: Awaitable[Any], timeout: float | None = None) -> Any:
        return await awaitable


def quiet_outboxes() -> None:
    """Idle clients' outbox loops sleep until there is something to send (see the module's docstring)."""
    nicegui_outbox.asyncio = _OutboxAsyncio()  # type: ignore[attr-defined,assignment]  # stands in for a module


# Python's cycle collector, tuned for a server: what it costs is set by how often it runs and by how much it walks.
GC_THRESHOLDS = (50_000, 20, 10)


def settle_gc() -> None:
    """Once the server has started (everything imported): the ~200,000 objects of the code itself (modules, classes,
    functions of NiceGUI, FastAPI, SQLAlchemy, Babel...) live as long as the process, so `gc.freeze()` takes them out
    of every later full collection (104 ms each on this machine, before one page was built); and the young generation
    is collected every 50,000 allocations instead of 700. A page's elements are cycles (parents, slots, weak
    references), and every drawer opened makes and drops hundreds of them; with the defaults the collector took about
    a fifth of the event loop's time under bench_load (py-spy --native), and each full collection paused every page.
    Garbage cycles are still collected, a little later; nothing else changes."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


# How long a thread may hold the interpreter lock while another waits for it (Python's default: 5 ms).
SWITCH_INTERVAL_S = 0.001


def quick_handoff() -> None:
    """Once the server has started: a thread back from the database gets the interpreter lock within 1 ms instead
    of 5 ms. The panel's reads and moves run on threads (NiceGUI's pool, the live-update threads), and each statement
    releases the lock while psycopg waits for PostgreSQL's answer; while the event loop is busy building pages, the
    thread then waited for the loop to be asked to let go, up to the switch interval, once per statement (a move is
    13 statements). Under bench_load's paced load on one instance (50 busy people, 1,000 connected) the p95 from a
    click to its answer was 431-671 ms with 5 ms and 189-261 ms with 1 ms, the server's CPU the same; nothing else
    changes but how often the loop is interrupted."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def fast_task_ids() -> None:
    """On the event loop's thread, once it runs (NiceGUI's start-up): NiceGUI finds the current element context (the
    slot stack, `context.client`) by the current asyncio task, for every element built and, through `ui.i18n.t`, for
    every text translated: a few thousand times for a panel's reload. On Python 3.11 `asyncio.current_task()` first
    asks for the running loop, which checks the process id (a `getpid` system call) every time; py-spy --native put
    that at about a tenth of the event loop's time under bench_load. Asked on the loop's own thread while it runs, the
    running loop is known, and `asyncio.current_task(loop)` gives the same task without the call; any other thread,
    or the loop stopped, is asked as before. Same answers, so the same stacks."""
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()
    plain = slot.get_task_id
    current_task = asyncio.current_task

    def get_task_id() -> int:
        if threading.get_ident() == loop_thread and loop.is_running():
            return id(current_task(loop))
        return plain()

    slot.get_task_id = get_task_id

"""The Kairos panel with a few bench-only routes, for bench/bench_panel.py (never deployed).

Run: KAIROS_DATABASE_URL=sqlite:///... python bench/panel_server.py --port 8123   (bench_panel.py starts it)

On top of the real app (ui.app.setup() and ui.app.run()) it adds:
- `/_bench/empty`: an empty NiceGUI page, the baseline every NiceGUI page pays;
- `/_bench/static`: one line of static text, no NiceGUI: the floor of a first paint (bench_lcp.py);
- `/_bench/login?session=<id>`: puts an existing auth session (made with services.auth.open_session) into the
  browser's user storage and redirects to `/`, so the bench need not drive the sign-in form;
- a timer (pure ASGI, just outside the sign-in gate, inside NiceGUI's own storage and gzip middleware) that records
  the server time of the last request to a timed page, from the request in to the last byte of the response out;
- a counter of SQL statements on the process's engine (SQLAlchemy `before_cursor_execute`);
- a probe around the Appointments section's build: it draws at once when its data came with the shell, else
  `ui.sub_pages` runs it as a background task that may finish after the HTML has gone out; the probe records when
  it really finished;
- `/_bench/reset`, `/_bench/stats`, `/_bench/clients` and `/_bench/gc` for the bench to read and steer them;
- with KAIROS_BENCH_PROFILE_LOOP=<file>, a profile of the event loop's CPU over the whole run (bench_load.py --profile);
- `/_bench/waits`: where an event can wait besides its own work, for bench_load.py to print per period: how often
  Python's cycle collector ran, per generation, and how long each full collection stopped the process (every thread
  waits for it, the event loop included); how late the event loop woke for a 20 ms sleep (its lag: anything queued
  waits that long); how long each `run.io_bound` call waited for one of NiceGUI's pool threads, and how long each
  function held a pool thread (wall and CPU).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import gc
import inspect
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse  # noqa: E402
from nicegui import Client, app, ui  # noqa: E402

import ui.app as kairos_app  # noqa: E402
from services.context import get_db  # noqa: E402

TIMED_PATHS = ('/', '/_bench/empty', '/_bench/labels')
STATIC_FLOOR = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
                'content="width=device-width, initial-scale=1"><title>Floor</title></head><body>'
                '<p style="font: 500 16px sans-serif; margin: 240px 72px">Thursday 3 December 2026</p></body></html>')


class _Stats:
    """What the last timed request and the last section build did; reset by /_bench/reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.path = ''
        self.request_start = 0.0
        self.request_end = 0.0
        self.section_start = 0.0
        self.section_end = 0.0
        # process CPU time (all threads: the event loop and the thread pool running the queries)
        self.cpu_start = 0.0
        self.cpu_request_end = 0.0
        self.cpu_section_end = 0.0
        self.db_cpu = 0.0  # thread CPU inside services.panel's loaders (queries + ORM + row conversion)
        self.section_error = ''
        self.statements: list[str] = []
        self.finished = asyncio.Event()  # the response is out and, for `/`, the section is built

    def as_dict(self) -> dict[str, Any]:
        done = self.request_end > 0
        section_done = self.section_end > 0
        full_end = max(self.request_end, self.section_end)
        return {
            'path': self.path,
            'done': done,
            'response_ms': (self.request_end - self.request_start) * 1000 if done else None,
            'section_built': section_done,
            'section_error': self.section_error,
            # section build started/finished relative to the request start
            'section_start_ms': (self.section_start - self.request_start) * 1000 if self.section_start else None,
            'section_end_ms': (self.section_end - self.request_start) * 1000 if section_done else None,
            'section_in_response': section_done and self.section_end <= self.request_end,
            'full_ms': (full_end - self.request_start) * 1000 if done else None,
            'response_cpu_ms': (self.cpu_request_end - self.cpu_start) * 1000 if done else None,
            'full_cpu_ms': (max(self.cpu_request_end, self.cpu_section_end) - self.cpu_start) * 1000 if done else None,
            'db_cpu_ms': self.db_cpu * 1000,
            # resolve_tenant() caches the tenant for 30 s per process: its lookup is counted apart
            'statements': len([s for s in self.statements if not _is_transaction_control(s) and not _is_tenant(s)]),
            'tenant_lookups': len([s for s in self.statements if _is_tenant(s)]),
            'transaction_control': len([s for s in self.statements if _is_transaction_control(s)]),
            'statement_texts': self.statements,
        }


def _is_transaction_control(sql: str) -> bool:
    return sql.strip().upper().split(' ', 1)[0] in {'BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE'}


def _finish() -> None:
    STATS.finished.set()
    if PROFILER is not None:
        PROFILER.disable()


def _is_tenant(sql: str) -> bool:
    return sql.startswith('SELECT tenant.id') and ('WHERE tenant.slug' in sql or 'WHERE tenant.host' in sql)


STATS = _Stats()
PROFILER: cProfile.Profile | None = None  # --profile: the event loop's work on `/`, request in to section built
# The cycle collector's runs since start-up: per generation [runs, seconds]; and each full (generation 2) run's seconds.
GC_RUNS: list[list[float]] = [[0, 0.0], [0, 0.0], [0, 0.0]]
GC_FULL_SECONDS: list[float] = []
LOOP_LAG_SECONDS: list[float] = []  # every 20 ms: how much later than asked the event loop woke
POOL_WAIT_SECONDS: list[float] = []  # each run.io_bound call: from asked to running on a pool thread
LIVE_WAIT_SECONDS: list[float] = []  # each live-update read (ui.context.live_call): from asked to running
POOL_CALLS: dict[str, list[float]] = {}  # per function run through run.io_bound: [calls, wall seconds, CPU seconds]
LAG_TICK = 0.02


def _time_gc() -> None:
    started = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == 'start':
            started[0] = time.perf_counter()
            return
        seconds = time.perf_counter() - started[0]
        runs = GC_RUNS[info['generation']]
        runs[0] += 1
        runs[1] += seconds
        if info['generation'] == 2:
            GC_FULL_SECONDS.append(seconds)

    gc.callbacks.append(timed)


def _time_waits() -> None:
    """The event loop's lag (a task that sleeps 20 ms and records how late it woke) and each `run.io_bound` call's
    wait for a pool thread (the call is wrapped; same arguments, same result)."""
    from nicegui import background_tasks, run

    async def watch_lag() -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(LAG_TICK)
            LOOP_LAG_SECONDS.append(time.perf_counter() - asked - LAG_TICK)

    def start_watching() -> None:
        background_tasks.create(watch_lag(), name='bench-loop-lag')

    app.on_startup(start_watching)
    real_io_bound = run.io_bound

    async def io_bound(callback: Any, *args: Any, **kwargs: Any) -> Any:
        asked = time.perf_counter()
        # what it does: the service function itself, also when it goes through auth.act (session check first)
        action = args[1] if getattr(callback, '__name__', '') == 'act' and len(args) > 1 else callback
        name = f'{getattr(action, "__module__", "")}.{getattr(action, "__qualname__", repr(action))}'

        def timed(*a: Any, **kw: Any) -> Any:
            started, cpu = time.perf_counter(), time.thread_time()
            POOL_WAIT_SECONDS.append(started - asked)
            try:
                return callback(*a, **kw)
            finally:
                held = POOL_CALLS.setdefault(name, [0, 0.0, 0.0])
                held[0] += 1
                held[1] += time.perf_counter() - started
                held[2] += time.thread_time() - cpu

        return await real_io_bound(timed, *args, **kwargs)

    run.io_bound = io_bound  # type: ignore[assignment]

    # Reads for live updates (ui.context.live_call) have threads of their own: how long each waited for one.
    from concurrent.futures import ThreadPoolExecutor

    from ui import context as ui_context

    class TimedLivePool(ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            asked = time.perf_counter()

            def timed() -> Any:
                LIVE_WAIT_SECONDS.append(time.perf_counter() - asked)
                return fn(*args, **kwargs)

            return super().submit(timed)

    ui_context._live_pool = TimedLivePool(ui_context.LIVE_THREADS, thread_name_prefix='kairos-live')


class Timer:
    """Pure ASGI middleware: wall time of each request to a timed page, first byte in to last byte out."""

    def __init__(self, asgi_app: Any) -> None:
        self.app = asgi_app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope['type'] != 'http' or scope['path'] not in TIMED_PATHS:
            await self.app(scope, receive, send)
            return
        STATS.path = scope['path']
        STATS.request_start = time.perf_counter()
        STATS.cpu_start = time.process_time()
        if PROFILER is not None and scope['path'] == '/':
            PROFILER.enable()
        STATS.request_end = 0.0

        async def timed_send(message: dict[str, Any]) -> None:
            await send(message)
            if message['type'] == 'http.response.body' and not message.get('more_body', False):
                STATS.request_end = time.perf_counter()
                STATS.cpu_request_end = time.process_time()
                if scope['path'] != '/' or STATS.section_end:
                    _finish()

        await self.app(scope, receive, timed_send)


def _count_statements() -> None:
    engine = get_db().engine  # the app's own engine (the runtime's): its statements are the ones counted

    @sa.event.listens_for(engine, 'before_cursor_execute')
    def _count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # The email sender polls the outbox on its own thread, whatever page is being built: not the visit's work.
        if threading.current_thread().name.startswith('kairos-mail'):
            return
        STATS.statements.append(' '.join(statement.split()))


def _probe_appointments_section() -> None:
    """Record when the Appointments section's build starts and ends (the panel imports the module by name). With its
    data loaded with the shell it draws at once; otherwise it returns a coroutine that ui.sub_pages runs later."""
    import ui.pages.appointments as appointments

    real_build = appointments.build

    def done(error: BaseException | None = None) -> None:
        if error is not None:
            STATS.section_error = repr(error)
        STATS.section_end = time.perf_counter()
        STATS.cpu_section_end = time.process_time()
        if STATS.request_end:
            _finish()

    async def finish_later(pending: Any) -> None:
        try:
            await pending
        except BaseException as e:
            done(e)
            raise
        done()

    def build(ctx: Any) -> Any:
        STATS.section_start = time.perf_counter()
        STATS.section_end = 0.0
        try:
            result = real_build(ctx)
        except BaseException as e:
            done(e)
            raise
        if inspect.isawaitable(result):
            return finish_later(result)
        done()
        return None

    appointments.build = build  # type: ignore[assignment]  # the benchmark's timed stand-in for the section


def _measure_loaders() -> None:
    """Thread CPU spent inside the page's database calls (they run in NiceGUI's thread pool)."""
    from services import panel

    def timed(fn: Any) -> Any:
        @functools.wraps(fn)  # the pool threads' listing names the loader, not this wrapper
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                STATS.db_cpu += time.thread_time() - t0

        return wrapper

    for name in ('load_entry', 'load_shell', 'load_panel', 'load_page'):
        setattr(panel, name, timed(getattr(panel, name)))


def _bench_routes() -> None:
    @ui.page('/_bench/empty')
    def empty_page() -> None:
        ui.label('x')

    @ui.page('/_bench/labels')
    def labels_page(n: int = 50) -> None:
        """The empty page plus n labels: what one more element costs."""
        ui.label('x')
        for i in range(n):
            ui.label(f'label {i}')

    @app.get('/_bench/static')
    def static_page() -> HTMLResponse:
        """The floor: a static page of one line of text (no stylesheet, script or font), sent and drawn as fast as
        this server, network and browser can; nothing built on NiceGUI can paint earlier."""
        return HTMLResponse(STATIC_FLOOR, headers={'cache-control': 'no-store'})

    @app.get('/_bench/login')
    def bench_login(session: str, next: str = '/') -> RedirectResponse:  # noqa: A002
        app.storage.user['session'] = session
        return RedirectResponse(next, status_code=303)

    @app.get('/_bench/reset')
    async def bench_reset() -> dict[str, int]:
        """Forget the last request; delete the clients earlier GETs left without a websocket now, so that their
        deletion (after reconnect_timeout) does not land inside the next measured request."""
        stale = [c for c in Client.instances.values() if not c.has_socket_connection]
        for client in stale:
            client.delete()
        gc.collect()
        STATS.reset()
        return {'deleted': len(stale)}

    @app.get('/_bench/profile')
    async def bench_profile(path: str) -> dict[str, bool]:
        """Write what the profiler gathered so far (pstats format) to `path`."""
        if PROFILER is None:
            return {'ok': False}
        PROFILER.dump_stats(path)
        return {'ok': True}

    @app.get('/_bench/stats')
    async def bench_stats(wait: float = 0.0) -> JSONResponse:
        """The last timed request's figures; with `wait`, first wait (seconds) until it is finished, section and all."""
        if wait:
            try:
                await asyncio.wait_for(STATS.finished.wait(), timeout=wait)
            except TimeoutError:
                pass
        return JSONResponse(STATS.as_dict())

    @app.get('/_bench/gc')
    async def bench_gc() -> dict[str, int]:
        return {'collected': gc.collect()}

    @app.get('/_bench/waits')
    async def bench_waits() -> dict[str, Any]:
        return {'runs': GC_RUNS, 'full_seconds': GC_FULL_SECONDS, 'lag_seconds': LOOP_LAG_SECONDS,
                'pool_wait_seconds': POOL_WAIT_SECONDS, 'pool_calls': POOL_CALLS,
                'live_wait_seconds': LIVE_WAIT_SECONDS}

    @app.get('/_bench/clients')
    async def bench_clients() -> dict[str, Any]:
        clients = list(Client.instances.values())
        connected = [c for c in clients if c.has_socket_connection]
        kinds = Counter(type(e).__name__ for e in connected[-1].elements.values()) if connected else Counter()
        return {
            'clients': len(clients),
            'connected': len(connected),
            'elements_per_connected_client': [len(c.elements) for c in connected],
            'element_kinds_of_last_client': dict(kinds.most_common()),
            # What the pages' outboxes keep to send again after a reconnection, until the page acknowledges it.
            'kept_messages': sum(len(c.outbox.message_history) for c in clients),
        }


def _profile_loop(path: str) -> None:
    """With KAIROS_BENCH_PROFILE_LOOP=<file> (bench_load.py --profile): the event loop's CPU from start-up to
    shut-down (cProfile with a thread-CPU clock), written to <file>.<pid> in pstats format."""
    if not path:
        return
    profiler = cProfile.Profile(time.thread_time)
    app.on_startup(profiler.enable)  # on the event loop's thread

    def dump() -> None:
        profiler.disable()
        profiler.dump_stats(f'{path}.{os.getpid()}')

    app.on_shutdown(dump)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--profile', action='store_true', help='profile the event loop while `/` is being built')
    args = parser.parse_args()
    if args.profile:
        global PROFILER
        PROFILER = cProfile.Profile(time.thread_time)  # CPU of the event loop's thread, not waits
    # The bench routes need no sign-in (the login route is how the bench signs in).
    kairos_app.PUBLIC_PREFIXES = (*kairos_app.PUBLIC_PREFIXES, '/_bench')
    _count_statements()
    _time_gc()
    _time_waits()
    _probe_appointments_section()
    _measure_loaders()
    _bench_routes()
    real_setup = kairos_app.setup

    def setup() -> None:
        real_setup()
        app.add_middleware(Timer)  # type: ignore[arg-type]  # added last: outside the sign-in gate

    kairos_app.setup = setup
    _profile_loop(os.environ.get('KAIROS_BENCH_PROFILE_LOOP', ''))
    kairos_app.run(host=args.host, port=args.port)  # setup() + ui.run() exactly as `kairos serve` does


if __name__ in {'__main__', '__mp_main__'}:
    main()

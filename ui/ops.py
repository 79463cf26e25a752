"""What an operator needs: readiness, Prometheus metrics, JSON logs and a stop that loses nothing.

- `/healthz` (in ui/app.py) says the process is alive; `/readyz` also asks the database and Redis (503 when one
  does not answer), so a load balancer sends visitors only to instances that can serve them.
- `/metrics` is Prometheus's text format. It is not for the public: without `KAIROS_METRICS_TOKEN` only loopback
  may read it (a scraper on the same machine, or through an SSH tunnel); with it, `Authorization: Bearer <token>`.
  The shipped HAProxy configuration refuses it from outside as well.
- `KAIROS_LOG_FORMAT=json` writes one JSON object per log line (uvicorn's and Kairos's) plus one line per request.
- On SIGTERM uvicorn stops accepting, finishes the requests in flight (at most `KAIROS_STOP_TIMEOUT` seconds), and
  then the shut-down below waits for the email being sent and those queued before the process exits.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
import sys
import time
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from nicegui import Client, app, run

from services import health, logs, mail, metrics
from services.config import get_config

log = logging.getLogger('kairos.ops')
access_log = logging.getLogger('kairos.http')
LOOPBACK = frozenset({'127.0.0.1', '::1', 'localhost'})


def install() -> None:
    """Routes, the request counter and the shut-down hook (called by ui.app.setup)."""
    app.add_middleware(RequestMetrics)  # pure ASGI; outermost, so redirects count too
    metrics.count_clients(lambda: sum(1 for c in list(Client.instances.values()) if c.has_socket_connection))
    app.on_shutdown(finish_emails)

    @app.get('/readyz')
    async def readyz() -> JSONResponse:
        state = await run.io_bound(health.check_ready)
        body = {'status': 'ready' if state.ready else 'not ready', 'database': 'ok' if state.database else 'down',
                'redis': 'not configured' if state.redis is None else ('ok' if state.redis else 'down')}
        return JSONResponse(body, status_code=200 if state.ready else 503)

    @app.get('/metrics')
    def metrics_page(request: Request) -> Response:
        if not may_read_metrics(request):
            return PlainTextResponse('Forbidden', status_code=403)
        return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)


def may_read_metrics(request: Request) -> bool:
    token = get_config().metrics_token
    if token:
        given = request.headers.get('authorization', '')
        return hmac.compare_digest(given.encode(), f'Bearer {token}'.encode())
    return request.client is not None and request.client.host in LOOPBACK


async def finish_emails() -> None:
    """The last step of a clean stop: let the email being sent and those queued leave."""
    left = await asyncio.to_thread(mail.queued_count)  # it reads the outbox
    if left:
        log.info('waiting for %d queued email(s) before stopping', left)
    await asyncio.to_thread(mail.wait_until_sent, get_config().stop_timeout)


def exit_zero_when_stopped() -> None:
    """After its graceful stop, uvicorn raises SIGTERM again for the handler that was there before its own; this one
    turns it into exit status 0: a stop that was asked for and went well is a success, not a death by signal."""
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))


class RequestMetrics:
    """Counts and times every HTTP request (websocket traffic is counted as connected clients instead)."""

    def __init__(self, asgi_app: Any) -> None:
        self.app = asgi_app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal status
            if message['type'] == 'http.response.start':
                status = int(message['status'])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            seconds = time.perf_counter() - started
            metrics.request_done(method=scope['method'], status=status, seconds=seconds)
            access_log.info('%s %s %d', scope['method'], scope['path'], status,
                            extra={'method': scope['method'], 'path': scope['path'], 'status': status,
                                   'ms': round(seconds * 1000, 1)})


# ---- logs --------------------------------------------------------------------------------------------------------


def logging_options() -> dict[str, Any]:
    """Set up logging for `kairos serve`; returns what uvicorn and NiceGUI need to follow it (nothing in text mode)."""
    if not logs.use_json():
        return {}
    logs.configure()
    # uvicorn leaves its loggers alone (they propagate to the JSON handler); 'info' keeps its start/stop lines, which
    # also say where it listens (NiceGUI's own plain-text welcome line is turned off)
    return {'log_config': None, 'uvicorn_logging_level': 'info', 'access_log': False, 'show_welcome_message': False}

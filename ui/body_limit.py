"""Request bodies are bounded before they are read: an ASGI middleware with a byte limit per path.

A declared Content-Length over the limit is refused at once (413), before a byte of the body is read. A body
without one (chunked) is counted as it streams in and refused as soon as the count passes the limit, so the
server never holds more than the limit plus one chunk, however much a client sends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from services.avatars import MAX_BYTES as PHOTO_MAX_BYTES

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Stripe's events are a few kilobytes.
WEBHOOK_MAX_BYTES = 256 * 1024
# NiceGUI's upload route (the profile photo is the only upload): the photo's own limit plus room for the multipart
# envelope around it; the photo service checks the file's own size again.
UPLOAD_MAX_BYTES = PHOTO_MAX_BYTES + 64 * 1024
# Everything else (forms travel over the websocket; socket.io's polling posts are small).
DEFAULT_MAX_BYTES = 1024 * 1024

LIMITS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r'/webhooks/stripe/?'), WEBHOOK_MAX_BYTES),
    (re.compile(r'/_nicegui/client/[^/]+/upload/[^/]+'), UPLOAD_MAX_BYTES),
)


def limit_for(path: str) -> int:
    """The most bytes a request body to `path` may have."""
    for pattern, limit in LIMITS:
        if pattern.fullmatch(path):
            return limit
    return DEFAULT_MAX_BYTES


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse (413) any request whose body is larger than its path's limit, before reading it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope['path'])
        declared = _content_length(scope)
        if declared == -1:
            await _answer(send, 400, 'The Content-Length header is not a number.')
            return
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        received = 0
        started = cut = False

        async def counting_receive() -> Message:
            nonlocal received, cut
            message = await receive()
            if message['type'] == 'http.request':
                received += len(message.get('body', b''))
                if received > limit:
                    cut = True
                    raise _TooLarge()
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message['type'] == 'http.response.start':
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except Exception:
            # The reader fails where the body was cut off; middlewares on the way may wrap that failure (anyio's
            # task groups make it an ExceptionGroup), so the flag, not the exception's type, says it was ours.
            if not cut:
                raise
            if not started:
                await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    """The declared length; None without one; -1 when it is not a number."""
    for name, value in scope.get('headers', ()):
        if name == b'content-length':
            try:
                return int(value)
            except ValueError:
                return -1
    return None


async def _refuse(send: Send, limit: int) -> None:
    await _answer(send, 413, f'The request body is too large: at most {_size(limit)} is accepted here.')


async def _answer(send: Send, status: int, text: str) -> None:
    body = json.dumps({'error': text}).encode()
    # Connection: close, since the rest of the body is never read.
    await send({'type': 'http.response.start', 'status': status,
                'headers': [(b'content-type', b'application/json'), (b'content-length', str(len(body)).encode()),
                            (b'connection', b'close')]})
    await send({'type': 'http.response.body', 'body': body})


def _size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f'{limit // (1024 * 1024)} MB'
    if limit >= 1024 * 1024:
        return f'{limit / (1024 * 1024):.2f} MB'
    return f'{limit // 1024} KB'

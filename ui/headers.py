"""Security headers on every response: pages, static files, webhooks, redirects and 404s alike.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware) so it wraps streamed and static responses too, and
leaves websockets alone.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# As tight as NiceGUI allows. NiceGUI starts each page with an inline module script, compiles Vue templates in the
# browser (so 'unsafe-eval') and sets inline styles; Quasar adds <style> elements at run time. Everything else is
# our own origin: scripts, fonts, the socket.io connection ('self' covers ws/wss on this host). Images may also come
# from the business's https addresses (its logo, its staff's photos). Nothing may frame us, post a form elsewhere,
# move the base URL or load a plugin; card payment leaves by navigation (Stripe's hosted page), not by a form.
CONTENT_SECURITY_POLICY = '; '.join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "media-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
))
HSTS = 'max-age=31536000; includeSubDomains'
# The one exception to "nothing frames us": the admin's Panel Designer and Branding pages show the customer panel's
# preview page in frames of their own (same origin only); nothing else frames or is framed.
FRAMED_PAGES = frozenset({'/admin/preview'})
FRAMING_PAGES = frozenset({'/admin/designer', '/admin/branding'})


def security_headers(*, https: bool, framed: bool = False, framing: bool = False) -> list[tuple[bytes, bytes]]:
    """The headers every response carries; HSTS only when the public address is https. A `framed` page may be
    framed by our own pages, a `framing` page may frame our own pages (FRAMED_PAGES, FRAMING_PAGES)."""
    policy = CONTENT_SECURITY_POLICY
    if framed:
        policy = policy.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
    if framing:
        policy = policy.replace("frame-src 'none'", "frame-src 'self'")
    headers = [
        (b'content-security-policy', policy.encode()),
        (b'x-frame-options', b'SAMEORIGIN' if framed else b'DENY'),
        (b'x-content-type-options', b'nosniff'),
        (b'referrer-policy', b'strict-origin-when-cross-origin'),
        (b'cross-origin-opener-policy', b'same-origin'),
        (b'permissions-policy', b'camera=(), microphone=(), geolocation=(), payment=()'),
    ]
    if https:
        headers.append((b'strict-transport-security', HSTS.encode()))
    return headers


class SecurityHeaders:
    """Adds `security_headers` to every HTTP response, replacing any of the same name set further in."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.headers = security_headers(https=https)
        self.framed = security_headers(https=https, framed=True)
        self.framing = security_headers(https=https, framing=True)
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return

        path = scope.get('path', '')
        ours = self.framed if path in FRAMED_PAGES else self.framing if path in FRAMING_PAGES else self.headers

        async def send_with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                kept = [(k, v) for k, v in message.get('headers', []) if k.lower() not in self.names]
                message = {**message, 'headers': kept + ours}
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""What search engines may list: the booking page and the ways in, never the panel, the admin area or a page
behind an emailed link. `/robots.txt` says it to crawlers, `X-Robots-Tag: noindex` to anything that fetches
the other pages anyway (the pages' own `<meta name="robots">` says it a third time, see ui/theme.py)."""

from __future__ import annotations

from fastapi.responses import PlainTextResponse
from nicegui import app
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The pages a stranger may find through a search engine.
INDEXABLE: frozenset[str] = frozenset({'/book', '/login', '/signup', '/forgot'})

# Disallow lines first: crawlers that take the longest match (RFC 9309) and older ones that take the first match both
# keep /book/done out and let /book in. `/$` is the panel's first section, the site's root, and nothing under it.
ROBOTS_TXT = '''User-agent: *
Disallow: /book/done
Disallow: /$
Disallow: /packages
Disallow: /profile
Disallow: /security
Disallow: /receipts/
Disallow: /avatar/
Disallow: /admin
Disallow: /logout
Disallow: /verify
Disallow: /reset
Disallow: /set-password
Disallow: /magic
Disallow: /confirm-email
Disallow: /auth/
Allow: /book
Allow: /login
Allow: /signup
Allow: /forgot
'''

NOINDEX = (b'x-robots-tag', b'noindex, nofollow')


def indexable(path: str) -> bool:
    return path in INDEXABLE or path == '/robots.txt' or path.startswith('/_nicegui/')


@app.get('/robots.txt', include_in_schema=False)
def robots_txt() -> PlainTextResponse:
    return PlainTextResponse(ROBOTS_TXT, headers={'Cache-Control': 'public, max-age=3600'})


class NoIndex:
    """Adds `X-Robots-Tag: noindex, nofollow` to every HTTP response but those of the indexable pages.

    Plain ASGI, so the websocket and streamed responses pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http' or indexable(scope.get('path', '')):
            await self.app(scope, receive, send)
            return

        async def send_with_tag(message: Message) -> None:
            if message['type'] == 'http.response.start':
                message['headers'] = [*message.get('headers', []), NOINDEX]
            await send(message)

        await self.app(scope, receive, send_with_tag)

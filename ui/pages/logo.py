"""GET /logo: the business's uploaded logo, for every visitor (it is on public pages and in emails); the host names the
business, so one business's address never serves another's logo."""

from __future__ import annotations

from fastapi import Request, Response
from nicegui import app, run

from services import admin_settings
from services.context import get_db
from services.tenants import resolve_tenant


@app.get(admin_settings.LOGO_PATH)
async def logo_image(request: Request) -> Response:
    tenant = resolve_tenant(request.headers.get('host'))
    found = await run.io_bound(admin_settings.logo_image, get_db(), tenant_id=tenant.id)
    if found is None:
        return Response(status_code=404)
    content_type, data = found
    # The address carries ?v=<time of upload>, so a browser may keep it; it is an image, never a page.
    return Response(data, media_type=content_type, headers={
        'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'", 'Content-Disposition': 'inline; filename="logo.webp"'})

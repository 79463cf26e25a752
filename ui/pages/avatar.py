"""GET /avatar/{customer_id}: a customer's photo, to that signed-in customer only (404 for everyone else)."""

from __future__ import annotations

from fastapi import Request, Response
from nicegui import app, run

from services import auth, avatars
from services.context import get_db
from services.tenants import resolve_tenant


@app.get('/avatar/{customer_id}')
async def avatar_image(request: Request, customer_id: int) -> Response:
    tenant = resolve_tenant(request.headers.get('host'))
    viewer = await run.io_bound(auth.current_customer, get_db(), tenant_id=tenant.id,
                                session_id=app.storage.user.get('session'))
    if viewer is None:
        return Response(status_code=404)
    found = await run.io_bound(avatars.avatar_image, get_db(), tenant_id=tenant.id, customer_id=customer_id,
                               viewer_customer_id=viewer.id)
    if found is None:  # no photo, someone else's photo, or a customer of another business: the same answer
        return Response(status_code=404)
    content_type, data = found
    # The address carries ?v=<version>, so a browser may keep it; nothing else may, and it is never a page.
    return Response(data, media_type=content_type, headers={
        'Cache-Control': 'private, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'", 'Content-Disposition': 'inline; filename="avatar.webp"'})

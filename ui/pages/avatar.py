"""GET /avatar/{customer_id}: a customer's photo, to that signed-in customer only (404 for everyone else).
GET /staff-photo/{staff_id}: a staff member's photo, public within their business (the booking page shows it)."""

from __future__ import annotations

from fastapi import Request, Response
from nicegui import app, run

from services import auth, avatars, catalog
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


@app.get('/staff-photo/{staff_id}')
async def staff_photo(request: Request, staff_id: int) -> Response:
    tenant = resolve_tenant(request.headers.get('host'))
    found = await run.io_bound(catalog.staff_photo, get_db(), tenant_id=tenant.id, staff_id=staff_id)
    if found is None:  # no photo, or a staff member of another business: the same answer
        return Response(status_code=404)
    content_type, data = found
    return Response(data, media_type=content_type, headers={
        'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'", 'Content-Disposition': 'inline; filename="staff.webp"'})

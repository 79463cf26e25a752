"""GET /receipts/{payment_id}: the receipt of one of the signed-in customer's payments, as a downloadable page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from nicegui import app, run

from services import auth, receipts
from services.context import get_db
from services.tenants import resolve_tenant


@app.get('/receipts/{payment_id}')
async def receipt_download(request: Request, payment_id: int) -> Response:
    """Checked against the session's own customer and tenant: anyone else's payment is simply not found."""
    tenant = resolve_tenant(request.headers.get('host'))
    customer = await run.io_bound(auth.current_customer, get_db(), tenant_id=tenant.id,
                                  session_id=app.storage.user.get('session'))
    if customer is None:
        return PlainTextResponse('Please sign in again.', status_code=401)
    try:
        found = await run.io_bound(receipts.receipt, get_db(), tenant_id=tenant.id, customer_id=customer.id,
                                   payment_id=payment_id)
    except receipts.ReceiptNotFound:
        return PlainTextResponse('No such receipt in your account.', status_code=404)
    disposition = 'inline' if request.query_params.get('view') else 'attachment'
    return HTMLResponse(receipts.receipt_html(found), headers={
        'Content-Disposition': f'{disposition}; filename="{found.filename}"', 'Cache-Control': 'private, no-store'})

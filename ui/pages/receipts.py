"""GET /receipts/{payment_id}: the receipt of one of the signed-in customer's payments, as a downloadable page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from nicegui import app, run

from services import auth, i18n, receipts
from services.context import get_db
from services.tenants import resolve_tenant
from ui.i18n import browser_choice


@app.get('/receipts/{payment_id}')
async def receipt_download(request: Request, payment_id: int) -> Response:
    """Checked against the session's own customer and tenant: anyone else's payment is simply not found."""
    tenant = resolve_tenant(request.headers.get('host'))
    customer = await run.io_bound(auth.current_customer, get_db(), tenant_id=tenant.id,
                                  session_id=app.storage.user.get('session'))
    # A plain answer, not a page: its words in the reader's language all the same (saved, browser's, Accept-Language).
    loc = i18n.choose_locale((customer.language if customer else None) or browser_choice(),
                             request.headers.get('accept-language'), None)
    if customer is None:
        return PlainTextResponse(i18n.gettext('Please sign in again.', locale=loc), status_code=401)
    try:
        found = await run.io_bound(receipts.receipt, get_db(), tenant_id=tenant.id, customer_id=customer.id,
                                   payment_id=payment_id)
    except receipts.ReceiptNotFound:
        return PlainTextResponse(i18n.gettext('No such receipt in your account.', locale=loc), status_code=404)
    disposition = 'inline' if request.query_params.get('view') else 'attachment'
    return HTMLResponse(receipts.receipt_html(found), headers={
        'Content-Disposition': f'{disposition}; filename="{found.filename}"', 'Cache-Control': 'private, no-store'})

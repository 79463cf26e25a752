"""Stripe's webhook endpoint, outside the sign-in gate: the signature, not a session, says who is calling."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from fastapi.responses import JSONResponse
from nicegui import app, run

from services import payments
from services.context import get_db
from ui.body_limit import WEBHOOK_MAX_BYTES

# Stripe's events are a few kilobytes: ui.body_limit refuses a larger body before it is read; this check stays as a
# second line behind it.
MAX_BODY = WEBHOOK_MAX_BYTES


@app.post('/webhooks/stripe')
async def stripe_webhook(request: Request) -> JSONResponse:
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({'error': 'payload too large'}, status_code=413)
    try:
        result = await run.io_bound(payments.handle_webhook, get_db(), payload=body,
                                    signature=request.headers.get('stripe-signature'), now=datetime.now(UTC))
    except payments.WebhookRejected:
        return JSONResponse({'error': 'invalid signature'}, status_code=400)
    return JSONResponse({'received': True, 'outcome': result.outcome})

"""A small Stripe-compatible server on loopback for the Checkout endpoints, driven by the real `stripe` SDK.

It speaks what the SDK sends (form-encoded bodies with bracketed keys, Bearer keys, Idempotency-Key) and answers
with Stripe-shaped JSON. It serves a tiny hosted checkout page at each session's `url` whose "Pay" button
completes the session, delivers a webhook signed exactly as Stripe signs it, then redirects to `success_url`.
Tests drive it directly too: complete a session (paid, async, wrong amount), settle async payments, replay events,
or send forged ones.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

Deliver = Callable[[bytes, str], int]  # (body, Stripe-Signature header) -> HTTP status


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding back to nested values: a[b][0][c]=1 -> {'a': {'b': [{'c': '1'}]}}."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r'[^\[\]]+', key)
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt: Any = value if last else ([] if parts[i + 1].isdigit() else {})
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if node[index] is None or last:
                    node[index] = nxt
                node = node[index]
            else:
                if part not in node or last:
                    node[part] = nxt
                node = node[part]
    return root


@dataclass
class Delivery:
    event_id: str
    event_type: str
    status: int


@dataclass
class FakeStripe:
    """Start with `with FakeStripe(webhook_secret=..., deliver=...) as fake:`; `fake.url` is the API base."""

    webhook_secret: str
    deliver: Deliver | str | None = None  # a callable, or the app's webhook URL
    api_key_prefix: str = 'sk_test_'
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    expired_by_api: list[str] = field(default_factory=list)  # sessions the app expired through the API
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)  # refunds the app made, by id
    _idempotent: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # ---- life cycle -------------------------------------------------------------------------------------------

    def start(self) -> FakeStripe:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake._handle(self, 'GET')

            def do_POST(self) -> None:  # noqa: N802
                fake._handle(self, 'POST')

        self._server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *args: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f'http://{host}:{port}'

    # ---- test controls ----------------------------------------------------------------------------------------

    def complete(self, session_id: str, *, amount_total: int | None = None, currency: str | None = None,
                 async_payment: bool = False) -> dict[str, Any]:
        """The customer pays: the session completes and checkout.session.completed is delivered. With
        async_payment the method is delayed (payment_status stays 'unpaid' until `settle_async`). amount_total and
        currency override what Stripe reports, to test mismatches."""
        with self._lock:
            session = self.sessions[session_id]
            session['status'] = 'complete'
            session['payment_status'] = 'unpaid' if async_payment else 'paid'
            session['payment_intent'] = session['payment_intent'] or f'pi_test_{secrets.token_hex(8)}'
            if amount_total is not None:
                session['amount_total'] = amount_total
            if currency is not None:
                session['currency'] = currency
            snapshot = json.loads(json.dumps(session))
        return self.send_event('checkout.session.completed', snapshot)

    def settle_async(self, session_id: str, *, succeeded: bool) -> dict[str, Any]:
        """A delayed payment method finally succeeds or fails."""
        with self._lock:
            session = self.sessions[session_id]
            session['payment_status'] = 'paid' if succeeded else 'unpaid'
            snapshot = json.loads(json.dumps(session))
        kind = 'succeeded' if succeeded else 'failed'
        return self.send_event(f'checkout.session.async_payment_{kind}', snapshot)

    def expire(self, session_id: str, *, notify: bool = True) -> None:
        """The customer never paid and the session's time ran out; with `notify`, checkout.session.expired is
        delivered (without it: a webhook that never arrived)."""
        with self._lock:
            session = self.sessions[session_id]
            session['status'] = 'expired'
            session['url'] = None
            snapshot = json.loads(json.dumps(session))
        if notify:
            self.send_event('checkout.session.expired', snapshot)

    def send_event(self, event_type: str, obj: dict[str, Any], *, event_id: str | None = None,
                   secret: str | None = None) -> dict[str, Any]:
        """Build an event around `obj` and deliver it signed with `secret` (the real one unless forging)."""
        event = {
            'id': event_id or f'evt_test_{secrets.token_hex(12)}', 'object': 'event', 'api_version': '2025-01-27',
            'created': int(time.time()), 'livemode': False, 'pending_webhooks': 1, 'type': event_type,
            'request': {'id': None, 'idempotency_key': None}, 'data': {'object': obj},
        }
        self.events[event['id']] = event
        self.deliver_event(event, secret=secret)
        return event

    def deliver_event(self, event: dict[str, Any], *, secret: str | None = None,
                      tamper: Callable[[str], str] | None = None) -> int:
        """(Re)deliver an event, freshly signed as Stripe does; `tamper` alters the body after signing."""
        body = json.dumps(event, indent=2)
        header = stripe.WebhookSignature.generate_signature_header(body, secret or self.webhook_secret,
                                                                   timestamp=int(time.time()))
        if tamper is not None:
            body = tamper(body)
        status = self._post(body.encode(), header)
        self.deliveries.append(Delivery(event['id'], event['type'], status))
        return status

    def _post(self, body: bytes, header: str) -> int:
        if self.deliver is None:
            return 0
        if callable(self.deliver):
            return self.deliver(body, header)
        request = urllib.request.Request(self.deliver, data=body, method='POST', headers={
            'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': header,
            'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)'})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    # ---- HTTP -------------------------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        path = urlsplit(h.path).path
        length = int(h.headers.get('Content-Length') or 0)
        body = h.rfile.read(length).decode() if length else ''
        self.requests.append((method, path, dict(h.headers.items())))
        page = re.fullmatch(r'/pay/(cs_test_\w+)(/complete)?', path)
        if page:
            return self._hosted_page(h, method, page.group(1), bool(page.group(2)))
        if not (h.headers.get('Authorization') or '').startswith(f'Bearer {self.api_key_prefix}'):
            return self._json(h, 401, _error('invalid_request_error', 'Invalid API Key provided.'))
        if method == 'POST' and path == '/v1/checkout/sessions':
            return self._create_session(h, decode_form(body))
        found = re.fullmatch(r'/v1/checkout/sessions/(cs_test_\w+)', path)
        if method == 'GET' and found:
            session = self.sessions.get(found.group(1))
            if session is None:
                return self._json(h, 404, _error('invalid_request_error', 'No such checkout.session.',
                                                 code='resource_missing'))
            return self._json(h, 200, session)
        if method == 'POST' and path == '/v1/refunds':
            return self._create_refund(h, decode_form(body))
        expiring = re.fullmatch(r'/v1/checkout/sessions/(cs_test_\w+)/expire', path)
        if method == 'POST' and expiring:
            return self._expire_session(h, expiring.group(1))
        return self._json(h, 404, _error('invalid_request_error', f'Unrecognized request URL ({method}: {path}).'))

    def _create_refund(self, h: BaseHTTPRequestHandler, params: dict[str, Any]) -> None:
        """Stripe's POST /v1/refunds: a paid payment intent is refunded, in full or in part, never beyond what was
        paid; the same Idempotency-Key answers the same refund again."""
        key = h.headers.get('Idempotency-Key')
        with self._lock:
            if key and key in self._idempotent:
                return self._json(h, 200, self._idempotent[key][1], replayed=True)
            intent = params.get('payment_intent')
            paid = next((s for s in self.sessions.values() if intent and s.get('payment_intent') == intent
                         and s.get('payment_status') == 'paid'), None)
            if paid is None:
                return self._json(h, 400, _error('invalid_request_error', f'No such payment_intent: {intent!r}',
                                                 code='resource_missing', param='payment_intent'))
            already = sum(r['amount'] for r in self.refunds.values() if r['payment_intent'] == intent)
            amount = int(params.get('amount') or paid['amount_total'] - already)
            if amount <= 0 or already + amount > paid['amount_total']:
                return self._json(h, 400, _error('invalid_request_error', 'Refund amount is greater than the '
                                                 'unrefunded amount on the charge.', code='amount_too_large'))
            refund = {'id': f're_test_{secrets.token_hex(12)}', 'object': 'refund', 'amount': amount,
                      'currency': paid['currency'], 'payment_intent': intent, 'status': 'succeeded',
                      'created': int(time.time()), 'metadata': params.get('metadata', {})}
            self.refunds[refund['id']] = refund
            if key:
                self._idempotent[key] = (params, refund)
        self._json(h, 200, refund)

    def _expire_session(self, h: BaseHTTPRequestHandler, session_id: str) -> None:
        """Stripe's POST /v1/checkout/sessions/{id}/expire: only an open session expires, and Stripe then sends
        checkout.session.expired as it does when the time runs out."""
        with self._lock:
            session = self.sessions.get(session_id)
            status = session['status'] if session else None
        if session is None:
            return self._json(h, 404, _error('invalid_request_error', 'No such checkout.session.',
                                             code='resource_missing'))
        if status != 'open':
            return self._json(h, 400, _error('invalid_request_error', 'Only Checkout Sessions with a status in '
                                             f'["open"] can be expired. This session has a status of "{status}".'))
        # The event goes out before the answer (Stripe sends it a moment later), so tests need not wait for it.
        self.expire(session_id)
        self.expired_by_api.append(session_id)
        with self._lock:
            snapshot = json.loads(json.dumps(self.sessions[session_id]))
        self._json(h, 200, snapshot)

    def _create_session(self, h: BaseHTTPRequestHandler, params: dict[str, Any]) -> None:
        key = h.headers.get('Idempotency-Key')
        with self._lock:
            if key and key in self._idempotent:
                earlier, response = self._idempotent[key]
                if earlier != params:
                    return self._json(h, 400, _error(
                        'idempotency_error', 'Keys for idempotent requests can only be used with the same '
                        'parameters they were first used with.'))
                return self._json(h, 200, response, replayed=True)
            for needed in ('success_url', 'line_items', 'mode'):
                if needed not in params:
                    return self._json(h, 400, _error('invalid_request_error', f'Missing required param: {needed}.',
                                                     param=needed))
            items = params['line_items']
            amount = sum(int(i['price_data']['unit_amount']) * int(i.get('quantity', 1)) for i in items)
            session_id = f'cs_test_{secrets.token_hex(16)}'
            session = {
                'id': session_id, 'object': 'checkout.session', 'mode': params['mode'], 'status': 'open',
                'payment_status': 'unpaid', 'amount_total': amount, 'amount_subtotal': amount,
                'currency': items[0]['price_data']['currency'],
                'client_reference_id': params.get('client_reference_id'),
                'customer_email': params.get('customer_email'), 'metadata': params.get('metadata', {}),
                'success_url': params['success_url'], 'cancel_url': params.get('cancel_url'),
                'url': f'{self.url}/pay/{session_id}', 'payment_intent': None, 'livemode': False,
                'created': int(time.time()), 'expires_at': int(time.time()) + 86400,
                'line_items_description': items[0]['price_data'].get('product_data', {}).get('name', ''),
            }
            self.sessions[session_id] = session
            if key:
                self._idempotent[key] = (params, json.loads(json.dumps(session)))
        self._json(h, 200, session)

    def _hosted_page(self, h: BaseHTTPRequestHandler, method: str, session_id: str, complete: bool) -> None:
        session = self.sessions.get(session_id)
        if session is None:
            return self._send(h, 404, b'No such checkout', 'text/plain')
        if method == 'POST' and complete:
            if session['status'] == 'open':
                self.complete(session_id)
            target = session['success_url'].replace('{CHECKOUT_SESSION_ID}', session_id)
            h.send_response(303)
            h.send_header('Location', target)
            h.send_header('Content-Length', '0')
            h.end_headers()
            return None
        amount = session['amount_total']
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Test checkout</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem">
<h1>Test checkout</h1>
<p data-testid="item">{html.escape(session['line_items_description'])}</p>
<p data-testid="amount">{amount / 100:.2f} {html.escape(session['currency'].upper())}</p>
<form method="post" action="/pay/{session_id}/complete"><button type="submit">Pay</button></form>
<p><a href="{html.escape(session.get('cancel_url') or '/')}">Cancel and go back</a></p>
</body></html>"""
        self._send(h, 200, page.encode(), 'text/html; charset=utf-8')

    def _json(self, h: BaseHTTPRequestHandler, status: int, data: dict[str, Any], replayed: bool = False) -> None:
        extra = {'Idempotent-Replayed': 'true'} if replayed else {}
        self._send(h, status, json.dumps(data).encode(), 'application/json', extra)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str,
              extra: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header('Content-Type', content_type)
        h.send_header('Content-Length', str(len(body)))
        h.send_header('Request-Id', f'req_{secrets.token_hex(8)}')
        for name, value in (extra or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)


def _error(kind: str, message: str, **more: str) -> dict[str, Any]:
    return {'error': {'type': kind, 'message': message, **more}}

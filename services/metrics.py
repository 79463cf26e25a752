"""The process's Prometheus metrics: what an operator graphs and alerts on.

Each instance counts for itself; Prometheus scrapes every instance (`/metrics`, see ui/ops.py) and sums them.
Services call the small functions below after the thing happened; nothing here ever raises into a use case.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter('kairos_http_requests_total', 'HTTP requests answered, by method and status class',
                   ['method', 'status'], registry=REGISTRY)
REQUEST_SECONDS = Histogram('kairos_http_request_duration_seconds', 'Time to answer an HTTP request',
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), registry=REGISTRY)
CLIENTS = Gauge('kairos_connected_clients', 'Browser pages connected to this instance over the websocket',
                registry=REGISTRY)
EMAILS_QUEUED = Gauge('kairos_emails_queued', 'Emails waiting to be sent', registry=REGISTRY)
EMAILS_SENT = Counter('kairos_emails_sent_total', 'Emails handed to the SMTP server or the outbox folder',
                      registry=REGISTRY)
EMAILS_FAILED = Counter('kairos_emails_failed_total', 'Emails that could not be sent', registry=REGISTRY)
BOOKINGS = Counter('kairos_bookings_total', 'Appointments booked', registry=REGISTRY)

CONTENT_TYPE = CONTENT_TYPE_LATEST


def request_done(*, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method=method, status=f'{status // 100}xx').inc()
    REQUEST_SECONDS.observe(seconds)


def count_clients(counter: Callable[[], int]) -> None:
    """Read the number of connected clients from `counter` at every scrape."""
    CLIENTS.set_function(counter)


def count_queued_emails(counter: Callable[[], int]) -> None:
    """Read the number of emails waiting from `counter` at every scrape (the mail queue; later the outbox table)."""
    EMAILS_QUEUED.set_function(counter)


def email_sent() -> None:
    EMAILS_SENT.inc()


def email_failed() -> None:
    EMAILS_FAILED.inc()


def booked() -> None:
    BOOKINGS.inc()


def exposition() -> bytes:
    """Every metric in Prometheus's text format."""
    return generate_latest(REGISTRY)

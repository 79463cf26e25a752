"""What a panel page knows about who is looking: built per request, never shared between visitors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from domain import model as d
from domain.settings import PanelSettings
from domain.web import safe_url


@dataclass(slots=True, kw_only=True)
class PanelContext:
    tenant: d.Tenant
    customer: d.Customer
    session_id: str
    settings: PanelSettings
    statuses: tuple[d.Status, ...] = ()
    clock: object = field(default=None, repr=False)  # a callable returning aware UTC now; tests may pin it
    # Data the page loaded with the shell, handed to the first section built (then dropped).
    first_paint: dict[str, object] = field(default_factory=dict, repr=False)

    def now(self) -> datetime:
        if callable(self.clock):
            return self.clock()  # type: ignore[no-any-return]
        return datetime.now(UTC)

    @property
    def tz(self) -> ZoneInfo:
        """The customer's own zone when known, else the business's."""
        return ZoneInfo(self.customer.timezone or self.tenant.timezone)

    @property
    def booking_url(self) -> str:
        """Where "Book an appointment" leads: the business's booking page if it is a safe link, else ours."""
        return safe_url(self.settings.booking_url or self.tenant.booking_url, allow_path=True) or '/book'

    @property
    def business_tz(self) -> ZoneInfo:
        return ZoneInfo(self.tenant.timezone)


@cache
def known_timezones() -> frozenset[str]:
    """The IANA zones this machine knows, read from disk once: what a browser may report as its zone."""
    return frozenset(available_timezones())

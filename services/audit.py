"""Placeholder until admin-auth's audit log lands on main (issue 13 point 7): take that branch's version."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def record(session: Any, *, tenant_id: int, admin_id: int, action: str, before: dict[str, Any],
           after: dict[str, Any], now: datetime) -> None:
    """Nothing is kept yet."""

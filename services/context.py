"""The process's handle on the database: the runtime's, made from configuration on first use."""

from __future__ import annotations

from services import runtime
from storage.db import Database


def get_db() -> Database:
    return runtime.get().db


def reset_db() -> None:
    """Close the database handle; the next get_db() opens one for the configured URL."""
    runtime.get().forget_db()

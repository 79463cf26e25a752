"""Refusals are `domain.i18n.Text` (shown in the reader's language); tests read them in English, as a log does."""

from __future__ import annotations

from domain.i18n import Text


def en(said: Text | str | None) -> str | None:
    """The English of a refusal or a label (None stays None)."""
    return None if said is None else str(said)

"""Interval algebra on half-open spans [start, end).

The slot engine uses aware UTC datetimes; the same functions also serve naive wall-clock datetimes when working
hours are combined in local time (any values of one kind that compare and subtract will do). A *normalised* list is
sorted, holds no empty span, and no two of its spans overlap or touch. Every function that takes normalised lists
runs in one sorted sweep or a binary search; none of them is quadratic.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Generic, TypeVar

Span = tuple[datetime, datetime]

_start = itemgetter(0)
_end = itemgetter(1)
_span = itemgetter(0, 1)
T = TypeVar('T')


def normalise(spans: Iterable[Span]) -> list[Span]:
    """Sort spans and merge those that overlap or touch; empty spans vanish."""
    ordered = sorted(s for s in spans if s[0] < s[1])
    merged: list[Span] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def union(a: Iterable[Span], b: Iterable[Span]) -> list[Span]:
    """The instants covered by either list of spans, normalised."""
    return normalise([*a, *b])


def subtract(base: Sequence[Span], cut: Sequence[Span]) -> list[Span]:
    """The instants of normalised `base` not covered by normalised `cut`."""
    result: list[Span] = []
    j = 0
    n = len(cut)
    for start, end in base:
        # cut spans that end before this base span starts can never matter again: base is sorted
        while j < n and cut[j][1] <= start:
            j += 1
        k = j
        cursor = start
        while k < n and cut[k][0] < end:
            cut_start, cut_end = cut[k]
            if cut_start > cursor:
                result.append((cursor, cut_start))
            if cut_end > cursor:
                cursor = cut_end
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """The instants covered by both normalised lists."""
    result: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return result


def window(spans: Sequence[Span], lo: datetime, hi: datetime) -> Sequence[Span]:
    """The spans of a normalised list that overlap [lo, hi), found by binary search (not clipped)."""
    first = bisect_right(spans, lo, key=_end)
    last = bisect_left(spans, hi, lo=first, key=_start)
    return spans[first:last]


def clip(spans: Sequence[Span], lo: datetime, hi: datetime) -> list[Span]:
    """The parts of a normalised list that lie inside [lo, hi)."""
    inside = list(window(spans, lo, hi))
    if inside:
        if inside[0][0] < lo:
            inside[0] = (lo, inside[0][1])
        if inside[-1][1] > hi:
            inside[-1] = (inside[-1][0], hi)
    return [s for s in inside if s[0] < s[1]]


def overlaps_any(spans: Sequence[Span], lo: datetime, hi: datetime) -> bool:
    """Whether [lo, hi) shares an instant with any span of a normalised list."""
    return lo < hi and bool(window(spans, lo, hi))


def covers(spans: Sequence[Span], lo: datetime, hi: datetime) -> bool:
    """Whether one span of a normalised list contains all of [lo, hi)."""
    i = bisect_right(spans, lo, key=_start) - 1
    return i >= 0 and spans[i][1] >= hi


def expand(spans: Iterable[Span], before: timedelta, after: timedelta) -> list[Span]:
    """Each span widened by `before` at its start and `after` at its end, normalised."""
    return normalise((start - before, end + after) for start, end in spans)


def total(spans: Iterable[Span]) -> timedelta:
    """The summed length of the spans (of a normalised list, that is the covered time)."""
    return sum((end - start for start, end in spans), timedelta(0))


class OverlapIndex(Generic[T]):
    """Spans that may overlap each other (not merged), each with a label, answering 'which meet [lo, hi)?' quickly.

    Items are kept sorted by span together with the running maximum of their ends, so a query binary-searches the
    last span starting before `hi` and walks back only while some earlier span can still reach past `lo`.
    """

    __slots__ = ('items', '_starts', '_reach')

    def __init__(self, items: Iterable[tuple[datetime, datetime, T]]) -> None:
        self.items: list[tuple[datetime, datetime, T]] = sorted(items, key=_span)
        self._starts = [item[0] for item in self.items]
        self._reach: list[datetime] = []
        for item in self.items:
            end = item[1]
            self._reach.append(end if not self._reach or end > self._reach[-1] else self._reach[-1])

    def __len__(self) -> int:
        return len(self.items)

    def overlapping(self, lo: datetime, hi: datetime) -> Iterator[tuple[datetime, datetime, T]]:
        """The items (latest start first) whose span shares an instant with [lo, hi)."""
        if lo >= hi:
            return
        i = bisect_left(self._starts, hi) - 1
        while i >= 0 and self._reach[i] > lo:
            if self.items[i][1] > lo:
                yield self.items[i]
            i -= 1

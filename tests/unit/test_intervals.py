"""Interval algebra on half-open spans, as tables; and against a set-of-minutes model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.intervals import (
    OverlapIndex,
    clip,
    covers,
    expand,
    intersect,
    normalise,
    overlaps_any,
    subtract,
    total,
    union,
    window,
)

BASE = datetime(2026, 1, 5, tzinfo=UTC)


def h(hour: float) -> datetime:
    return BASE + timedelta(hours=hour)


def spans(*pairs: tuple[float, float]) -> list[tuple[datetime, datetime]]:
    return [(h(a), h(b)) for a, b in pairs]


@pytest.mark.parametrize(
    ('given_spans', 'expected'),
    [
        pytest.param([], [], id='nothing stays nothing'),
        pytest.param([(3, 4), (1, 2)], [(1, 2), (3, 4)], id='sorted'),
        pytest.param([(1, 3), (2, 4)], [(1, 4)], id='overlapping spans merge'),
        pytest.param([(1, 2), (2, 3)], [(1, 3)], id='touching spans merge'),
        pytest.param([(1, 5), (2, 3)], [(1, 5)], id='a contained span disappears'),
        pytest.param([(2, 2), (4, 3)], [], id='empty and reversed spans vanish'),
    ],
)
def test_normalise(given_spans: list[tuple[float, float]], expected: list[tuple[float, float]]) -> None:
    assert normalise(spans(*given_spans)) == spans(*expected)


@pytest.mark.parametrize(
    ('base', 'cut', 'expected'),
    [
        pytest.param([(9, 17)], [], [(9, 17)], id='nothing to cut'),
        pytest.param([(9, 17)], [(12, 13)], [(9, 12), (13, 17)], id='a break splits the day'),
        pytest.param([(9, 17)], [(8, 10), (16, 18)], [(10, 16)], id='cuts over both edges'),
        pytest.param([(9, 17)], [(8, 18)], [], id='cut away entirely'),
        pytest.param([(9, 12), (13, 17)], [(11, 14)], [(9, 11), (14, 17)], id='one cut across two spans'),
        pytest.param([(9, 10), (11, 12)], [(10, 11)], [(9, 10), (11, 12)], id='a cut in the gap changes nothing'),
        pytest.param([(9, 17)], [(9, 10), (10, 11), (16, 17)], [(11, 16)], id='touching cuts at the start'),
    ],
)
def test_subtract(base: list, cut: list, expected: list) -> None:
    assert subtract(spans(*base), spans(*cut)) == spans(*expected)


@pytest.mark.parametrize(
    ('a', 'b', 'expected'),
    [
        pytest.param([(9, 17)], [(12, 20)], [(12, 17)], id='overlap'),
        pytest.param([(9, 12), (13, 17)], [(11, 14)], [(11, 12), (13, 14)], id='one span across two'),
        pytest.param([(9, 10)], [(10, 11)], [], id='touching spans share no instant'),
    ],
)
def test_intersect_and_union(a: list, b: list, expected: list) -> None:
    assert intersect(spans(*a), spans(*b)) == spans(*expected)
    assert total(union(spans(*a), spans(*b))) == total(spans(*a)) + total(spans(*b)) - total(spans(*expected))


def test_window_clip_overlaps_and_covers() -> None:
    day = spans((1, 2), (3, 5), (6, 8))
    assert list(window(day, h(2), h(6))) == spans((3, 5))
    assert list(window(day, h(1.5), h(6.5))) == day
    assert clip(day, h(1.5), h(7)) == spans((1.5, 2), (3, 5), (6, 7))
    assert overlaps_any(day, h(4), h(4.5)) and not overlaps_any(day, h(5), h(6))
    assert covers(day, h(3), h(5)) and not covers(day, h(4), h(6)) and not covers(day, h(0), h(1))
    assert expand(day, timedelta(hours=0.5), timedelta(hours=0.5)) == spans((0.5, 8.5))  # touching spans merge


def test_overlap_index_finds_long_spans_behind_short_ones() -> None:
    index = OverlapIndex([(h(0), h(10), 'long'), (h(1), h(2), 'a'), (h(3), h(4), 'b'), (h(9), h(11), 'c')])
    assert [item[2] for item in index.overlapping(h(5), h(6))] == ['long']
    assert sorted(item[2] for item in index.overlapping(h(3.5), h(9.5))) == ['b', 'c', 'long']
    assert list(index.overlapping(h(11), h(12))) == []


# the same operations on sets of whole minutes, a model nobody can get wrong
minute_spans = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=6)


def _points(pairs: list[tuple[datetime, datetime]]) -> set[int]:
    return {m for a, b in pairs for m in range((a - BASE) // timedelta(minutes=1), (b - BASE) // timedelta(minutes=1))}


def _minutes(pairs: list[tuple[int, int]]) -> list[tuple[datetime, datetime]]:
    return [(BASE + timedelta(minutes=a), BASE + timedelta(minutes=b)) for a, b in pairs]


@settings(max_examples=25, deadline=None, database=None)
@given(minute_spans, minute_spans)
def test_algebra_matches_sets_of_minutes(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    na, nb = normalise(_minutes(a)), normalise(_minutes(b))
    for result in (na, nb, subtract(na, nb), intersect(na, nb), union(na, nb)):
        assert result == normalise(result)  # every answer is itself normalised
    assert _points(subtract(na, nb)) == _points(na) - _points(nb)
    assert _points(intersect(na, nb)) == _points(na) & _points(nb)
    assert _points(union(na, nb)) == _points(na) | _points(nb)
    index = OverlapIndex((s, e, i) for i, (s, e) in enumerate(_minutes(a)) if s < e)
    for lo, hi in _minutes(b):
        found = {item[2] for item in index.overlapping(lo, hi)}
        assert found == {i for i, (s, e) in enumerate(_minutes(a)) if s < e and lo < hi and s < hi and lo < e}

"""The panel's paged SQL says exactly what the domain's rules say, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from domain import panel as rules
from services import panel
from storage import tenants as tenant_db
from tests.support.seed import add_appointment, seed_world

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_tabs_sorts_pages_counts_and_next_visit_match_the_rules(db) -> None:
    world = seed_world(db, now=NOW)
    rng = random.Random(3)
    for _ in range(40):  # every status, prices and times on both sides of now, some sharing a start
        start = NOW + timedelta(hours=rng.choice([-1, 1]) * rng.randint(1, 900) // 3 * 3)
        add_appointment(db, world, start=start, status=rng.choice(['pending', 'approved', 'canceled', 'rejected',
                                                                   'no-show']),
                        price=rng.choice([2000, 4500, 12000]), staff=rng.choice(['mia', 'leo']))
    add_appointment(db, world, start=NOW - timedelta(minutes=10))  # under way: in All, in neither Upcoming nor Past
    add_appointment(db, world, customer=world.bob, start=NOW + timedelta(hours=5))  # never Ada's
    everything = panel.all_appointments(db, tenant_id=world.tenant_id, customer_id=world.ada)
    assert len(everything) == 41
    shell = panel.load_entry(db, tenant_id=world.tenant_id, session_id=None, now=NOW, appointments=True)
    assert shell is None  # no session, no panel
    with db.read() as s:
        statuses = tenant_db.statuses(s, tenant_id=world.tenant_id)
    order = [s.key for s in statuses]

    def paged(tab: str, sort: str) -> list[int]:
        found: list[int] = []
        for number in range(1, 6):
            found += [a.id for a in panel.load_page(db, tenant_id=world.tenant_id, customer_id=world.ada, now=NOW,
                                                    tab=tab, sort=sort, statuses=statuses, page=number,
                                                    page_size=9)]
        return found

    def same_order(found: list[int], expected: list) -> None:
        # Equal keys (same start, or same price and start) may come in either order; the keys must not.
        assert sorted(found) == sorted(a.id for a in expected)
        by_id = {a.id: a for a in everything}
        assert [key(by_id[i]) for i in found] == [key(a) for a in expected]

    key = lambda a: a.start  # noqa: E731
    same_order(paged('upcoming', 'newest'), rules.upcoming(everything, NOW))
    same_order(paged('past', 'newest'), rules.past(everything, NOW))
    same_order(paged('all', 'newest'), rules.sort_all(everything, 'newest', order))
    same_order(paged('all', 'oldest'), rules.sort_all(everything, 'oldest', order))
    key = lambda a: (a.status.key, a.start)  # noqa: E731
    same_order(paged('all', 'status'), rules.sort_all(everything, 'status', order))
    key = lambda a: (a.price, a.start)  # noqa: E731
    same_order(paged('all', 'price'), rules.sort_all(everything, 'price', order))

    data = panel.load_panel(db, tenant_id=world.tenant_id, customer_id=world.ada, now=NOW, statuses=statuses)
    expected = rules.counts(everything, NOW)
    assert (data.counts['upcoming'], data.counts['completed']) == (expected.upcoming, expected.completed)
    assert data.counts['tab_upcoming'] == len(rules.upcoming(everything, NOW))
    assert data.counts['tab_past'] == len(rules.past(everything, NOW))
    assert data.counts['tab_all'] == 41
    assert data.next_appointment.id == rules.next_appointment(everything, NOW).id

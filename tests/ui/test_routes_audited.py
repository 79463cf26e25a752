"""A page cannot arrive unaudited: every route the app registers is in the accessibility audit's table
(e2e/routes.py), or listed there as not a page, with the reason."""

from __future__ import annotations

from fastapi.routing import APIRoute
from nicegui import app
from nicegui.testing import User

from e2e.routes import NOT_PAGES, VISITS


def registered_routes() -> set[str]:
    """The app's own routes (NiceGUI's internals under /_nicegui are its business, not ours)."""
    return {route.path for route in app.routes
            if isinstance(route, APIRoute) and not route.path.startswith('/_nicegui')}


async def test_every_route_is_audited_or_says_why_not(user: User) -> None:  # the fixture ran the app's set-up
    routes = registered_routes()
    audited = {visit.route for visit in VISITS}
    missing = routes - audited - set(NOT_PAGES)
    assert not missing, f'add these routes to e2e/routes.py (VISITS, or NOT_PAGES with the reason): {sorted(missing)}'
    gone = (audited | set(NOT_PAGES)) - routes
    assert not gone, f'e2e/routes.py lists routes the app no longer has: {sorted(gone)}'


async def test_the_table_has_one_row_per_state() -> None:
    ids = [visit.id for visit in VISITS]
    assert len(ids) == len(set(ids))
    assert not audited_and_excused()


def audited_and_excused() -> set[str]:
    return {visit.route for visit in VISITS} & set(NOT_PAGES)

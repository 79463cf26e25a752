"""Choosing the language: the list the switchers offer, what a choice does, and keeping what the visitor typed.

A choice is kept where it belongs (a signed-in customer's in their account, `customer.language`, which the server
checks is a shipped language; anyone's in this browser's NiceGUI user storage, `ui.i18n.BROWSER_CHOICE`), then the page
is built again in the new language. What the visitor had typed into the page's fields survives the rebuild: the server
holds every field's value already (the fields send each change), so it keeps the marked fields' values for a few
seconds in this browser's user storage and puts them back into the same marked fields of the rebuilt page. Passwords
are never kept.

Two switchers use this: the page frame's top bar on the public pages (ui/components/page_frame.js) and
`language_select` for the panel's Profile section.
"""

from __future__ import annotations

import time
from typing import Any

from nicegui import Client, app, context, run, ui
from nicegui.elements.mixins.value_element import ValueElement

from domain.i18n import AUTONYMS, CHOOSE_LANGUAGE, LANGUAGE_LABEL, SHIPPED_LOCALES, SOURCE_LOCALE
from services import auth, panel
from services.context import get_db
from ui.i18n import BROWSER_CHOICE, locale, t

STASH = 'language_stash'
STASH_SECONDS = 60  # long enough for a slow phone to load the page again, short enough not to surprise anyone later
_VALUES = (str, int, float, bool, type(None))


def bcp47(code: str) -> str:
    """`pt_PT` as HTML's lang attribute spells it: `pt-PT`."""
    return code.replace('_', '-')


def languages() -> list[dict[str, str]]:
    """What a switcher offers: each shipped language in its own words, with its lang attribute."""
    return [{'code': code, 'name': t(AUTONYMS[code]), 'lang': bcp47(code)} for code in SHIPPED_LOCALES]


def frame_props() -> dict[str, Any]:
    """The page frame's switcher: the languages, the page's own and the switcher's name for screen readers."""
    return {'languages': languages(), 'language': locale(), 'choose_label': t(CHOOSE_LANGUAGE)}


async def switch_to(language: object, *, tenant_id: int, session_id: str | None = None) -> bool:
    """Keep `language` as this visitor's choice and build the page again in it, keeping what they typed. A signed-in
    customer's choice goes into their account (their emails follow it too). False (nothing done) for anything that
    is not a shipped language or is the page's language already."""
    if not isinstance(language, str) or language not in SHIPPED_LOCALES:
        return False
    if language == locale():
        return False
    app.storage.user[BROWSER_CHOICE] = language
    if session_id:
        try:
            await run.io_bound(auth.act, get_db(), panel.remember_language, tenant_id=tenant_id,
                               session_id=session_id, language=language)
        except auth.SessionEnded:
            pass  # signed out meanwhile: the browser's choice stands, the page's own watch takes it to sign-in
    stash_typed()
    ui.navigate.reload()
    return True


def language_select(*, tenant_id: int, session_id: str | None, mark: str = 'language-select') -> ui.select:
    """The switcher for a settings form such as the panel's Profile: a select of the shipped languages, each in its own
    words, named for screen readers. Choosing one keeps it (in the signed-in customer's account) and builds the page
    again in it, with what was typed into the page's marked fields (`switch_to`)."""

    async def chosen(code: object) -> None:
        await switch_to(code, tenant_id=tenant_id, session_id=session_id)

    shown = locale() if locale() in SHIPPED_LOCALES else SOURCE_LOCALE  # the pseudo-locale (tests) is English
    select = ui.select({entry['code']: entry['name'] for entry in languages()}, value=shown,
                       label=t(LANGUAGE_LABEL), on_change=lambda e: chosen(e.value)).props('outlined').mark(mark)
    select.props['aria-label'] = t(CHOOSE_LANGUAGE)  # by key: text, never parsed as props
    return select


# ---- what the visitor typed --------------------------------------------------------------------------------------


def stash_typed(client: Client | None = None) -> None:
    """Keep the values of the page's marked fields (never a password) for the page built next in this browser."""
    found = client if client is not None else context.client
    values = {marker: element.value for marker, element in _fields(found).items()
              if isinstance(element.value, _VALUES) and element.value not in ('', None)}
    app.storage.user[STASH] = {'path': _path(found), 'at': time.time(), 'values': values}


def restore_typed(client: Client | None = None, *, later: bool = False) -> int:
    """Put the kept values back into the same marked fields of this page (built again in another language); how many.
    Values for fields the page has not drawn yet stay kept, for a later call: with `later`, once more when the browser
    connects (a panel section drawn after the frame, in the background, is there by then)."""
    found = client if client is not None else context.client
    try:
        stash = app.storage.user.get(STASH)
    except RuntimeError:  # no request to find this browser's storage by
        return 0
    if not isinstance(stash, dict):
        return 0
    if stash.get('path') != _path(found) or time.time() - float(stash.get('at', 0)) > STASH_SECONDS:
        app.storage.user.pop(STASH, None)
        return 0
    values: dict[str, Any] = dict(stash.get('values') or {})
    fields = _fields(found)
    restored = 0
    for marker in [m for m in values if m in fields]:
        value = values.pop(marker)
        try:
            fields[marker].value = value
        except ValueError:  # a choice the rebuilt page no longer offers
            continue
        restored += 1
    if values:
        app.storage.user[STASH] = {**stash, 'values': values}
        if later:
            found.on_connect(lambda: restore_typed(found))
    else:
        app.storage.user.pop(STASH, None)
    return restored


def _fields(client: Client) -> dict[str, ValueElement]:
    """The page's marked fields, by their first marker; password fields left out (shown or hidden)."""
    found: dict[str, ValueElement] = {}
    for element in list(client.elements.values()):
        if not isinstance(element, ValueElement) or not element._markers:  # noqa: SLF001  (NiceGUI keeps them there)
            continue
        if _is_password(element) or element._markers[0].startswith('language'):  # noqa: SLF001  (a switcher)
            continue
        found.setdefault(element._markers[0], element)  # noqa: SLF001
    return found


def _is_password(element: ValueElement) -> bool:
    props = element.props
    return bool(getattr(element, 'password', False)) or props.get('type') == 'password' \
        or 'password' in str(props.get('autocomplete', ''))


def _path(client: Client) -> str:
    """Where the page is: the panel's section when it switched in place, else the page's own address."""
    try:
        current = client.sub_pages_router.current_path
    except (AttributeError, RuntimeError):
        current = None
    if current:
        return str(current).split('?')[0]
    try:
        return str(client.request.url.path)
    except (AttributeError, RuntimeError):
        return '/'

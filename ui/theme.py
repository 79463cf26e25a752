"""The page frame: the business's colours, a phone-first header and the panel's navigation."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from nicegui import ui

from domain import branding
from domain import model as d
from domain.web import safe_color, safe_url
from ui.components.panel_chrome import PanelChrome, TimezoneHandler

CSS = '''
:root { --k-radius: 14px; }
/* The panel's frame element adds no box of its own; its top bar runs edge to edge, over the page's own padding. */
.k-shell { display: contents; }
.k-chrome { margin: -1rem -1rem 0; width: calc(100% + 2rem); }
body { background: var(--k-bg, #f6f7fb); }
.body--dark { --k-bg: #0f1115; }
.k-main { max-width: 1100px; margin: 0 auto; width: 100%; }
.k-card { border-radius: var(--k-radius); }
.k-drawer-card { width: min(480px, 100vw); max-width: 100vw !important; height: 100%; border-radius: 0; }
/* A drawer fills the screen's height, and its width on a phone; the page does not show beneath it. */
.q-dialog__inner--right.q-dialog__inner--fullheight { padding: 0 !important; }
.q-dialog__inner--right.q-dialog__inner--fullheight > .k-drawer-card { height: 100vh; height: 100dvh;
  max-height: 100vh !important; max-height: 100dvh !important; }
.k-drawer-body { overflow-y: auto; }
.k-muted { color: #4b5563; }
.body--dark .k-muted { color: #cbd5e1; }
.k-chip { border-radius: 999px; }
.k-nav .q-tab { min-height: 44px; }
.k-skip { position: absolute; left: -999px; }
.k-skip:focus { left: 8px; top: 8px; z-index: 9999; background: white; padding: 8px; }
.k-logo { width: 32px; height: 32px; object-fit: contain; }
/* Each colour role in two shades (see domain/branding.py): the text shade by default, the fill shade where the
   colour lies under white text (Quasar's own such places listed too). The brand style in each page's head sets both. */
.bg-primary, .q-badge, .q-layout__section--marginal, .q-date__header, .q-time__header, .q-time__now-button,
.q-time__clock-position--active, .q-uploader__header { --q-primary: var(--k-primary-fill); }
.bg-positive { --q-positive: var(--k-positive-fill); }
.bg-negative { --q-negative: var(--k-negative-fill); }
.bg-warning { --q-warning: var(--k-warning-fill); }
.bg-info { --q-info: var(--k-info-fill); }
.nicegui-link { color: var(--q-primary); }
/* Same painting order as Quasar's (backdrop under the dialog), without the negative z-index that makes axe-core read
   the backdrop as lying over the dialog's own text. */
.q-dialog__backdrop { z-index: 0; }
.q-dialog__inner { z-index: 1; }
'''


def logo_url(tenant: d.Tenant) -> str | None:
    """The business's logo when it is an http(s) address or a path on this site; no logo otherwise."""
    return safe_url(tenant.branding.logo_url, allow_path=True)


def status_badge(status: d.Status, *, mark: str) -> ui.badge:
    """A status's label on its colour; a colour that is not a hex colour is left out, never put into the style."""
    badge = ui.badge(status.label).props('text-color=white').classes('q-py-xs q-px-sm').mark(mark)
    color = safe_color(status.color)
    if color:
        badge.style(f'background:{color}')
    return badge


def brand_style(tenant: d.Tenant) -> str:
    """The business's colours as CSS variables, each shade readable where it is used, whatever colour the business
    picked (domain/branding.py). In the page's head, so nothing fades in from Quasar's default blue."""
    try:
        roles = branding.palette(tenant.branding.primary_color, dark=tenant.branding.dark)
    except branding.BadColor:  # saved before colours were checked: the default rather than a broken page
        roles = branding.palette(d.Branding().primary_color, dark=tenant.branding.dark)
    # Every value comes out of branding.to_hex (#rrggbb), never the business's text as typed.
    # !important: Quasar writes its default brand colours into the body's style attribute.
    declarations = ' '.join(f'--q-{role}: {shade.text} !important; --k-{role}-fill: {shade.fill};'
                            for role, shade in roles.items())
    return f'<style>:root, body {{ {declarations} }}</style>'


def apply_branding(tenant: d.Tenant) -> None:
    ui.add_head_html(brand_style(tenant))
    if tenant.branding.dark:
        ui.dark_mode(True)


def describe_page(description: str, *, index: bool) -> None:
    """What a search engine shows under the page's title, and whether it may list the page at all. Only the public
    entry pages are indexable; the panel and the pages behind emailed links say noindex (robots.txt and the
    X-Robots-Tag header say it too, see ui/robots.py)."""
    head = f'<meta name="description" content="{html.escape(description)}">'
    if not index:
        head += '\n<meta name="robots" content="noindex, nofollow">'
    ui.add_head_html(head)


# Quasar's loading bar (shown while a request runs, e.g. an upload) has role=progressbar but no name.
NAME_LOADING_BAR = """<script>
new MutationObserver(() => document.querySelectorAll('.q-loading-bar:not([aria-label])')
  .forEach(bar => bar.setAttribute('aria-label', 'Loading'))
).observe(document.documentElement, {childList: true, subtree: true});
</script>"""


# While a modal dialog or drawer is open, the page behind it is inert: not focusable, not read, not audited as text
# someone must read (Quasar puts dialogs in portals beside #app, so only the page goes inert).
INERT_BEHIND_MODAL = """<script>
document.addEventListener('DOMContentLoaded', () => {
  const app = document.getElementById('app');
  const update = () => { app.inert = document.querySelector('.q-dialog--modal') !== null; };
  new MutationObserver(() => { update(); requestAnimationFrame(update); }).observe(document.body, {childList: true});
});
</script>"""


def install_css() -> None:
    """The stylesheet (and the accessibility fix-ups) every page shares, added once at start-up, not per visit."""
    ui.add_css(CSS, shared=True)
    ui.add_head_html(NAME_LOADING_BAR + INERT_BEHIND_MODAL, shared=True)


@contextmanager
def panel_frame(tenant: d.Tenant, *, sections: Sequence[tuple[str, str, str]], current: str, zone: str | None = None,
                on_timezone: TimezoneHandler | None = None) -> Iterator[PanelChrome]:
    """The signed-in panel's frame: one element for the top bar, the section tabs and the main landmark below them,
    into which the page's content goes."""
    apply_branding(tenant)
    describe_page(f'Your appointments with {tenant.name}.', index=False)
    ui.page_title(f'My appointments · {tenant.name}')
    chrome = PanelChrome(business=tenant.name, logo=logo_url(tenant), sections=sections,
                         current=current, zone=zone, on_timezone=on_timezone).mark('panel-chrome')
    with chrome:
        yield chrome


def sign_out_button(*, label: str = 'Sign out', classes: str = '', props: str = 'flat no-caps color=white') -> None:
    """A Sign out button that POSTs to /logout: a plain form, so no link or image elsewhere can sign anyone out."""
    with ui.element('form').props('method=post action=/logout').classes('q-ma-none'):
        ui.button(label).props(f'type=submit {props}').classes(classes).mark('sign-out')


@contextmanager
def frame(tenant: d.Tenant, *, title: str = '', signed_in: bool = False, description: str = '',
          index: bool = False) -> Iterator[None]:
    """Header with the business's name (and Sign out when signed in) above the page's main landmark. `description`
    is the page's meta description; `index` lets search engines list it (public entry pages only)."""
    apply_branding(tenant)
    describe_page(description or (f'{title} · {tenant.name}' if title else tenant.name), index=index)
    ui.page_title(f'{title} · {tenant.name}' if title else tenant.name)
    with ui.header().classes('items-center justify-between q-px-md q-py-sm'):
        with ui.row().classes('items-center no-wrap gap-2'):
            if src := logo_url(tenant):
                logo = ui.image(src).classes('w-8 h-8').mark('logo')
                logo.props['alt'] = tenant.name  # the business's text, set by key: never parsed as props
            ui.label(tenant.name).classes('text-subtitle1 text-weight-medium')
        if signed_in:
            sign_out_button()
    with ui.column().classes('k-main q-pa-md gap-4').props('role=main'):
        yield

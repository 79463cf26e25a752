"""The page frame every page shares, public or signed in: the business's colours, the top bar, the panel's tabs."""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import nicegui
from nicegui import app, ui

from domain import branding
from domain import model as d
from domain.statuses import icon_name
from domain.web import safe_color, safe_url
from ui.components import language_switcher
from ui.components.page_frame import PageFrame, TimezoneHandler
from ui.first_paint import COPY_END, RENDER_AFTER_COPY, critical_css, defer_stylesheets
from ui.i18n import html_dir, locale, t

CSS = '''
:root { --k-radius: 14px; }
/* NiceGUI's "Your browser does not support ES modules" shows a second after it is read unless a module has run by
   then: on a slow phone the module scripts often take longer, and the message (grey on the page's background) came
   up on a working browser. Only a browser that runs `nomodule` scripts (NO_MODULES) is told; #app stays hidden until
   the modules run, as before. */
html #esm-fallback { display: none; }
.k-no-modules #esm-fallback { display: flex; }
/* The panel's frame element adds no box of its own; its top bar runs edge to edge, over the page's own padding. */
.k-shell { display: contents; }
.k-chrome { margin: -1rem -1rem 0; width: calc(100% + 2rem); }
body { background: var(--k-bg); }  /* set with the brand colours, from domain/branding.py */
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
/* A history entry's title and time are in its body: Quasar's empty title line would push them a line below the dot. */
.k-history-entry .q-timeline__title:empty { display: none; }
/* A status badge's icon: drawn from its name by the icon font, in CSS content, so the badge's text is its label. */
.k-badge-icon { font-size: 14px; margin-inline-end: 4px; line-height: 1; }
.k-badge-icon::before { content: attr(data-icon); }
.k-nav .q-tab { min-height: 44px; }
.k-skip { position: absolute; inset-inline-start: -999px; }
.k-skip:focus { inset-inline-start: 8px; top: 8px; z-index: 9999; background: white; padding: 8px; }
/* Right to left (Arabic): NiceGUI's build of Quasar's stylesheet has each physical rule in a [dir="ltr"] and a
   [dir="rtl"] version (margins, paddings, the q-ml and q-mr classes, text-left, gutters, fixed-left and fixed-right:
   a drawer at position=right opens from the left), so the layout mirrors once <html dir> is set; `page_direction`
   sets it in the head, before anything paints (the page's <html> has no dir until Quasar runs otherwise). Flex rows
   follow the direction by themselves. An icon that points along the line (an arrow, a chevron, "sign in") mirrors
   when it carries k-dir-icon (or sits in an element with k-dir-icons); Quasar mirrors its own (tabs, date picker). */
[dir="rtl"] .k-dir-icon, [dir="rtl"] .k-dir-icons .q-icon { transform: scaleX(-1); }
.k-language .q-btn__content { flex-wrap: nowrap; }
.k-bar .k-language { padding-top: 0; padding-bottom: 0; height: 28px; min-height: 28px; }  /* the bar stays 44px */
.k-logo { width: 32px; height: 32px; object-fit: contain; }
.k-first-paint-tabs { height: 44px; }  /* where the section tabs will be (.k-nav .q-tab) */
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
/* The few layout classes the pages use beyond Quasar's, with Tailwind's values: the app runs without NiceGUI's
   Tailwind runtime (ui.run(tailwind=False)), 70 KB a phone would download and then compile in the browser. Quasar
   has the first three too, but in a layer below NiceGUI's own element styles, which Tailwind's layer was above. */
.items-center { align-items: center; }
.items-start { align-items: flex-start; }
.hidden { display: none; }
.w-full { width: 100%; }
.gap-0 { gap: 0; }
.gap-1 { gap: 0.25rem; }
.gap-2 { gap: 0.5rem; }
.gap-3 { gap: 0.75rem; }
.gap-4 { gap: 1rem; }
.grow { flex-grow: 1; }
.max-w-md { max-width: 28rem; }
.max-w-xl { max-width: 36rem; }
.max-w-3xl { max-width: 48rem; }
.w-24 { width: 6rem; }
.h-24 { height: 6rem; }
.rounded-full { border-radius: 9999px; }
.text-lg { font-size: 1.125rem; line-height: 1.75rem; }
@media (width < 40rem) { .max-sm\\:flex-wrap { flex-wrap: wrap; } }
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
    icon = icon_name(status.icon)
    if icon:
        with badge:  # before the label (flex order), hidden from readers, and not part of the badge's text
            glyph = ui.element('span').classes('material-icons k-badge-icon').style('order:-1')
            glyph.props['aria-hidden'] = 'true'
            glyph.props['data-icon'] = icon
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
    page = branding.PAGE_DARK if tenant.branding.dark else branding.PAGE_LIGHT
    return f'<style>:root, body {{ {declarations} --k-bg: {page}; }}</style>'


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


# Quasar's loading bar (shown while a request runs, e.g. an upload) has role=progressbar but no name: the page's
# language says it (<html data-loading-label>, see `page_direction`).
NAME_LOADING_BAR = """<script>
new MutationObserver(() => document.querySelectorAll('.q-loading-bar:not([aria-label])')
  .forEach(bar => bar.setAttribute('aria-label', document.documentElement.dataset.loadingLabel || 'Loading'))
).observe(document.documentElement, {childList: true, subtree: true});
</script>"""


def page_direction() -> str:
    """A script for the page's head HTML: <html dir lang> (and the loading bar's name) in the page's language before
    NiceGUI's stylesheets and scripts (the first-paint copy, ahead of it, carries its own dir and lang). Quasar's
    language pack sets `dir` as well, but only once its scripts have run; its stylesheet's mirrored rules all hang on
    `[dir]`."""
    loading = json.dumps(t('Loading')).replace('<', '\\u003c')  # never ends the script early
    return (f'<script>document.documentElement.dir = "{html_dir()}"; '
            f'document.documentElement.lang = "{language_switcher.bcp47(locale())}"; '
            f'document.documentElement.dataset.loadingLabel = {loading};</script>')


# Run only by a browser without JavaScript modules, which cannot run NiceGUI: it shows NiceGUI's message (see CSS).
NO_MODULES = "<script nomodule>document.documentElement.classList.add('k-no-modules');</script>"


# What the visitor does before the page's connection is ready reaches the server in the order it was done. NiceGUI
# holds each such event back on a timer of its own and sends it at the timer's next tick after the handshake, while an
# event from just after the handshake goes at once: a password manager's email filled early then arrived after the
# password and the click on Sign in, and the server refused an empty email. Here the held events wait in one queue
# that the handshake empties in order (NiceGUI's `throttle`, a global of its classic script, is wrapped when the app
# mounts; without it, NiceGUI's own behaviour stays).
EVENTS_IN_ORDER = """<script>
(() => {
  let done = false, wrapped = false;
  const held = [];
  Object.defineProperty(window, 'did_handshake', {
    configurable: true,
    get: () => done,
    set: (value) => {
      done = Boolean(value);
      if (!wrapped && typeof window.throttle === 'function') {
        wrapped = true;
        const throttle = window.throttle;
        window.throttle = (...args) => {
          if (done && !held.length) return throttle(...args);
          held.push(() => throttle(...args));
        };
      }
      while (done && held.length) held.shift()();
    },
  });
})();
</script>"""


# While a modal dialog or drawer is open, the page behind it is inert: not focusable, not read, not audited as text
# someone must read (Quasar puts dialogs in portals beside #app, so only the page goes inert).
INERT_BEHIND_MODAL = """<script>
document.addEventListener('DOMContentLoaded', () => {
  const update = () => {
    const app = document.getElementById('app');  // put in after the first paint on a page with the copy
    if (app) app.inert = document.querySelector('.q-dialog--modal') !== null;
  };
  new MutationObserver(() => { update(); requestAnimationFrame(update); }).observe(document.body, {childList: true});
});
</script>"""


def install_css() -> None:
    """The stylesheet (and the accessibility fix-ups) every page shares, added once at start-up, not per visit; and
    NiceGUI's stylesheets moved behind the first-paint copy (ui/first_paint.py).

    What the copy does not need goes behind it too, with those stylesheets: the text font's preload (see
    `text_font_preload`) and the two fix-up scripts, which only watch for what NiceGUI's scripts will draw. Everything
    the browser reads in the head before the copy delays it: at a phone's speed the parser reaches the copy only in a
    later task, after a frame has gone by without it. The shared rules are a plain <style> rather than NiceGUI's
    `ui.add_css` (a script that builds the same <style>), for the same reason."""
    behind_copy = text_font_preload() + NAME_LOADING_BAR + INERT_BEHIND_MODAL + NO_MODULES + EVENTS_IN_ORDER
    if not defer_stylesheets(before=behind_copy):
        ui.add_head_html(behind_copy, shared=True)
    ui.add_head_html('<style>' + minified(CSS).replace('</', '<\\/') + '</style>' + text_font_head(), shared=True)


def minified(css: str) -> str:
    """`css` without its comments and the indentation and line breaks around them (a third of CSS's bytes, which every
    page's head carries)."""
    return re.sub(r'\s*\n\s*', '\n', re.sub(r'/\*.*?\*/', '', css, flags=re.DOTALL)).strip()


def text_font_preload() -> str:
    """Ask for the text font (NiceGUI's Roboto, Latin letters) with the page's first requests.

    The browser finds the font on its own only when the first text is laid out, after every script has run: on a slow
    phone network that is one more round trip and 35 KB in front of the first paint. The preload goes with NiceGUI's
    stylesheets (ui/first_paint.py), not at the top of the head: Chrome holds the first paint for up to 50 ms for a
    font preloaded in the head (its RenderBlockingResourceManager), even from a warm cache, where the first-paint copy
    has its own stand-in font and needs no wait. Behind the copy it is in the body, and the browser's preload scanner
    still asks for it with the first requests; on a page without the copy it is in the head, as before."""
    font = latin_text_font()
    if font is None:  # another NiceGUI version lays its fonts out differently: the page works as before
        return ''
    return f'<link rel="preload" href="{font[0]}" as="font" type="font/woff2" crossorigin>'


def text_font_head() -> str:
    """Let text show in the fallback font until the text font is ready (font-display: swap) rather than stay invisible.

    NiceGUI's fonts.css leaves the Roboto faces at the default (block), so even from a warm cache text waited for the
    font to be read and decoded, a frame or more after everything else had painted. Unlayered, this face wins over
    fonts.css's layered ones for the same letters; one variable font covers every weight."""
    font = latin_text_font()
    if font is None:  # another NiceGUI version lays its fonts out differently: the page works as before
        return ''
    href, letters = font
    return (f'<style>@font-face {{ font-family: "Roboto"; font-style: normal; font-weight: 100 900; '
            f'font-display: swap; src: url({href}) format("woff2"); unicode-range: {letters}; }}</style>')


@functools.cache
def latin_text_font() -> tuple[str, str] | None:
    """The address of NiceGUI's Roboto for Latin letters (one variable font, every weight) and its unicode-range."""
    fonts = Path(nicegui.__file__).parent / 'static' / 'fonts.css'
    found = LATIN_ROBOTO.search(fonts.read_text(encoding='utf-8')) if fonts.exists() else None
    if found is None:
        return None
    return f'/_nicegui/{nicegui.__version__}/static/{found.group(1)}', found.group(2).strip()


def first_paint_font() -> str:
    """The text font of the first-paint copy: NiceGUI's Roboto, and until it is in (a first visit), a local font
    stretched to Roboto's line metrics. The copy's text shows at once rather than waiting for the font (35 KB that on a
    slow network arrives with the stylesheets, a second in); and its words are no smaller in the stand-in than the live
    page's in Roboto, which would count as a later, larger paint (and make the text jump when the font comes)."""
    font = latin_text_font()
    if font is None:
        return ''
    href, letters = font
    # Roboto's ascender and descender (1900 and 500 of 2048 units per em); Android has Roboto itself.
    return (f'<style>@font-face {{ font-family: "k-first-paint"; font-style: normal; font-weight: 100 900; '
            f'font-display: swap; src: url({href}) format("woff2"); unicode-range: {letters}; }}'
            '@font-face { font-family: "k-first-paint-local"; src: local("Roboto"), local("Arial"), '
            'local("Helvetica"), local("Liberation Sans"), local("Arimo"); ascent-override: 92.77%; '
            'descent-override: 24.41%; line-gap-override: 0%; }'
            '#k-first-paint { font-family: "k-first-paint", "k-first-paint-local", Roboto, -apple-system, '
            '"Helvetica Neue", Helvetica, Arial, sans-serif; }</style>')


LATIN_ROBOTO = re.compile(r'/\* latin \*/\s*@font-face\s*{[^}]*font-family:\s*"Roboto";[^}]*src:\s*url\(([^)]+)\)'
                          r'[^}]*unicode-range:\s*([^;}]+);')


def panel_frame(tenant: d.Tenant, *, sections: Sequence[tuple[str, str, str]], current: str, zone: str | None = None,
                on_timezone: TimezoneHandler | None = None, first_paint: str = '') -> AbstractContextManager[PageFrame]:
    """The signed-in panel's frame: the page frame with the section tabs."""
    return frame(tenant, title=t('My appointments'),
                 description=t('Your appointments with %(business)s.', business=tenant.name),
                 signed_in=True, sections=sections, current=current, zone=zone, on_timezone=on_timezone,
                 mark='panel-chrome', first_paint=first_paint, switcher=False)


def sign_out_button(*, label: str | None = None, classes: str = '', props: str = 'flat no-caps color=white') -> None:
    """A Sign out button that POSTs to /logout: a plain form, so no link or image elsewhere can sign anyone out."""
    with ui.element('form').props('method=post action=/logout').classes('q-ma-none'):
        ui.button(label or t('Sign out')).props(f'type=submit {props}').classes(classes).mark('sign-out')


@contextmanager
def frame(tenant: d.Tenant, *, title: str = '', signed_in: bool = False, description: str = '', index: bool = False,
          sections: Sequence[tuple[str, str, str]] = (), current: str = '', zone: str | None = None,
          on_timezone: TimezoneHandler | None = None, mark: str = 'page-frame',
          first_paint: str = '', switcher: bool = True) -> Iterator[PageFrame]:
    """Every page's frame, public or signed in: the business's colours in the head, one element for the top bar (its
    name, and Sign out when signed in), the panel's section tabs if any, and the main landmark the page's content goes
    into. `description` is the page's meta description; `index` lets search engines list it (public entry pages only).
    `on_timezone` hears the browser's time zone once, when it differs from `zone`. `first_paint` is the top of the
    page's content as static HTML (see `first_paint_html`). Every text comes in already in the page's language (the page
    chose it first, ui.i18n); `switcher` puts the language switcher in the top bar (the public pages; the panel has
    one in Profile). Values the visitor typed before switching the language are put back once the page is drawn."""
    apply_branding(tenant)
    describe_page(description or (f'{title} · {tenant.name}' if title else tenant.name), index=index)
    # Last in the head, after everything that must stay there (the brand style, the description and robots tags): the
    # HTML parser starts the body at this first <div>, ahead of NiceGUI's script tags at the top of its <body>. Each
    # of those pauses the parser, which at a phone's speed then lets the browser paint before it reaches anything
    # after them: from the body's end the copy came a frame or two (about 0.2 s) late even from a warm cache.
    ui.add_head_html(first_paint_html(tenant, signed_in=signed_in, tabs=bool(sections), content=first_paint,
                                      switcher=switcher))
    # Behind the copy, as every script is: the copy carries its own direction and language.
    ui.add_head_html(page_direction())
    ui.page_title(f'{title} · {tenant.name}' if title else tenant.name)

    async def switch_language(code: str) -> None:
        session_id = app.storage.user.get('session') if signed_in else None
        await language_switcher.switch_to(code, tenant_id=tenant.id,
                                          session_id=session_id if isinstance(session_id, str) else None)

    page = PageFrame(business=tenant.name, logo=logo_url(tenant), signed_in=signed_in, sections=sections,
                     current=current, zone=zone, on_timezone=on_timezone, sign_out_label=t('Sign out'),
                     sections_label=t('Panel sections'), html_lang=language_switcher.bcp47(locale()),
                     **(language_switcher.frame_props() if switcher else {}),
                     on_language=switch_language if switcher else None).mark(mark)
    with page:
        yield page
    language_switcher.restore_typed(later=True)


def first_paint_html(tenant: d.Tenant, *, signed_in: bool, tabs: bool, content: str = '',
                     switcher: bool = False) -> str:
    """The frame (and `content`, the top of the page) as static HTML, painted as soon as the HTML is in: it carries the
    rules it uses from NiceGUI's stylesheets, which come after it (ui/first_paint.py), and its text font.

    NiceGUI draws a page only once its scripts (about 300 KB on a first visit) have arrived and run: on a phone on a
    slow network that is seconds of an empty page. This copy of the frame's markup (page_frame.js; keep the two in
    step) shows the top bar and the first thing the page has to say meanwhile; the frame removes it the moment it
    mounts, before the browser paints again. It is inert and hidden from assistive technology: the live page is the
    one to use. Not in the dark theme, whose colours Quasar sets only when it runs. In the page's language and its
    direction (right to left in Arabic), as the live frame will be."""
    if tenant.branding.dark:
        return ''
    logo = logo_url(tenant)
    image = f'<img src="{html.escape(logo)}" alt="" class="k-logo">' if logo else ''
    language = ''
    if switcher:
        name = next((entry['name'] for entry in language_switcher.languages() if entry['code'] == locale()), '')
        language = FLAT_BUTTON.format(classes=' q-btn--dense q-px-sm k-language', text=html.escape(name))
    sign_out = FLAT_BUTTON.format(classes='', text=html.escape(t('Sign out'))) if signed_in else ''
    tab_row = '<div class="k-main q-px-md q-pt-md"><div class="k-first-paint-tabs"></div></div>' if tabs else ''
    layout = '' if tabs else ' items-start q-mt-md'
    direction = html_dir()
    markup = (f'<div id="k-first-paint" class="nicegui-content" dir="{direction}" '
              f'lang="{language_switcher.bcp47(locale())}" aria-hidden="true" inert>'
              f'<div class="k-shell"><div class="k-chrome"><div class="k-bar row items-center justify-between no-wrap '
              f'q-px-md q-py-sm bg-primary text-white"><div class="row items-center no-wrap q-gutter-x-sm">{image}'
              f'<span class="text-subtitle1 text-weight-medium">{html.escape(tenant.name)}</span></div>'
              f'<div class="row items-center no-wrap">{language}{sign_out}</div></div>'
              f'{tab_row}</div><div class="k-main q-pa-md column no-wrap gap-4{layout}">{content}</div></div></div>')
    # Drawn once read whole; its rules (NiceGUI's stylesheets come after it); then the mark of its end, where NiceGUI's
    # template scripts go (ui/first_paint.py: nothing that pauses the parser comes before the copy).
    return RENDER_AFTER_COPY + critical_css(markup) + first_paint_font() + markup + COPY_END


# Quasar's markup for a flat button (what <q-btn flat no-caps> renders), to be drawn without Quasar.
FLAT_BUTTON = ('<div class="q-ma-none"><span class="q-btn q-btn-item non-selectable no-outline q-btn--flat '
               'q-btn--rectangle text-white q-btn--actionable q-btn--no-uppercase{classes}"><span '
               'class="q-btn__content text-center col items-center q-anchor--skip justify-center row"><span '
               'class="block">{text}</span></span></span></div>')

"""The first-paint copy does not wait for NiceGUI's stylesheets and carries the rules it needs from them
(ui/first_paint.py)."""

from __future__ import annotations

from pathlib import Path

import jinja2
import nicegui

from tests.support.seed import seed_world
from tests.ui.test_languages import signed_in
from ui import first_paint
from ui.first_paint import critical_css, deferred_template

TEMPLATE = (Path(nicegui.__file__).parent / 'templates' / 'index.html').read_text(encoding='utf-8')


def test_the_stylesheets_come_after_the_page_head_and_the_layer_order_stays_first() -> None:
    patched = deferred_template(TEMPLATE)
    assert patched is not None
    head_html = patched.index('{{ head_html | safe }}')
    imports = _all(patched, '@import url(')
    assert imports and all(i > head_html for i in imports)  # every @import, the dev build's too
    layer_order = patched.index('@layer theme, base, quasar')
    assert layer_order < head_html and patched.count('@layer theme, base, quasar') == 1
    # The template's own rules that come after the @imports (its Quasar margin fix-ups) stay after them.
    assert patched.index('margin: revert-layer') > imports[-1]
    assert patched.replace('\n', '').count('<style>') == TEMPLATE.replace('\n', '').count('<style>') + 1


def test_a_template_not_as_expected_is_left_alone() -> None:
    assert deferred_template(TEMPLATE.replace('@import', '@imp0rt')) is None
    assert deferred_template(TEMPLATE.replace('{{ head_html | safe }}', '')) is None


def test_the_copy_gets_the_rules_its_classes_use_in_their_layers() -> None:
    css = critical_css('<div class="q-card k-card row items-center"><span class="text-subtitle1">x</span></div>')
    assert css.startswith('<style>@layer theme, base, quasar') and css.endswith('</style>')
    quasar = css[css.index('@layer quasar{'):]
    assert '.q-card{' in quasar and '.text-subtitle1{' in quasar and '.items-center{' in quasar
    assert '.row{display:flex' in quasar  # of Quasar's `.row,.column,.flex{...}`, the one selector the markup uses
    assert '.flex-center' not in css and '.col-xs-7' not in css
    assert 'body{' in quasar or 'html,body{' in quasar  # the page's own font and margins
    assert '.q-table' not in css and '.q-dialog' not in css and '#popup' not in css  # nothing the copy does not use
    assert '@font-face' not in css and '@keyframes' not in css


def test_the_stylesheets_font_preload_goes_with_them() -> None:
    preload = '<link rel="preload" href="/f.woff2" as="font" crossorigin>'
    patched = deferred_template(TEMPLATE, preload)
    assert patched is not None
    assert all(patched.rindex('{% raw %}', 0, at) > patched.rfind('{% endraw %}', 0, at)
               for at in _all(patched, preload))  # never read as Jinja
    # A page without the copy: behind its head HTML, just ahead of the stylesheets.
    page = _render('<meta name="k-head">', preload)
    assert page.index('k-head') < page.index(preload) < page.index('@import url(') and page.count(preload) == 1
    # A page with the copy: right behind it, ahead of what waits for the copy to be drawn (fetched at once).
    page = _render(COPY, preload)
    assert page.index(first_paint.COPY_END) < page.index(preload) < page.index('<template id="k-rest">')
    assert page.count(preload) == 1


def test_behind_the_copy_the_rest_of_the_page_waits_until_the_copy_is_drawn() -> None:
    page = _render(COPY + '<script>document.documentElement.dir = "ltr";</script>')
    rest, end = page.index('<template id="k-rest">'), page.rindex('</template>')
    for part in ('<script type="importmap">', 'addStyle = ', 'documentElement.dir', '@import url(',
                 'socket.io.min.js', 'quasar.umd', 'nicegui.js', '<div id="app"', 'app.mount("#app")'):
        assert rest < page.index(part) < end, part
    # Put in by a script right behind it, once a frame has been drawn.
    loader = page.index('document.getElementById("k-rest")')
    assert end < loader < page.index('</body>') and 'requestAnimationFrame' in page[loader:]
    assert 'k-rest' not in _render('<meta name="k-head">')  # a page without the copy is read as NiceGUI has it


def _all(text: str, part: str) -> list[int]:
    return [i for i in range(len(text)) if text.startswith(part, i)]


def test_no_stylesheets_no_rules(monkeypatch) -> None:
    monkeypatch.setattr(first_paint, 'STATIC', Path('/nonexistent'))
    first_paint._rules.cache_clear()
    first_paint._critical_css.cache_clear()
    try:
        assert critical_css('<div class="q-card">x</div>') == ''
    finally:
        first_paint._rules.cache_clear()
        first_paint._critical_css.cache_clear()


COPY = f'<style>.k{{}}</style><div id="k-first-paint">Your next appointment</div>{first_paint.COPY_END}'


def _render(head_html: str, before: str = '') -> str:
    patched = deferred_template(TEMPLATE, before)
    assert patched is not None
    return jinja2.Environment(undefined=jinja2.ChainableUndefined).from_string(patched).render(
        head_html=head_html, imports='{}')


def test_nothing_that_pauses_the_parser_comes_before_the_copy() -> None:
    page = _render(COPY + '<script>addStyle(".x{}")</script>')
    at_copy = page.index('id="k-first-paint"')
    assert '<script' not in page[:at_copy]  # no script of the template's ahead of it
    # Its import map and addStyle helper come right behind it, before what the page's build added after the copy.
    assert at_copy < page.index('<script type="importmap">') < page.index('addStyle = ') < page.index('addStyle(".x')
    assert page.count('addStyle = ') == 1 and page.count('<script type="importmap">') == 1


def test_a_page_without_the_copy_keeps_the_template_scripts_ahead_of_its_head() -> None:
    page = _render('<script>addStyle(".x{}")</script>')
    assert page.index('<script type="importmap">') < page.index('addStyle = ') < page.index('addStyle(".x')
    assert page.count('addStyle = ') == 1


def test_a_page_that_adds_css_before_its_copy_keeps_the_template_scripts_ahead_of_it() -> None:
    page = _render(f'<script>addStyle(".x{{}}")</script><div id="k-first-paint">x</div>{first_paint.COPY_END}')
    assert page.index('<script type="importmap">') < page.index('addStyle = ') < page.index('addStyle(".x')
    assert page.count('addStyle = ') == 1 and page.count('<script type="importmap">') == 1


async def test_the_panel_head_holds_the_first_frame_for_the_whole_copy_and_pauses_the_parser_only_after_it(
        user, db) -> None:
    seed_world(db)
    await signed_in(user)
    assert user.client is not None
    head = user.client.head_html
    copy, end = head.index('<div id="k-first-paint"'), head.index(first_paint.COPY_END)
    # The browser draws nothing until the element that ends the copy is in (not a bare background frame first) ...
    assert head.index(first_paint.RENDER_AFTER_COPY) < copy < end
    assert 'href="#k-first-paint-end"' in first_paint.RENDER_AFTER_COPY and 'id="k-first-paint-end"' in head[end:]
    assert 'Your next appointment' in head[copy:end]
    # ... and no script makes the parser stop before the copy: the page's language script comes behind it.
    assert '<script' not in head[:copy]
    assert head.index('document.documentElement.dir = "ltr"') > end

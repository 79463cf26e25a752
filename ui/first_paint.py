"""The first paint of a page built on NiceGUI: its static copy (ui/theme.py) shown before NiceGUI's stylesheets are in.

NiceGUI's template @imports its stylesheets (fonts, Quasar's two, its own: about 250 KB to parse) in a <style> at the
top of the head. The browser paints nothing until they have arrived and been parsed, and every inline script after
them (the template's own, the page's head) waits for them too: on a phone that is 0.3-0.4 s of a blank page even with
every file in the cache. Three changes, made once at start-up:

- `defer_stylesheets` moves those @imports (and the template's rules that must come after them) from the head to
  just after the page's head HTML. On a page that starts with the static copy, that is inside the body, after the
  copy: the browser paints the copy at once, and the stylesheet holds the parser there, so NiceGUI's scripts and the
  live page come only after it has loaded, styled as before. A page without the copy keeps its stylesheets in the
  head, blocking the first paint as before.
- the template's import map and `addStyle` helper (two scripts: each pauses the parser, and at a phone's speed the
  browser then draws a frame without the copy) move behind the copy too, and the copy's head asks the browser to
  draw nothing until the copy has been read whole (RENDER_AFTER_COPY): its first frame is the copy.
- the rest of the page (those scripts and stylesheets, NiceGUI's own, the live page's mount point and data) waits
  behind the copy in an inert <template> and is put into the page once the copy has been drawn (REST_AFTER_PAINT), in
  the parser's order. Read by the parser, even from a warm cache, it held the copy's first frame for about 0.1 s at a
  phone's speed: the stylesheets parsed and built into rule sets, a dozen cached files asked for, the scripts' text.
- `critical_css` gives the copy the few rules it uses from those stylesheets (Quasar's rows, bar, card, chips and
  buttons, NiceGUI's content column), picked by the classes and tags in the copy's markup and put in the same
  cascade layers, inline before the copy, so that the copy looks the same before and after the stylesheets arrive.

All depend on NiceGUI's template and files; when they are not as expected, the page is served as NiceGUI builds it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2
import nicegui

STATIC = Path(nicegui.__file__).parent / 'static'
# NiceGUI's stylesheets (the production build, as ui.run serves it) and the cascade layer the template puts each in.
LAYERED_SHEETS = (('base', 'fonts.css'), ('quasar', 'quasar.unimportant.prod.css'),
                  ('quasar_importants', 'quasar.important.prod.css'), ('nicegui', 'nicegui.css'))
# The template's head style: the layer order, then the @imports and the rules that follow them.
HEAD_STYLE = re.compile(r'<style>(\s*@layer\s+[\w\s,-]+;)(\s*@import.*?</style>)', re.DOTALL)
HEAD_HTML = '{{ head_html | safe }}'
# The template's import map and `addStyle` helper, just ahead of the page's head HTML.
HEAD_SCRIPTS = re.compile(r'(<script type="importmap">.*?</script>\s*<script>\s*addStyle\b.*?</script>)\s*'
                          + re.escape(HEAD_HTML), re.DOTALL)
# Where the first-paint copy ends in the page's head HTML (ui.theme.first_paint_html): the template's scripts go there.
# An element (a <template> is never drawn), so that RENDER_AFTER_COPY can name it.
COPY_END = '<template id="k-first-paint-end"></template>'
# In the head, ahead of the copy: the browser draws nothing until the whole copy has been read. Without it, at a
# phone's speed the HTML parser stops for a moment part way (its time budget), the browser draws a frame of the bare
# page background, and the copy comes a frame later (about 0.1 s). It names the copy's end, not the copy: the browser
# lets go as soon as the element it names is inserted, before its content has been read.
RENDER_AFTER_COPY = '<link rel="expect" href="#k-first-paint-end" blocking="render">'


BODY_END = '</body>'
# Behind the copy's end: everything else NiceGUI's page holds (its stylesheets, scripts, the live page's mount point
# and data) waits in a <template> until the copy is on the screen, then goes into the page in the order the parser
# would have put it there: scripts one after the other as they would have run, a stylesheet's imports loaded before
# anything after it (as the parser waits for a stylesheet in the body), every script file asked for at once.
REST_AFTER_PAINT = """<script>
(() => {
  const held = document.getElementById("k-rest");
  const nodes = [...held.content.childNodes];
  const settled = (element) => new Promise((done) => { element.onload = element.onerror = done; });
  const fresh = (node) => {  // a script taken from a template never runs: the same one, made anew, does
    const script = document.createElement("script");
    for (const attribute of node.attributes) script.setAttribute(attribute.name, attribute.value);
    return script;
  };
  const put = async () => {
    // As the parser does: the nodes in order, inline scripts run as they come; then, once the stylesheets are in, the
    // deferred scripts and modules one after the other.
    held.remove();
    const sheets = [];
    const later = [];
    for (const node of nodes) {
      if (node.nodeName === "SCRIPT" && (node.src || node.type === "module")) {
        later.push(node);
        if (node.src) document.head.append(Object.assign(document.createElement("link"),
                                                          { rel: "preload", as: "script", href: node.src }));
      } else if (node.nodeName === "SCRIPT") {
        const script = fresh(node);
        script.textContent = node.textContent;
        document.body.append(script);
      } else {
        if (node.nodeName === "STYLE" && node.textContent.includes("@import")) sheets.push(settled(node));
        document.body.append(node);
      }
    }
    await Promise.all(sheets);
    for (const node of later) {
      const script = fresh(node);
      if (node.src) {
        script.async = false;
        const ran = settled(script);
        document.body.append(script);
        await ran;
      } else {
        const ran = new Promise((done) => { window.kModuleRan = done; });
        script.textContent = node.textContent + "\\nwindow.kModuleRan();";
        document.body.append(script);
        await ran;
      }
    }
  };
  let started = false;
  const start = () => { if (!started) { started = true; put(); } };
  requestAnimationFrame(() => setTimeout(start));
  setTimeout(start, 200);
})();
</script>"""


def defer_stylesheets(before: str = '') -> bool:
    """Serve NiceGUI's page template with its stylesheets after the page's head HTML (see the module's docstring),
    `before` just ahead of them. Returns whether the template is served so; it is left as NiceGUI has it when it does
    not look as expected. Called again (the tests' simulated app starts once per test), it patches NiceGUI's own
    template afresh."""
    from nicegui import client

    env = client.templates.env
    loader = env.loader.original if isinstance(env.loader, _DeferredLoader) else env.loader
    if loader is None:
        return False
    source, _, _ = loader.get_source(env, 'index.html')
    patched = deferred_template(source, before)
    env.loader = loader if patched is None else _DeferredLoader(patched, loader)
    if env.cache is not None:
        env.cache.clear()  # read again
    return patched is not None


class _DeferredLoader(jinja2.ChoiceLoader):
    """NiceGUI's templates, with `index.html` patched."""

    def __init__(self, index_html: str, original: jinja2.BaseLoader) -> None:
        super().__init__([jinja2.DictLoader({'index.html': index_html}), original])
        self.original = original


def deferred_template(source: str, before: str = '') -> str | None:
    """NiceGUI's template with the head style's @imports and the rules after them moved to just after the page's head
    HTML (`before` just ahead of them), the layer order staying first in the head; None when the template is not as
    expected. On a page with the first-paint copy, everything behind it waits in a <template> (REST_AFTER_PAINT)."""
    found = HEAD_STYLE.search(source)
    if found is None or source.count(HEAD_HTML) != 1 or found.end() > source.index(HEAD_HTML):
        return None
    head = source[:found.start()] + f'<style>{found.group(1)}\n    </style>' + source[found.end():]
    before = f'{{% raw %}}{before}{{% endraw %}}' if before else ''  # HTML, never read as Jinja
    # `before` goes right behind the copy where there is one (_scripts_behind_copy), else just ahead of the sheets.
    sheets = f'{{% if not k_copy %}}{before}{{% endif %}}<style>{found.group(2)}'
    head = head.replace(HEAD_HTML, f'{HEAD_HTML}\n    {sheets}', 1)
    if head.count(BODY_END) == 1:
        head = head.replace(BODY_END, f'{{% if k_copy %}}</template>{REST_AFTER_PAINT}{{% endif %}}{BODY_END}')
    return _scripts_behind_copy(head, before)


def _scripts_behind_copy(source: str, before: str = '') -> str:
    """The template's two scripts ahead of the page's head HTML (the import map and the `addStyle` helper that
    `ui.add_css` calls) moved to just behind the first-paint copy (its end marked by COPY_END), on the pages that have
    one; other pages keep them where they were.

    A script element pauses the HTML parser, and at a phone's speed the browser then paints a frame before it goes
    on: with these two ahead of the copy, that frame came without it and the copy one frame (about 0.1 s) later even
    from a warm cache. What a page's build adds with `ui.add_css` comes after the copy (ui.theme.frame adds the copy
    first), so after the helper; a page that called it before the copy keeps the template's order, as it needs."""
    found = HEAD_SCRIPTS.search(source)
    if found is None:
        return source
    scripts = found.group(1)
    split = (f"{{% set k_parts = head_html.split('{COPY_END}', 1) %}}"
             f"{{% set k_copy = k_parts | length == 2 and 'addStyle(' not in k_parts[0] %}}"
             f"{{% if k_copy %}}"
             f'{{{{ k_parts[0] | safe }}}}{COPY_END}{before}<template id="k-rest">{scripts}{{{{ k_parts[1] | safe }}}}'
             f'{{% else %}}{scripts}\n    {HEAD_HTML}{{% endif %}}')
    return source[:found.start()] + split + source[found.end():]


def layer_order() -> str:
    """The template's `@layer ...;` statement: the copy's rules declare the layers in the same order."""
    from nicegui import client

    env = client.templates.env
    source = env.loader.get_source(env, 'index.html')[0] if env.loader is not None else ''
    found = HEAD_STYLE.search(source) or re.search(r'(@layer\s+[\w\s,-]+;)', source)
    return found.group(1).strip() if found else ''


CLASS_ATTRIBUTE = re.compile(r'\sclass="([^"]*)"')
TAG = re.compile(r'<([a-z][a-z0-9]*)')


def critical_css(markup: str) -> str:
    """A <style> with the rules of NiceGUI's stylesheets that `markup` can use, in their layers ('' if none)."""
    classes = frozenset(c for found in CLASS_ATTRIBUTE.findall(markup) for c in found.split())
    tags = frozenset(TAG.findall(markup))
    return _critical_css(classes, tags)


@functools.lru_cache(maxsize=32)
def _critical_css(classes: frozenset[str], tags: frozenset[str]) -> str:
    layers = []
    for layer, name in LAYERED_SHEETS:
        rules = ''.join(_used(_rules(name), classes, tags | {'html', 'body'}))
        if rules:
            layers.append(f'@layer {layer}{{{rules}}}')
    if not layers:
        return ''
    css = layer_order() + ''.join(layers)
    return '<style>' + css.replace('</', '<\\/') + '</style>'


Rule = tuple[str, str, tuple['Rule', ...]]  # (selector or at-rule prelude, declarations, nested rules)


@functools.lru_cache(maxsize=8)
def _rules(name: str) -> tuple[Rule, ...]:
    path = STATIC / name
    if not path.exists():
        return ()
    css = re.sub(r'/\*.*?\*/', '', path.read_text(encoding='utf-8'), flags=re.DOTALL)
    return _parse(css, 0)[0]


NESTING_AT_RULES = ('@media', '@supports', '@layer', '@container')


def _parse(css: str, i: int) -> tuple[tuple[Rule, ...], int]:
    """Rules from css[i:] up to the '}' closing the block they are in (or the end): style rules with their
    declarations, @media and the like with the rules inside them; other at-rules are kept whole but never used."""
    rules: list[Rule] = []
    n = len(css)
    while i < n:
        start = i
        while i < n and css[i] not in '{};':
            i = _skip_string(css, i)
        prelude = css[start:i].strip()
        if i >= n or css[i] == '}':
            return tuple(rules), i + 1
        if css[i] == ';':  # @charset, @import, a bare @layer statement
            i += 1
            continue
        if prelude.startswith(NESTING_AT_RULES):
            inner, i = _parse(css, i + 1)
            rules.append((prelude, '', inner))
            continue
        depth, j = 1, i + 1
        while j < n and depth:
            if css[j] == '{':
                depth += 1
            elif css[j] == '}':
                depth -= 1
            j = _skip_string(css, j) if css[j] in '"\'' else j + 1
        rules.append((prelude, css[i + 1:j - 1], ()))
        i = j
    return tuple(rules), i


def _skip_string(css: str, i: int) -> int:
    if css[i] not in '"\'':
        return i + 1
    end = css.find(css[i], i + 1)
    return len(css) if end < 0 else end + 1


def _used(rules: tuple[Rule, ...], classes: frozenset[str], tags: frozenset[str]) -> list[str]:
    out = []
    for prelude, body, inner in rules:
        if prelude.startswith(NESTING_AT_RULES):
            nested = ''.join(_used(inner, classes, tags))
            if nested:
                out.append(f'{prelude}{{{nested}}}')
        elif not prelude.startswith('@'):
            # Only the rule's selectors that can match the copy: Quasar lists up to a hundred in one rule (its grid's
            # `.row>.col-xs-7` and the like), which the copy would carry and the browser parse for nothing.
            selectors = ','.join(s.strip() for s in _selectors(prelude) if _applies(s, classes, tags))
            if selectors:
                out.append(f'{selectors}{{{body}}}')
    return out


def _selectors(prelude: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(prelude):
        if ch in '([':
            depth += 1
        elif ch in ')]':
            depth -= 1
        elif ch == ',' and depth == 0:
            parts.append(prelude[start:k])
            start = k + 1
    parts.append(prelude[start:])
    return parts


def _applies(selector: str, classes: frozenset[str], tags: frozenset[str]) -> bool:
    """Whether every class and element name the selector needs is in the markup (pseudo-classes, attribute selectors
    and what is inside :not() or :is() are not required)."""
    bare = re.sub(r'\[[^\]]*\]', ' ', selector)
    while '(' in bare:
        reduced = re.sub(r'\([^()]*\)', '', bare)
        if reduced == bare:
            break
        bare = reduced
    bare = re.sub(r'::?[\w-]+', '', bare)
    if re.search(r'#[\w-]', bare):  # NiceGUI's own elements (#popup and the like), never in the copy
        return False
    needed_classes = set(re.findall(r'\.((?:[\w-]|\\.)+)', bare))
    needed_tags = {t.lower() for t in re.findall(r'(?:^|[\s>+~])([a-zA-Z][\w-]*)', bare)}
    return needed_classes <= classes and needed_tags <= tags

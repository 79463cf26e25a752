"""axe-core in the page under test: the serious and critical violations, described well enough to fix."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

SERIOUS = {'serious', 'critical'}
# axe's default rules plus WCAG 2.2's target size (24x24 CSS pixels for every control), which axe ships switched off.
OPTIONS = {'resultTypes': ['violations'], 'rules': {'target-size': {'enabled': True}}}


# Colours mid-transition (a tab fading to its selected colour) are not the colours a person reads.
TRANSITIONS_DONE = 'document.getAnimations().filter(a => a instanceof CSSTransition).length === 0'


def serious_violations(page: Page) -> list[str]:
    page.wait_for_function(TRANSITIONS_DONE, timeout=5000)
    results = Axe().run(page, options=OPTIONS)
    found = []
    for violation in results.response['violations']:
        if violation.get('impact') not in SERIOUS:
            continue
        nodes = violation['nodes']
        where = [node['target'] for node in nodes][:3]
        summary = nodes[0].get('failureSummary', '')[:200] if nodes else ''
        found.append(f"{violation['id']}: {violation['help']} at {where}: {summary}")
    return found

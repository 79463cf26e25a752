"""The main file NiceGUI's simulated `user` fixture runs for each test."""

import sys

from nicegui import ui

# Between tests the fixture removes every route but forgets only the modules holding `ui.page` functions. Forget the
# app and every module that registers routes on import, so each test starts the app as a fresh process does. Components
# stay imported: tests find their elements by class.
ROUTE_MODULES = {'ui.app', 'ui.robots', 'ui.webhooks', 'ui.pages'}
for _name in [n for n in sys.modules if n in ROUTE_MODULES or n.startswith('ui.pages.')]:
    del sys.modules[_name]

from ui.app import setup  # noqa: E402

setup()
ui.run(storage_secret='test-secret', title='Kairos', tailwind=False)

"""The audit of e2e/test_a11y.py in the business's dark theme (`kairos demo` with the dark brand, the `dark_server`).

A file of its own so that `make test`'s e2e workers (one test file per worker at a time) take the two themes side by
side instead of one worker doing both.
"""

from e2e.test_a11y import test_no_serious_violations, themed  # noqa: F401 - collected here, with this file's THEME

THEME = 'dark'

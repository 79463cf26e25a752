"""The business's side: every page under /admin (see shell.py for the frame and pages.py for the list)."""

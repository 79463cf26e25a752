"""The main file NiceGUI's simulated `user` fixture runs for each test."""

from nicegui import ui

from ui.app import setup

setup()
ui.run(storage_secret='test-secret', title='Kairos')

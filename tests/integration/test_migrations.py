"""The schema is Alembic's: migrations match the tables exactly, and go down and up again, on both databases."""

from __future__ import annotations

from alembic import command

from storage.db import alembic_config


def test_migrations_match_the_models_and_round_trip(database_url: str) -> None:
    config = alembic_config(database_url)
    command.check(config)  # raises when the models and the migrated schema differ
    command.downgrade(config, 'base')
    command.upgrade(config, 'head')
    command.check(config)

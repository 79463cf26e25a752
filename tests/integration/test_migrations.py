"""The schema is Alembic's: migrations match the tables exactly, and go down and up again, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from storage.db import alembic_config, dispose_all, make_engine


def test_migrations_match_the_models_and_round_trip(database_url: str) -> None:
    config = alembic_config(database_url)
    command.check(config)  # raises when the models and the migrated schema differ
    command.downgrade(config, 'base')
    command.upgrade(config, 'head')
    command.check(config)


def test_statuses_get_their_roles_from_their_keys(database_url: str) -> None:
    """Existing businesses keep their rules: each status made with a default key gets the role that key played."""
    config = alembic_config(database_url)
    command.downgrade(config, '0007')
    engine = make_engine(database_url)
    with engine.begin() as conn:
        tenant = conn.execute(sa.text("INSERT INTO tenant (slug, name, timezone, currency, booking_url, settings, "
                                      "primary_color, dark) VALUES ('t', 'T', 'UTC', 'EUR', '/book', '{}', "
                                      "'#4f46e5', false) RETURNING id")).scalar_one()
        for i, (key, busy) in enumerate((('pending', True), ('approved', True), ('canceled', False),
                                         ('rejected', False), ('no-show', True), ('vip', True))):
            conn.execute(sa.text('INSERT INTO status (tenant_id, key, label, color, icon, busy, position) '
                                 'VALUES (:t, :k, :k, :c, :i, :b, :p)'),
                         {'t': tenant, 'k': key, 'c': '#000000', 'i': 'label', 'b': busy, 'p': i})
    dispose_all()
    command.upgrade(config, 'head')
    with engine.connect() as conn:
        roles = dict(conn.execute(sa.text('SELECT key, role FROM status ORDER BY position')).all())
    assert roles == {'pending': 'new_booking', 'approved': 'confirmed', 'canceled': 'customer_cancel',
                     'rejected': 'rejected', 'no-show': 'no_show', 'vip': 'other'}
    engine.dispose()

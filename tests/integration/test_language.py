"""A business's default language is a setting an operator sets with `kairos settings`; a customer's own choice is a
column that reads back through storage."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from domain.model import DEFAULT_STATUSES
from domain.settings import PanelSettings, SettingsError
from services import i18n
from storage import customers as customer_db
from storage import tables as t
from storage import tenants as tenant_db
from storage.db import Database
from ui.cli import app


def test_the_business_default_language_is_set_from_the_command_line(cli: CliRunner) -> None:
    assert cli.invoke(app, ['create-business', '--name', 'Salon Rosa']).exit_code == 0
    assert json.loads(cli.invoke(app, ['settings', 'show']).output)['default_language'] == 'en'
    accepted = cli.invoke(app, ['settings', 'set', 'default_language', 'pt_PT'])
    assert accepted.exit_code == 0 and 'default_language = "pt_PT"' in accepted.output, accepted.output
    for unknown in ('fr', 'pt-PT', '""', 'null'):
        refused = cli.invoke(app, ['settings', 'set', 'default_language', unknown])
        assert refused.exit_code == 1, (unknown, refused.output)
        assert 'default_language must be one of en, pt_PT, es, de, ar.' in refused.output, (unknown, refused.output)
    assert json.loads(cli.invoke(app, ['settings', 'show']).output)['default_language'] == 'pt_PT'
    helped = cli.invoke(app, ['settings', 'help']).output
    assert 'default_language' in helped


def test_a_business_rewords_a_text_per_language_from_the_command_line(cli: CliRunner) -> None:
    assert cli.invoke(app, ['create-business', '--name', 'Salon Rosa']).exit_code == 0
    accepted = cli.invoke(app, ['settings', 'set', 'text_overrides', '{"pt_PT": {"Language": "Língua"}}'])
    assert accepted.exit_code == 0, accepted.output
    shown = json.loads(cli.invoke(app, ['settings', 'show']).output)
    assert shown['text_overrides'] == {'pt_PT': {'Language': 'Língua'}}
    for value, message in (('{"pt_PT": {"Lingo": "Língua"}}', "Kairos shows no text 'Lingo'"),
                           ('{"fr": {"Language": "Langue"}}', 'text_overrides must map a language'),
                           ('"Língua"', 'text_overrides must map a language')):
        refused = cli.invoke(app, ['settings', 'set', 'text_overrides', value])
        assert refused.exit_code == 1 and message in refused.output, (value, refused.output)
    assert json.loads(cli.invoke(app, ['settings', 'show']).output) == shown


def test_a_stored_wording_of_a_text_that_changed_since_still_loads() -> None:
    settings = PanelSettings.from_dict({'text_overrides': {'de': {'A text Kairos no longer shows': 'Alt'}}})
    assert settings.text_overrides == {'de': {'A text Kairos no longer shows': 'Alt'}}
    with pytest.raises(SettingsError, match='Kairos shows no text'):
        settings.validate(DEFAULT_STATUSES, texts=i18n.template_msgids())


@pytest.mark.parametrize('stored', [{'default_language': 'klingon'}, {'default_language': 7}])
def test_a_stored_default_language_that_is_not_shipped_does_not_load(stored: dict[str, object]) -> None:
    with pytest.raises(SettingsError):
        PanelSettings.from_dict(stored)


@pytest.mark.postgres
def test_a_customer_language_starts_unset_and_reads_back(db: Database) -> None:
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with db.write() as s:
        tenant_id = tenant_db.create_tenant(s, slug='rosa', name='Rosa')
        customer_id = customer_db.create_customer(s, tenant_id=tenant_id, email='ana@example.com', now=now)
    with db.read() as s:
        found = customer_db.customer(s, tenant_id=tenant_id, customer_id=customer_id)
        assert found is not None and found.language is None
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == customer_id).values(language='ar'))
    with db.read() as s:
        found = customer_db.customer(s, tenant_id=tenant_id, customer_id=customer_id)
        assert found is not None and found.language == 'ar'

"""Nothing of one business is visible from another: sign-in, appointments and the host that picks the tenant."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services import auth, panel
from services.config import reset_config
from services.context import reset_db
from services.tenants import UnknownTenant, forget_tenants, resolve_tenant
from tests.support.seed import add_appointment, at, seed_world

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def two_businesses(db):
    studio = seed_world(db, now=NOW, slug='studio', host='studio.example.com')
    clinic = seed_world(db, now=NOW, slug='clinic', host='clinic.example.com', ada_email='ada@example.com')
    add_appointment(db, studio, start=at(NOW, 2))
    add_appointment(db, clinic, start=at(NOW, 5), service='colour', minutes=120, price=12000)
    return studio, clinic


def test_the_same_email_is_two_accounts_in_two_businesses_and_each_sees_only_its_own(db) -> None:
    studio, clinic = two_businesses(db)
    signed = auth.sign_in(db, tenant_id=studio.tenant_id, email='ada@example.com', password='kairos-demo', now=NOW)
    assert signed.customer.id == studio.ada
    # The studio's session means nothing at the clinic.
    assert auth.current_customer(db, tenant_id=clinic.tenant_id, session_id=signed.session_id, now=NOW) is None
    studio_view = panel.all_appointments(db, tenant_id=studio.tenant_id, customer_id=studio.ada)
    assert [a.service.name for a in studio_view] == ['Haircut']
    # Asking for the clinic's appointment through the studio tenant finds nothing.
    clinic_appt = panel.all_appointments(db, tenant_id=clinic.tenant_id, customer_id=clinic.ada)[0]
    assert panel.appointment_detail(db, tenant_id=studio.tenant_id, customer_id=studio.ada,
                                    appointment_id=clinic_appt.id) is None
    assert panel.appointment_detail(db, tenant_id=studio.tenant_id, customer_id=clinic.ada,
                                    appointment_id=clinic_appt.id) is None


def test_a_host_name_picks_its_tenant_and_an_unknown_host_gets_none(database_url: str, db,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    two_businesses(db)
    monkeypatch.setenv('KAIROS_DATABASE_URL', database_url)
    monkeypatch.setenv('KAIROS_MULTI_TENANT', 'true')
    reset_config(), reset_db(), forget_tenants()
    try:
        assert resolve_tenant('studio.example.com:8080').slug == 'studio'
        assert resolve_tenant('CLINIC.example.com').slug == 'clinic'
        with pytest.raises(UnknownTenant):
            resolve_tenant('evil.example.com')
    finally:
        monkeypatch.undo()
        reset_config(), reset_db(), forget_tenants()

"""The schema made by migrations holds the domain on SQLite and PostgreSQL, and reads back as domain values."""

from datetime import UTC, datetime, time, timedelta

import pytest

from services import auth, panel
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import customers as customer_db
from storage import tenants as tenant_db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def seed(db) -> tuple[int, int]:
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='default', name='Studio', timezone='Europe/Berlin')
        loc = catalog_db.create_location(s, tenant_id=tenant, name='Main street')
        svc = catalog_db.create_service(s, tenant_id=tenant, name='Haircut', duration_min=45, price=4500)
        staff = catalog_db.create_staff(s, tenant_id=tenant, name='Mia', service_ids=[svc], location_ids=[loc],
                                        weekly={0: [(time(9), time(17))]})
        ada = customer_db.create_customer(s, tenant_id=tenant, email='Ada@Example.com', first_name='Ada',
                                          password_hash=auth.hash_password('kairos-demo'), now=NOW)
        other = customer_db.create_customer(s, tenant_id=tenant, email='bob@example.com', now=NOW)
        for i, status in enumerate(['approved', 'canceled', 'pending']):
            appointment_db.create_appointment(s, tenant_id=tenant, customer_id=ada, service_id=svc, staff_id=staff,
                                              location_id=loc, start=NOW + timedelta(days=i - 1),
                                              duration=timedelta(minutes=45),
                                              status_key=status, price=4500)
        appointment_db.create_appointment(s, tenant_id=tenant, customer_id=other, service_id=svc, staff_id=staff,
                                          start=NOW + timedelta(days=3), duration=timedelta(minutes=45))
    return tenant, ada


def test_a_customer_reads_back_only_their_own_appointments_with_aware_utc_times(db) -> None:
    tenant, ada = seed(db)
    appointments = panel.all_appointments(db, tenant_id=tenant, customer_id=ada)
    assert [a.status.key for a in appointments] == ['pending', 'canceled', 'approved']
    assert all(a.customer_id == ada for a in appointments)
    assert appointments[0].start == NOW + timedelta(days=1)
    assert appointments[0].start.tzinfo is not None
    assert appointments[0].location is not None and appointments[0].location.name == 'Main street'


def test_sign_in_matches_email_case_insensitively_and_refuses_a_wrong_password(db) -> None:
    tenant, ada = seed(db)
    signed = auth.sign_in(db, tenant_id=tenant, email=' ada@example.com', password='kairos-demo', now=NOW)
    assert signed.customer.id == ada
    assert auth.current_customer(db, tenant_id=tenant, session_id=signed.session_id, now=NOW).id == ada
    with pytest.raises(auth.SignInFailed) as wrong:
        auth.sign_in(db, tenant_id=tenant, email='ada@example.com', password='nope', now=NOW)
    with pytest.raises(auth.SignInFailed) as unknown:
        auth.sign_in(db, tenant_id=tenant, email='nobody@example.com', password='nope', now=NOW)
    assert str(wrong.value.message) == str(unknown.value.message)
    auth.sign_out(db, session_id=signed.session_id, now=NOW)
    assert auth.current_customer(db, tenant_id=tenant, session_id=signed.session_id, now=NOW) is None

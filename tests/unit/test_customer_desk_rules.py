"""The desk's pure rules for customers: reading a search, prefix ranges, a new customer and a package."""

from __future__ import annotations

import pytest

from domain.customer_desk import (
    CustomerInput,
    PackageInput,
    customer_problems,
    package_problems,
    prefix_upper_bound,
    search_terms,
)


def test_a_search_is_trimmed_lower_case_and_split_into_first_and_last_name() -> None:
    found = search_terms('  Ana   SILVA costa ')
    assert (found.text, found.first, found.last, found.phone) == ('ana silva costa', 'ana', 'silva costa', '')
    assert search_terms('').empty and search_terms('   ').empty
    assert search_terms('ada').first == '' and search_terms('ada').text == 'ada'
    assert search_terms('+351 912').phone == '+351 912'
    assert len(search_terms('x' * 500).text) == 120


@pytest.mark.parametrize('prefix', ['a', 'ana', 'zé', 'x\uffff', '+351 9'])
def test_the_prefix_range_holds_exactly_the_strings_that_start_with_it(prefix: str) -> None:
    bound = prefix_upper_bound(prefix)
    for inside in (prefix, prefix + 'a', prefix + '\U0010ffff', prefix + ' z'):
        assert prefix <= inside < bound
    for outside in (prefix[:-1], bound, bound + 'a'):
        assert not prefix <= outside < bound


def test_a_desk_customer_needs_names_and_a_real_looking_email() -> None:
    assert customer_problems(CustomerInput(first_name='Ada', last_name='Lovelace', email='ada@example.com')) == {}
    wrong = customer_problems(CustomerInput(first_name='', last_name='L', email='ada@', phone='call me'))
    assert set(wrong) == {'first_name', 'email', 'phone'}


def test_a_package_is_checked_field_by_field() -> None:
    good = PackageInput(name='Five cuts', sessions=5, price=20000, validity_days=90, service_ids=(1,))
    assert package_problems(good, service_ids={1, 2}) == {}
    bad = PackageInput(name=' ', sessions=0, price=-1, validity_days=0, service_ids=(3,))
    assert set(package_problems(bad, service_ids={1})) == {'name', 'sessions', 'price', 'validity_days',
                                                          'service_ids'}
    assert 'service_ids' in package_problems(PackageInput(name='x', sessions=1, price=0, validity_days=1),
                                             service_ids={1})

import datetime as dt

import pytest
from django.core.management import call_command

from icahub.registry.models import Convention, Membership, Organisation, State

pytestmark = pytest.mark.django_db


def test_reference_data_holds_every_row_of_the_depositary_files():
    # given the reference data loaded once per test database (conftest)
    # when the memberships are counted per convention
    ccm = Membership.objects.filter(convention__code="CCM").count()
    apmbc = Membership.objects.filter(convention__code="APMBC").count()

    # then every row of the UN status files is there (125 and 166 rows)
    assert (ccm, apmbc) == (125, 166)


def test_entry_into_force_is_computed_by_the_article_17_rule():
    # given Lao PDR (deposited 18 March 2009, before the 30th instrument)
    lao = Membership.objects.get(state__iso3="LAO", convention__code="CCM")
    # and Iraq (deposited 14 May 2013)
    irq = Membership.objects.get(state__iso3="IRQ", convention__code="CCM")

    # then the convention's own date applies to the first, the sixth-month rule to the second
    assert lao.entry_into_force == dt.date(2010, 8, 1)
    assert irq.entry_into_force == dt.date(2013, 11, 1)


def test_successions_keep_the_date_the_source_states():
    # given South Sudan's APMBC succession (in force 9 July 2011, notified 11 November 2011)
    ssd = Membership.objects.get(state__iso3="SSD", convention__code="APMBC")

    # then the stated date is kept and the state is a party after it
    assert ssd.entry_into_force == dt.date(2011, 7, 9)
    assert ssd.status_on(dt.date(2011, 8, 1)) == "party"


def test_withdrawal_changes_the_status_on_its_effective_date():
    # given Lithuania's CCM withdrawal, effective 6 March 2025
    ltu = Membership.objects.get(state__iso3="LTU", convention__code="CCM")

    # then it is a party the day before and withdrawn on the day
    assert ltu.status_on(dt.date(2025, 3, 5)) == "party"
    assert ltu.status_on(dt.date(2025, 3, 6)) == "withdrawn"


def test_state_names_come_in_every_interface_language():
    # given Lao PDR
    lao = State.objects.get(iso3="LAO")

    # then it has its UN names, alpha-2 code and M49 region
    assert lao.iso2 == "LA"
    assert lao.name_fr == "République démocratique populaire lao"
    assert lao.name_ar == "جمهورية لاو الديمقراطية الشعبية"
    assert (lao.region_code, lao.subregion_code) == ("142", "035")


def test_loading_twice_changes_nothing(capsys):
    # given the data already loaded
    before = (State.objects.count(), Membership.objects.count(), Organisation.objects.count())

    # when the loader runs again
    call_command("load_reference_data")

    # then it reports nothing to change and the counts are the same
    assert "nothing to change" in capsys.readouterr().out
    after = (State.objects.count(), Membership.objects.count(), Organisation.objects.count())
    assert after == before


def test_conventions_carry_their_treaty_dates():
    # given the two conventions
    ccm = Convention.objects.get(code="CCM")
    apmbc = Convention.objects.get(code="APMBC")

    # then their dates are those of the treaties
    assert ccm.opened_for_signature == dt.date(2008, 12, 3)
    assert ccm.entry_into_force == dt.date(2010, 8, 1)
    assert apmbc.opened_for_signature == dt.date(1997, 12, 3)
    assert apmbc.entry_into_force == dt.date(1999, 3, 1)
    assert set(ccm.articles.values_list("number", flat=True)) == {"3", "4", "5", "6", "7", "9"}

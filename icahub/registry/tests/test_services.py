import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from icahub.registry.models import Convention, Membership, State
from icahub.registry.services import membership_upsert, state_update

pytestmark = pytest.mark.django_db


def test_membership_upsert_computes_entry_into_force_and_reports_the_change():
    # given a state with no CCM membership yet (the United States never joined)
    usa = State.objects.get(iso3="USA")
    ccm = Convention.objects.get(code="CCM")

    # when an accession deposited on 19 April 2016 is recorded
    membership, action = membership_upsert(
        state=usa,
        convention=ccm,
        signed=None,
        deposited=dt.date(2016, 4, 19),
        instrument="accession",
    )

    # then entry into force is 1 October 2016 and the membership is new
    assert action == "created"
    assert membership.entry_into_force == dt.date(2016, 10, 1)


def test_a_deposit_before_the_convention_opened_is_refused_naming_the_field():
    # given the CCM, open for signature from 3 December 2008
    usa = State.objects.get(iso3="USA")
    ccm = Convention.objects.get(code="CCM")

    # when a deposit dated the day before is recorded
    with pytest.raises(ValidationError) as error:
        membership_upsert(
            state=usa,
            convention=ccm,
            signed=None,
            deposited=dt.date(2008, 12, 2),
            instrument="ratification",
        )

    # then the error names the deposit date and nothing is written
    assert "deposited" in error.value.message_dict
    assert not Membership.objects.filter(state=usa, convention=ccm).exists()


def test_a_deposit_without_an_instrument_is_refused():
    usa = State.objects.get(iso3="USA")
    ccm = Convention.objects.get(code="CCM")

    with pytest.raises(ValidationError) as error:
        membership_upsert(
            state=usa, convention=ccm, signed=None, deposited=dt.date(2016, 4, 19), instrument=""
        )

    assert error.value.message_dict


def test_state_update_refuses_treaty_fields():
    # given Lao PDR
    lao = State.objects.get(iso3="LAO")

    # when someone tries to change its ISO code through the editable-details service
    with pytest.raises(ValidationError) as error:
        state_update(state=lao, data={"iso3": "XXX"})

    # then the field is named and nothing changed
    assert "iso3" in error.value.message_dict
    lao.refresh_from_db()
    assert lao.iso3 == "LAO"


def test_state_update_validates_the_website():
    lao = State.objects.get(iso3="LAO")

    with pytest.raises(ValidationError) as error:
        state_update(state=lao, data={"website": "not a web address"})

    assert "website" in error.value.message_dict


def test_a_corrected_deposit_moves_the_obligation_deadlines():
    # given Iraq's clearance deadline from its deposit of 14 May 2013 (in force 1 Nov 2013)
    from icahub.obligations.models import Obligation

    irq = State.objects.get(iso3="IRQ")
    ccm = Convention.objects.get(code="CCM")
    membership = Membership.objects.get(state=irq, convention=ccm)

    # when the deposit date is corrected to 14 June 2013
    membership_upsert(
        state=irq,
        convention=ccm,
        signed=membership.signed,
        deposited=dt.date(2013, 6, 14),
        instrument=membership.instrument,
        source=membership.source,
    )

    # then entry into force and the clearance deadline follow
    obligation = Obligation.objects.get(state=irq, convention=ccm, kind="clearance")
    assert obligation.original_deadline == obligation.current_deadline == dt.date(2023, 12, 1)

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from icahub.obligations.models import Extension, Obligation
from icahub.obligations.services import (
    extension_record,
    obligation_create,
    obligation_recompute_deadlines,
    obligation_update,
)
from icahub.registry.models import Convention, Membership, State

pytestmark = pytest.mark.django_db


def _obligation(iso3: str, kind: str = "clearance") -> Obligation:
    return Obligation.objects.get(state__iso3=iso3, convention__code="CCM", kind=kind)


def test_reference_obligations_follow_the_treaty_rules():
    # given the CCM obligations loaded from the public record
    lao = _obligation("LAO")
    bgr = _obligation("BGR", "stockpile_destruction")
    lbn = _obligation("LBN")
    bih = _obligation("BIH")

    # then original deadlines come from entry into force, current ones from the extensions
    assert (lao.original_deadline, lao.current_deadline) == (
        dt.date(2020, 8, 1),
        dt.date(2025, 8, 1),
    )
    assert (bgr.original_deadline, bgr.current_deadline) == (
        dt.date(2019, 10, 1),
        dt.date(2023, 12, 31),
    )
    assert lbn.original_deadline == dt.date(2021, 5, 1)
    assert bih.original_deadline == dt.date(2021, 3, 1)
    assert bih.status_on(dt.date(2024, 1, 1)) == "completed"


def test_an_unconfirmed_extension_is_not_invented():
    # given Iraq, whose 2022 request's decision is not confirmed in the source
    irq = _obligation("IRQ")

    # then no extension is recorded and the current deadline is the original one
    assert irq.extensions.count() == 0
    assert irq.current_deadline == irq.original_deadline == dt.date(2023, 11, 1)


def test_recording_an_extension_moves_the_current_deadline():
    # given Lao PDR's clearance deadline of 1 August 2025
    lao = _obligation("LAO")

    # when a five-year extension is recorded
    extension = extension_record(
        obligation=lao, new_deadline=dt.date(2030, 8, 1), decided_by="13MSP (2025)"
    )

    # then it is the second request and the current deadline follows it
    lao.refresh_from_db()
    assert extension.sequence == 2
    assert lao.current_deadline == dt.date(2030, 8, 1)
    assert lao.original_deadline == dt.date(2020, 8, 1)


def test_an_extension_beyond_the_article_limit_is_refused_and_nothing_is_written():
    # given Lao PDR's clearance deadline (CCM Art. 4: up to 5 years per request)
    lao = _obligation("LAO")
    before = Extension.objects.count()

    # when an extension of 5 years and a day is recorded
    with pytest.raises(ValidationError) as error:
        extension_record(obligation=lao, new_deadline=dt.date(2030, 8, 2))

    # then the new deadline is named, and neither the extension nor the deadline changed
    assert "new_deadline" in error.value.message_dict
    lao.refresh_from_db()
    assert lao.current_deadline == dt.date(2025, 8, 1)
    assert Extension.objects.count() == before


def test_a_further_stockpile_extension_needs_exceptional_circumstances():
    # given Peru's stockpile obligation already extended once (CCM Art. 3)
    per = _obligation("PER", "stockpile_destruction")

    # when a second extension is recorded without exceptional circumstances
    with pytest.raises(ValidationError) as error:
        extension_record(obligation=per, new_deadline=dt.date(2025, 4, 1))

    # then it is refused; with them it is accepted
    assert "new_deadline" in error.value.message_dict
    extension_record(
        obligation=per, new_deadline=dt.date(2025, 4, 1), exceptional_circumstances=True
    )
    per.refresh_from_db()
    assert per.current_deadline == dt.date(2025, 4, 1)


def test_an_obligation_for_a_non_party_is_refused():
    # given the United States, not a party to the CCM
    usa = State.objects.get(iso3="USA")
    ccm = Convention.objects.get(code="CCM")

    # when a clearance obligation is recorded
    with pytest.raises(ValidationError) as error:
        obligation_create(state=usa, convention=ccm, kind="clearance")

    # then the state is named as the problem
    assert "state" in error.value.message_dict


def test_an_apmbc_obligation_gets_the_apmbc_article_and_deadline():
    # given Afghanistan (APMBC in force 1 March 2003)
    afg = State.objects.get(iso3="AFG")
    apmbc = Convention.objects.get(code="APMBC")

    # when its clearance obligation is recorded
    obligation = obligation_create(state=afg, convention=apmbc, kind="clearance")

    # then it falls under Article 5 with the 10-year deadline
    assert obligation.article == 5
    assert obligation.original_deadline == dt.date(2013, 3, 1)


def test_victim_assistance_has_no_deadline_and_is_ongoing():
    lao = State.objects.get(iso3="LAO")
    ccm = Convention.objects.get(code="CCM")

    obligation = obligation_create(state=lao, convention=ccm, kind="victim_assistance")

    assert obligation.article == 5
    assert obligation.original_deadline is None
    assert obligation.status == "in_progress"


def test_deadlines_are_never_set_by_hand():
    lao = _obligation("LAO")

    with pytest.raises(ValidationError) as error:
        obligation_update(obligation=lao, data={"current_deadline": dt.date(2040, 1, 1)})

    assert "current_deadline" in error.value.message_dict


def test_a_future_completion_date_is_refused():
    lao = _obligation("LAO")

    with pytest.raises(ValidationError) as error:
        obligation_update(obligation=lao, data={"completed_on": dt.date(2999, 1, 1)})

    assert "completed_on" in error.value.message_dict


def test_recompute_follows_a_corrected_deposit_date():
    # given Iraq's membership corrected to a deposit one month later (hypothetical)
    irq = _obligation("IRQ")
    Membership.objects.filter(state__iso3="IRQ", convention__code="CCM").update(
        entry_into_force=dt.date(2013, 12, 1)
    )

    # when the deadlines are recomputed
    obligation_recompute_deadlines(obligation=irq)

    # then the original and current deadline follow the new entry into force
    irq.refresh_from_db()
    assert irq.original_deadline == irq.current_deadline == dt.date(2023, 12, 1)


def test_status_reads_the_deadline_against_the_date():
    lbn = _obligation("LBN")

    assert lbn.status_on(dt.date(2024, 1, 1)) == "in_progress"
    assert lbn.status_on(dt.date(2025, 6, 1)) == "due_soon"
    assert lbn.status_on(dt.date(2026, 5, 2)) == "overdue"

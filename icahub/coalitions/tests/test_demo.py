"""The demo coalition: labelled as demo, complete, and loaded only once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from icahub.coalitions.models import ActionItem, Coalition, CoalitionMember, Meeting, Objective

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Coalition, CoalitionMember, Objective, Meeting, ActionItem)
    )


def test_the_demo_coalition_is_labelled_and_idempotent():
    # when the demo data are loaded twice
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    # then the second run changed nothing
    assert _counts() == first == (1, 3, 1, 1, 2)
    coalition = Coalition.objects.get()
    assert coalition.name.startswith("[Demo]")
    assert coalition.lead_state.iso3 == "LAO"
    parties = {(str(m.party), m.role, m.status) for m in coalition.members.all()}
    assert parties == {
        ("Lao People's Democratic Republic", "lead", "active"),
        ("Norway", "coordinating_partner", "active"),
        ("Norwegian People's Aid (NPA)", "member", "active"),
    }
    assert all(item.text.startswith("[Demo]") for item in ActionItem.objects.all())
    assert Objective.objects.get().obligations.get().kind == "clearance"

"""Demo Country Coalition for a development instance, labelled "[Demo]" in every title:
Lao PDR leads it (demo user focal-lao), with Norway (donor-nor) and Norwegian People's Aid
(partner-npa) as active members, one objective tied to Lao PDR's CCM clearance obligation,
and one meeting with two action items. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from icahub.coalitions.models import (
    ActionItem,
    Coalition,
    CoalitionMember,
    Meeting,
    MemberRole,
    MemberStatus,
    Objective,
)
from icahub.obligations.models import Obligation
from icahub.registry.models import Convention, Organisation, State

NAME = "[Demo] Lao PDR cluster munition clearance coalition"


@transaction.atomic
def load_demo_coalition() -> tuple[Coalition, bool]:
    """The demo coalition and whether it was created now."""
    lao = State.objects.get(iso3="LAO")
    ccm = Convention.objects.get(code="CCM")
    coalition, created = Coalition.objects.get_or_create(
        name=NAME,
        defaults={
            "lead_state": lao,
            "convention": ccm,
            "description": "[Demo] Demonstration data for a development instance: not real.",
        },
    )
    answered = dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC)
    parties = [
        ({"state": lao}, MemberRole.LEAD),
        ({"state": State.objects.get(iso3="NOR")}, MemberRole.COORDINATING_PARTNER),
        ({"organisation": Organisation.objects.get(acronym="NPA")}, MemberRole.MEMBER),
    ]
    members = {}
    for party, role in parties:
        member, _ = CoalitionMember.objects.get_or_create(
            coalition=coalition,
            **party,
            defaults={"role": role, "status": MemberStatus.ACTIVE, "responded_at": answered},
        )
        members[role] = member
    objective, _ = Objective.objects.get_or_create(
        coalition=coalition,
        title="[Demo] Release the remaining confirmed hazardous areas",
        defaults={
            "description": "[Demo] Survey and clear the confirmed hazardous areas of the plan.",
            "target_date": dt.date(2030, 8, 1),
        },
    )
    clearance = Obligation.objects.filter(state=lao, convention=ccm, kind="clearance").first()
    if clearance is not None and not objective.obligations.filter(pk=clearance.pk).exists():
        objective.obligations.add(clearance)
    meeting, _ = Meeting.objects.get_or_create(
        coalition=coalition,
        title="[Demo] First coordination meeting",
        defaults={
            "starts_at": dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC),
            "place": "[Demo] Vientiane",
            "agenda": "[Demo] 1. The plan. 2. Commitments. 3. Next steps.",
            "minutes": "[Demo] The members reviewed the plan.",
            "decisions": "[Demo] Meet again in three months.",
        },
    )
    for text, role, due in (
        ("[Demo] Share the survey results", MemberRole.LEAD, dt.date(2026, 3, 31)),
        (
            "[Demo] Propose a clearance budget",
            MemberRole.COORDINATING_PARTNER,
            dt.date(2026, 4, 30),
        ),
    ):
        ActionItem.objects.get_or_create(
            meeting=meeting, text=text, defaults={"owner": members[role], "due_date": due}
        )
    return coalition, created

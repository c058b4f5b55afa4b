"""Demo needs and offers (development only). Every title starts with "[Demo]": they are
invented examples to try the pages and the matching, not real requests or pledges. Safe
to load again: records are found by their title and left as they are."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from icahub.assistance.models import Need, Offer, Visibility
from icahub.obligations.models import Obligation
from icahub.registry.models import Convention, Organisation, State

DEMO_NEEDS = [
    {
        "state": "LAO",
        "area": "clearance",
        "modality": "financial",
        "language": "en",
        "title": "[Demo] Survey and clearance of cluster munition remnants in Xieng Khouang",
        "description": "Funding for technical survey and battle area clearance teams to release "
        "contaminated farmland in Xieng Khouang province.",
        "budget_required": Decimal("4500000"),
        "budget_secured": Decimal("1200000"),
        "currency": "USD",
        "obligation": "clearance",
    },
    {
        "state": "LBN",
        "area": "clearance",
        "modality": "technical",
        "language": "fr",
        "title": "[Demo] Dépollution des zones contaminées par les sous-munitions au Sud-Liban",
        "description": "Appui technique et équipes de déminage pour la dépollution des terres "
        "agricoles contaminées par les restes d'armes à sous-munitions.",
        "budget_required": Decimal("2000000"),
        "currency": "USD",
        "obligation": "clearance",
    },
    {
        "state": "IRQ",
        "area": "victim_assistance",
        "modality": "training",
        "language": "ar",
        "title": "[Demo] تدريب أخصائيي العلاج الطبيعي لمساعدة الناجين",
        "description": "تدريب أخصائيي العلاج الطبيعي والأطراف الصناعية لتقديم خدمات إعادة "
        "التأهيل للناجين من الذخائر العنقودية.",
        "budget_required": Decimal("600000"),
        "currency": "USD",
    },
    {
        "state": "LAO",
        "area": "risk_education",
        "modality": "material",
        "language": "en",
        "title": "[Demo] Explosive ordnance risk education materials for schools",
        "description": "Printing and distribution of risk education booklets and posters in "
        "Lao for primary schools in contaminated districts.",
        "budget_required": Decimal("150000"),
        "currency": "USD",
    },
]

DEMO_OFFERS = [
    {
        "provider_state": "NOR",
        "title": "[Demo] Funding for cluster munition clearance in South-East Asia",
        "description": "Multi-year grants for survey and clearance of cluster munition "
        "remnants, with priority to South-eastern Asia.",
        "areas": ["clearance"],
        "modalities": ["financial"],
        "priority_regions": ["035"],
        "languages": ["en"],
        "budget_envelope": Decimal("3000000"),
        "currency": "USD",
    },
    {
        "provider_organisation": "NPA",
        "title": "[Demo] Technical advice and clearance teams",
        "description": "Experienced survey and clearance teams and technical advice to "
        "national mine action authorities for clearing contaminated land.",
        "areas": ["clearance", "risk_education"],
        "modalities": ["technical", "training"],
        "languages": ["en", "fr", "ar"],
    },
    {
        "provider_organisation": "HI",
        "title": "[Demo] Rehabilitation and physiotherapy training",
        "description": "Training of physiotherapists and orthopaedic technicians, and "
        "rehabilitation services for survivors and persons with disabilities.",
        "areas": ["victim_assistance"],
        "modalities": ["training", "technical"],
        "priority_regions": ["145"],
        "languages": ["en", "fr", "ar"],
    },
]


@transaction.atomic
def load_demo_needs_and_offers() -> tuple[int, int]:
    """Create the demo needs and offers that are missing; returns how many were added."""
    ccm = Convention.objects.get(code="CCM")
    added_needs = added_offers = 0
    for row in DEMO_NEEDS:
        if Need.objects.filter(title=row["title"]).exists():
            continue
        fields = dict(row)
        state = State.objects.get(iso3=fields.pop("state"))
        kind = fields.pop("obligation", None)
        obligation = (
            Obligation.objects.filter(state=state, convention=ccm, kind=kind).first()
            if kind
            else None
        )
        need = Need(
            state=state,
            convention=ccm,
            obligation=obligation,
            value_date=dt.date(2026, 1, 1),
            visibility=Visibility.PUBLIC,
            **fields,
        )
        need.full_clean()
        need.save()
        added_needs += 1
    for row in DEMO_OFFERS:
        if Offer.objects.filter(title=row["title"]).exists():
            continue
        fields = dict(row)
        if "provider_state" in fields:
            fields["provider_state"] = State.objects.get(iso3=fields["provider_state"])
        if "provider_organisation" in fields:
            fields["provider_organisation"] = Organisation.objects.get(
                acronym=fields["provider_organisation"]
            )
        offer = Offer(visibility=Visibility.PUBLIC, **fields)
        offer.full_clean()
        offer.save()
        added_offers += 1
    return added_needs, added_offers

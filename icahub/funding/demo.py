"""Demo funding data for a development instance: illustrative exchange rates and about
ten flows between the demo states and organisations. Every record says it is demo data:
rates carry "[Demo] illustrative rate" as their source (they are NOT official rates), and
every flow's use of funds starts with "[Demo]". Running it again changes nothing.

Flows are linked to a need of the recipient state in the same area when one exists (the
demo needs of the assistance app, or any the instance holds); otherwise they fund the area.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from icahub.assistance.models import Need
from icahub.funding import services
from icahub.funding.models import ExchangeRate, Flow
from icahub.registry.models import Organisation, State

DEMO_RATE_SOURCE = "[Demo] illustrative rate, not an official rate"
DEMO_RATES = [
    ("EUR", dt.date(2023, 1, 1), Decimal("1.07")),
    ("EUR", dt.date(2024, 1, 1), Decimal("1.09")),
    ("NOK", dt.date(2023, 1, 1), Decimal("0.095")),
    ("NOK", dt.date(2024, 1, 1), Decimal("0.093")),
    ("GBP", dt.date(2024, 1, 1), Decimal("1.26")),
]


@dataclass(frozen=True)
class DemoFlow:
    key: str
    giver: str  # ISO code of a state, or an organisation's acronym after "org:"
    recipient: str
    area: str
    status: str
    amount: str
    currency: str
    value_date: dt.date
    cooperation_model: str
    modality: str = "financial"
    visibility: str = "public"

    @property
    def notes(self) -> str:
        return f"[Demo] {self.key}: illustrative flow for trying the funding pages."


DEMO_FLOWS = [
    DemoFlow(
        "D1",
        "NOR",
        "LAO",
        "clearance",
        "commitment",
        "12000000",
        "NOK",
        dt.date(2024, 2, 15),
        "bilateral",
    ),
    DemoFlow(
        "D2",
        "NOR",
        "LAO",
        "clearance",
        "disbursement",
        "6000000",
        "NOK",
        dt.date(2024, 6, 30),
        "bilateral",
    ),
    DemoFlow(
        "D3",
        "NOR",
        "org:NPA",
        "clearance",
        "expenditure",
        "4500000",
        "NOK",
        dt.date(2024, 11, 30),
        "bilateral",
        visibility="states_parties",
    ),
    DemoFlow(
        "D4",
        "NOR",
        "LBN",
        "victim_assistance",
        "pledge",
        "2000000",
        "NOK",
        dt.date(2024, 9, 1),
        "bilateral",
    ),
    DemoFlow(
        "D5",
        "org:EU",
        "LBN",
        "clearance",
        "commitment",
        "1500000",
        "EUR",
        dt.date(2024, 3, 1),
        "multilateral",
    ),
    DemoFlow(
        "D6",
        "org:EU",
        "org:MAG",
        "clearance",
        "disbursement",
        "750000",
        "EUR",
        dt.date(2024, 7, 1),
        "multilateral",
    ),
    DemoFlow(
        "D7",
        "org:UNDP",
        "LAO",
        "risk_education",
        "disbursement",
        "300000",
        "USD",
        dt.date(2023, 10, 1),
        "multilateral",
        modality="technical",
    ),
    DemoFlow(
        "D8",
        "LBN",
        "LAO",
        "clearance",
        "commitment",
        "50000",
        "USD",
        dt.date(2024, 4, 1),
        "south_south",
        modality="technical",
    ),
    DemoFlow(
        "D9",
        "org:HALO",
        "LAO",
        "clearance",
        "expenditure",
        "220000",
        "GBP",
        dt.date(2024, 5, 20),
        "public_private",
        visibility="private",
    ),
    # No demo rate for SEK: this flow shows how an unvalued flow is listed.
    DemoFlow(
        "D10",
        "org:HI",
        "LBN",
        "victim_assistance",
        "disbursement",
        "900000",
        "SEK",
        dt.date(2024, 8, 1),
        "triangular",
        modality="material",
    ),
]


def _party(code: str) -> dict:
    if code.startswith("org:"):
        return {"organisation": Organisation.objects.get(acronym=code[4:])}
    return {"state": State.objects.get(iso3=code)}


@transaction.atomic
def load_demo_funding() -> tuple[int, int]:
    """Add the demo rates and flows that are missing. Returns (rates added, flows added)."""
    rates = 0
    for currency, valid_from, usd in DEMO_RATES:
        if not ExchangeRate.objects.filter(currency=currency, valid_from=valid_from).exists():
            services.exchange_rate_create(
                currency=currency, valid_from=valid_from, usd_per_unit=usd, source=DEMO_RATE_SOURCE
            )
            rates += 1
    flows = 0
    for demo in DEMO_FLOWS:
        if Flow.objects.filter(notes_on_use=demo.notes).exists():
            continue
        giver = _party(demo.giver)
        recipient = _party(demo.recipient)
        fields = {
            "giver_state": giver.get("state"),
            "giver_organisation": giver.get("organisation"),
            "recipient_state": recipient.get("state"),
            "recipient_organisation": recipient.get("organisation"),
        }
        need = None
        if recipient.get("state") is not None:
            need = (
                Need.objects.filter(state=recipient["state"], area=demo.area)
                .exclude(status="withdrawn")
                .order_by("pk")
                .first()
            )
        services.flow_create(
            **fields,
            need=need,
            area=demo.area,
            status=demo.status,
            amount=Decimal(demo.amount),
            currency=demo.currency,
            value_date=demo.value_date,
            modality=demo.modality,
            cooperation_model=demo.cooperation_model,
            notes_on_use=demo.notes,
            visibility=demo.visibility,
        )
        flows += 1
    return rates, flows

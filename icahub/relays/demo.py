"""Demo relay for a development instance, labelled "[Demo]": a Lao PDR need relayed to
Norway and Norwegian People's Aid, sent, Norway interested and NPA yet to answer. Safe to
run again: once the demo need has a relay, nothing changes."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from icahub.accounts.models import User
from icahub.assistance import services as assistance_services
from icahub.assistance.models import Need
from icahub.registry.models import Convention, Organisation, State
from icahub.relays import services
from icahub.relays.models import Relay

DEMO_NEED_TITLE = "[Demo] Technical survey of cluster munition remnants in Savannakhet"


@transaction.atomic
def load_demo_relays() -> bool:
    """Create the demo need (if missing) and its relay; True when something was added."""
    lao = State.objects.get(iso3="LAO")
    need = Need.objects.filter(state=lao, title=DEMO_NEED_TITLE).first()
    if need is None:
        need = assistance_services.need_create(
            state=lao,
            convention=Convention.objects.get(code="CCM"),
            area="clearance",
            modality="technical",
            title=DEMO_NEED_TITLE,
            description="[Demo] Demo data for trying icahub, not a real request.",
            visibility="public",
        )
    if Relay.objects.filter(need=need).exists():
        return False
    isu = User.objects.get(username="isu")
    today = timezone.localdate()
    relay = services.relay_create(
        need=need,
        partners=[State.objects.get(iso3="NOR"), Organisation.objects.get(acronym="NPA")],
        note="[Demo] Demo relay: Norway and NPA work in Savannakhet.",
        user=isu,
        today=today - dt.timedelta(days=10),
    )
    services.relay_advance(today=today)
    norway = relay.recipients.get(state__iso3="NOR")
    services.relay_answer(
        recipient=norway,
        user=User.objects.get(username="donor-nor"),
        answer="interested",
        comment="[Demo] Interested; our embassy in Vientiane will call the NRA.",
    )
    return True

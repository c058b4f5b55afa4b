"""Demo users for a development instance. Labelled as demo everywhere they appear:
their names start with "Demo", their e-mail addresses use the reserved example.org domain.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from icahub.accounts.models import Role, User
from icahub.registry.models import Organisation, State

DEMO_PASSWORD = "icahub-demo-2026"  # noqa: S105 - published demo credential, development only


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    label: str
    state_iso3: str = ""
    organisation_acronym: str = ""


DEMO_USERS = [
    DemoUser("isu", Role.ISU, "ISU staff"),
    DemoUser("coordinator", Role.COORDINATOR, "Coordinator for cooperation and assistance"),
    DemoUser("focal-lao", Role.STATE_FOCAL_POINT, "Focal point of Lao PDR", state_iso3="LAO"),
    DemoUser("focal-lbn", Role.STATE_FOCAL_POINT, "Focal point of Lebanon", state_iso3="LBN"),
    DemoUser("donor-nor", Role.DONOR_FOCAL_POINT, "Donor focal point, Norway", state_iso3="NOR"),
    DemoUser(
        "partner-npa", Role.PARTNER, "Member of Norwegian People's Aid", organisation_acronym="NPA"
    ),
]


@transaction.atomic
def load_demo_users() -> list[tuple[DemoUser, bool]]:
    """Create the demo users that are missing; existing ones keep their password."""
    results = []
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        created = user is None
        if created:
            user = User(username=demo.username)
            user.set_password(DEMO_PASSWORD)
        user.first_name = "Demo"
        user.last_name = demo.label
        user.email = f"{demo.username}@example.org"
        user.role = demo.role
        user.state = State.objects.get(iso3=demo.state_iso3) if demo.state_iso3 else None
        user.organisation = (
            Organisation.objects.get(acronym=demo.organisation_acronym)
            if demo.organisation_acronym
            else None
        )
        user.full_clean()
        user.save()
        results.append((demo, created))
    return results

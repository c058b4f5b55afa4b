"""The demo data command: everything labelled, idempotent, logins printed last.

(That it sends no e-mail is seen on a real run: in tests the e-mails wait for a commit
that only happens after the command has returned.)"""

from io import StringIO

import pytest
from django.core.management import call_command

from icahub.assistance.models import Need, Offer
from icahub.funding.models import Flow
from icahub.notifications.models import Notification
from icahub.relays.models import Relay

pytestmark = pytest.mark.django_db


def _run() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_demo_data_loads_once_and_ends_with_the_logins():
    first = _run()
    counts = (
        Need.objects.count(),
        Offer.objects.count(),
        Flow.objects.count(),
        Relay.objects.count(),
    )
    second = _run()

    # every demo record says so and the second run adds nothing
    assert all(title.startswith("[Demo]") for title in Need.objects.values_list("title", flat=True))
    assert all(
        title.startswith("[Demo]") for title in Offer.objects.values_list("title", flat=True)
    )
    assert counts[0] > 0 and counts[1] > 0 and counts[2] > 0 and counts[3] == 1
    assert (
        Need.objects.count(),
        Offer.objects.count(),
        Flow.objects.count(),
        Relay.objects.count(),
    ) == counts
    assert "Demo relay: added." in first and "Demo relay: already there." in second
    assert "Demo needs and offers ([Demo] in their titles): 0 and 0 added." in second
    # the demo relay's notices are in the demo users' inboxes instead
    assert Notification.objects.filter(recipient__username="focal-lao").exists()
    assert second.rstrip().splitlines()[-1].split()[0] == "partner-npa"

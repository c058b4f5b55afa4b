from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from icahub.accounts.demo import DEMO_PASSWORD, load_demo_users
from icahub.assistance.demo import load_demo_needs_and_offers
from icahub.coalitions.demo import load_demo_coalition
from icahub.funding.demo import load_demo_funding
from icahub.relays.demo import load_demo_relays

# Demo records go through the real services, which notify people; demo notices stay in the
# app (the demo users' inboxes) and no e-mail is sent for them.
NO_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


class Command(BaseCommand):
    help = (
        "Create the demo users, needs, offers, funding flows, a coalition and a relay "
        "(development only; every record labelled as demo). Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        with override_settings(EMAIL_BACKEND=NO_EMAIL):
            results = load_demo_users()
            _coalition, coalition = load_demo_coalition()
            needs, offers = load_demo_needs_and_offers()
            rates, flows = load_demo_funding()
            relay = load_demo_relays()
        added = sum(1 for _, created in results if created)
        self.stdout.write(f"Demo users: {added} added, {len(results) - added} already there.")
        self.stdout.write(
            f"Demo needs and offers ([Demo] in their titles): {needs} and {offers} added."
        )
        self.stdout.write(f"Demo funding: {rates} rates, {flows} flows added.")
        self.stdout.write(f"Demo coalition: {'added' if coalition else 'already there'}.")
        self.stdout.write(f"Demo relay: {'added' if relay else 'already there'}.")
        self.stdout.write("Demo logins (DEMO DATA, development only), password: " + DEMO_PASSWORD)
        for demo, _ in results:
            self.stdout.write(f"  {demo.username:<14} {demo.label}")

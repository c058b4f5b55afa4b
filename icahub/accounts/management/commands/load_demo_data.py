from django.core.management.base import BaseCommand

from icahub.accounts.demo import DEMO_PASSWORD, load_demo_users
from icahub.assistance.demo import load_demo_needs_and_offers
from icahub.coalitions.demo import load_demo_coalition
from icahub.funding.demo import load_demo_funding


class Command(BaseCommand):
    help = "Create the demo users (development only; labelled as demo). Safe to run again."

    def handle(self, *args, **options) -> None:
        results = load_demo_users()
        load_demo_coalition()
        added = sum(1 for _, created in results if created)
        self.stdout.write(f"Demo users: {added} added, {len(results) - added} already there.")
        needs, offers = load_demo_needs_and_offers()
        self.stdout.write(
            f"Demo needs and offers ([Demo] in their titles): {needs} and {offers} added."
        )
        self.stdout.write("Demo funding: {} rates, {} flows added.".format(*load_demo_funding()))
        self.stdout.write("Demo logins (DEMO DATA, development only), password: " + DEMO_PASSWORD)
        for demo, _ in results:
            self.stdout.write(f"  {demo.username:<14} {demo.label}")
        from icahub.relays.demo import load_demo_relays

        self.stdout.write(f"Demo relay: {'added' if load_demo_relays() else 'already there'}.")

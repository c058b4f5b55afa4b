from django.core.management.base import BaseCommand

from icahub.accounts.demo import DEMO_PASSWORD, load_demo_users
from icahub.coalitions.demo import load_demo_coalition


class Command(BaseCommand):
    help = "Create the demo users (development only; labelled as demo). Safe to run again."

    def handle(self, *args, **options) -> None:
        results = load_demo_users()
        load_demo_coalition()
        added = sum(1 for _, created in results if created)
        self.stdout.write(f"Demo users: {added} added, {len(results) - added} already there.")
        self.stdout.write("Demo logins (DEMO DATA, development only), password: " + DEMO_PASSWORD)
        for demo, _ in results:
            self.stdout.write(f"  {demo.username:<14} {demo.label}")

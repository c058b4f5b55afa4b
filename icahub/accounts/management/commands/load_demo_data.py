from django.core.management.base import BaseCommand

from icahub.accounts.demo import DEMO_PASSWORD, load_demo_users


class Command(BaseCommand):
    help = "Create the demo users (development only; labelled as demo). Safe to run again."

    def handle(self, *args, **options) -> None:
        results = load_demo_users()
        added = sum(1 for _, created in results if created)
        self.stdout.write(f"Demo users: {added} added, {len(results) - added} already there.")
        self.stdout.write("Demo logins (DEMO DATA, development only), password: " + DEMO_PASSWORD)
        for demo, _ in results:
            self.stdout.write(f"  {demo.username:<14} {demo.label}")
        from icahub.relays.demo import load_demo_relays

        self.stdout.write(f"Demo relay: {'added' if load_demo_relays() else 'already there'}.")

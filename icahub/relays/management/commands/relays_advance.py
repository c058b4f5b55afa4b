import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from icahub.relays.services import relay_advance


class Command(BaseCommand):
    help = (
        "Send the relays whose objection period is over and ask the 12-month follow-up "
        "questions that are due. Run daily (cron); safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--today",
            help="Run as of this date (YYYY-MM-DD) instead of the current UTC date.",
        )

    def handle(self, *args, **options) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError("--today: use the format YYYY-MM-DD.") from error
        result = relay_advance(today=today)
        self.stdout.write(
            f"Relays sent: {result.sent}; follow-up questions asked: {result.follow_ups}."
        )

"""Recompute every stored match list now (after loading data, or changing the model)."""

import time

from django.core.management.base import BaseCommand

from icahub.assistance import matching


class Command(BaseCommand):
    help = "Recompute the ranked matches of every open need and every open offer."

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = matching.recompute_all()
        self.stdout.write(
            f"Matches recomputed for {result.needs} open needs and {result.offers} open offers "
            f"({result.rows} list lines) in {time.perf_counter() - started:.1f} s."
        )

"""Write the performance benchmarks' data set (see ``icahub/web/benchmark_data.py``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from icahub.web import benchmark_data


class Command(BaseCommand):
    help = (
        "Generate the benchmark data set, labelled [bench]: at --scale 1, 165 states x 15 "
        "years of reports, 20,000 needs, 20,000 offers, 100,000 funding flows, 50 coalitions "
        "and 1,000 users, with the matching lists. Refuses to run on a database holding "
        "non-benchmark needs, offers, flows, coalitions or reports unless --force; does "
        "nothing when benchmark data is already there. Never run it on a production database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Size factor (1 = the benchmark size)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Generate even though the database holds non-benchmark (real or demo) data.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")

    def handle(self, *args, scale: float, force: bool, seed: int, **options) -> None:
        try:
            counts = benchmark_data.Counts.for_scale(scale)
        except ValueError as error:
            raise CommandError(f"--scale: {error}") from error
        if options["verbosity"] > 0:
            self.stdout.write(
                "Generating benchmark data at scale "
                f"{scale:g}: {benchmark_data.counts_as_dict(counts)}"
            )
        try:
            result = benchmark_data.generate(
                scale,
                force=force,
                seed=seed,
                progress=(lambda line: self.stdout.write(f"  {line}"))
                if options["verbosity"] > 1
                else None,
            )
        except benchmark_data.RealDataPresent as error:
            raise CommandError(
                f"This database holds data that is not benchmark data ({error}). The "
                "benchmark data set is only written into a database of its own; use --force "
                "to write it anyway."
            ) from error
        if not result.created:
            self.stdout.write(f"Benchmark data is already present ({result.counts}): nothing done.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Benchmark data written in {result.seconds:.1f} s: {result.counts}")
        )
        if options["verbosity"] > 0:
            steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.steps.items())
            self.stdout.write(f"  steps: {steps}")

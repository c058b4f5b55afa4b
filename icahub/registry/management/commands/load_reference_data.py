from django.core.management.base import BaseCommand

from icahub.obligations.reference import load_obligations
from icahub.registry.reference import LoadReport, load_registry


class Command(BaseCommand):
    help = (
        "Load the public reference data in reference/ (conventions, states, memberships, "
        "organisations, CCM obligations). Safe to run again: it only adds or updates."
    )

    def handle(self, *args, **options) -> None:
        report = LoadReport()
        load_registry(report)
        load_obligations(report)
        kinds = sorted(set(report.created) | set(report.updated))
        summary = ", ".join(
            f"{kind}: {report.created.get(kind, 0)} added, {report.updated.get(kind, 0)} updated"
            for kind in kinds
        )
        self.stdout.write(f"Reference data loaded ({summary or 'nothing to change'}).")

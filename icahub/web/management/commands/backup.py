"""Write a backup archive: every table and every uploaded file (see icahub/web/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from icahub.web import backups


class Command(BaseCommand):
    help = (
        "Write a consistent, versioned backup archive (tar.gz) of the whole database and of "
        "the uploaded files. Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            help=(
                "the archive to write (a new file), or a directory to write "
                "icahub-backup-<UTC time>.tar.gz into; default: the current directory"
            ),
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, **options) -> None:
        self.verbosity = options["verbosity"]
        output = Path(options["output"] or ".")
        if output.is_dir():
            output = backups.default_output(output)
        try:
            outcome = backups.write_backup(output, using=options["database"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        report_outcome(
            self,
            outcome,
            per_model="rows",
            summary=(
                f"Backup written to {outcome.path} "
                f"({outcome.path.stat().st_size / 1e6:.1f} MB): "
                f"{outcome.rows} rows of {len(outcome.models)} tables, {outcome.files} files "
                f"({outcome.file_bytes / 1e6:.1f} MB), in {outcome.seconds:.1f} s."
            ),
        )


def report_outcome(command: BaseCommand, outcome, *, per_model: str, summary: str) -> None:
    """What `backup` and `restore` print: each table with -v 2, warnings on stderr, the
    summary line, and the tables left out of the archive."""
    if command.verbosity > 1:
        for model in outcome.models:
            command.stdout.write(f"  {model.label}: {model.rows} {per_model}")
    for warning in outcome.warnings:
        command.stderr.write(f"Warning: {warning}")
    command.stdout.write(summary)
    for label, reason in outcome.excluded.items():
        command.stdout.write(f"Not in the archive: {label} ({reason}).")

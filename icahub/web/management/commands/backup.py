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
        output = Path(options["output"] or ".")
        if output.is_dir():
            output = backups.default_output(output)
        try:
            outcome = backups.write_backup(output, using=options["database"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(m.rows for m in outcome.models)
        if options["verbosity"] > 1:
            for model in outcome.models:
                self.stdout.write(f"  {model.label}: {model.rows} rows")
        for warning in outcome.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(
            f"Backup written to {outcome.path} ({outcome.path.stat().st_size / 1e6:.1f} MB): "
            f"{rows} rows of {len(outcome.models)} tables, {outcome.files} files "
            f"({outcome.file_bytes / 1e6:.1f} MB), in {outcome.seconds:.1f} s."
        )
        for label, reason in outcome.excluded.items():
            self.stdout.write(f"Not in the archive: {label} ({reason}).")

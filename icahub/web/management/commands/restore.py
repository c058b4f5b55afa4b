"""Restore a backup archive into an empty, migrated database (see icahub/web/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from icahub.web import backups


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into an empty database migrated to "
        "the same state, and its files into empty file directories. All or nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="the .tar.gz written by manage.py backup")
        parser.add_argument("--database", default="default", help="database alias")
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="only check that the archive is complete and intact; change nothing",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["archive"])
        try:
            if options["verify_only"]:
                manifest = backups.verify_archive(path)
                rows = sum(entry["rows"] for entry in manifest["models"])
                self.stdout.write(
                    f"{path} is intact: backup format {manifest['format_version']}, made "
                    f"{manifest['created_at']} by icahub {manifest['app_version']} on "
                    f"{manifest['database_vendor']}; {rows} rows of "
                    f"{len(manifest['models'])} tables, {len(manifest['files'])} members."
                )
                return
            outcome = backups.restore_backup(path, using=options["database"])
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(m.rows for m in outcome.models)
        if options["verbosity"] > 1:
            for model in outcome.models:
                self.stdout.write(f"  {model.label}: {model.rows} rows, checksum matches")
        for warning in outcome.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(
            f"Restored {path} (made {outcome.manifest['created_at']} by icahub "
            f"{outcome.manifest['app_version']}): {rows} rows of {len(outcome.models)} tables "
            f"and {outcome.files} files ({outcome.file_bytes / 1e6:.1f} MB), every count and "
            f"checksum verified, in {outcome.seconds:.1f} s."
        )
        for label, reason in outcome.excluded.items():
            self.stdout.write(f"Not in the archive: {label} ({reason}).")

"""Restore a backup archive into an empty, migrated database (see icahub/web/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from icahub.web import backups
from icahub.web.management.commands.backup import report_outcome


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
        self.verbosity = options["verbosity"]
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
        report_outcome(
            self,
            outcome,
            per_model="rows, checksum matches",
            summary=(
                f"Restored {path} (made {outcome.manifest['created_at']} by icahub "
                f"{outcome.manifest['app_version']}): {outcome.rows} rows of "
                f"{len(outcome.models)} tables and {outcome.files} files "
                f"({outcome.file_bytes / 1e6:.1f} MB), every count and checksum verified, "
                f"in {outcome.seconds:.1f} s."
            ),
        )

"""Compile locale/*/LC_MESSAGES/*.po into .mo files with polib (pure Python).

Django's own compilemessages needs GNU gettext's msgfmt on the machine; this command needs
nothing outside the virtualenv, so `make run` works on a fresh machine. Fuzzy entries are
left out, as msgfmt does.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the project's .po translation catalogues into .mo files."

    def handle(self, *args, **options) -> None:
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                try:
                    catalogue = polib.pofile(str(po_path))
                except OSError as error:
                    raise CommandError(f"{po_path}: {error}") from error
                for entry in catalogue.fuzzy_entries():
                    catalogue.remove(entry)
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                compiled += 1
                self.stdout.write(
                    f"{po_path.parent.parent.name}: {catalogue.percent_translated()}% translated",
                )
        if not compiled:
            raise CommandError("No .po catalogue found under LOCALE_PATHS.")

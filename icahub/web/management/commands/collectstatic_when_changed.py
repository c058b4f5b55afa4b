"""Run ``collectstatic`` only when the static files changed since the last run.

Compressing and hashing every file (the admin's, Swagger UI's, ours) takes minutes on a
small server; `make serve` calls this at every start. The fingerprint covers each source
file's path, size and content and the storage backend; it is kept next to the collected
files, so deleting STATIC_ROOT forces a full run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import BaseCommand, call_command

STAMP_NAME = ".icahub-collectstatic"


def fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    files = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            files.append((path, storage.path(path)))
    for path, full_path in sorted(files):
        digest.update(path.encode() + b"\0")
        with open(full_path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


class Command(BaseCommand):
    help = "collectstatic --noinput, skipped when no static file changed since the last run."

    def handle(self, *args, **options):
        root = Path(settings.STATIC_ROOT)
        stamp = root / STAMP_NAME
        current = fingerprint()
        manifest = root / "staticfiles.json"
        needs_manifest = "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]
        if stamp.exists() and stamp.read_text().strip() == current:
            if manifest.exists() or not needs_manifest:
                self.stdout.write("Static files unchanged: collectstatic skipped.")
                return
        call_command("collectstatic", interactive=False, verbosity=options["verbosity"] - 1)
        stamp.write_text(current + "\n")
        self.stdout.write(f"Static files collected into {root}.")

"""Backup archives: every row of the database and every uploaded file in one versioned tar.gz.

``write_backup`` reads the whole database in one read-only transaction (REPEATABLE READ on
PostgreSQL, so every table is read from the same snapshot) and writes, into a temporary file
beside the output that is renamed into place only once complete::

    data/<app_label>.<model_name>.jsonl   one JSON object per row ({column attname: value}),
                                           in primary-key order, one file per model
    files/<root>/<path>                    every file under each file root (FILE_ROOTS)
    manifest.json                          what is in the archive (last member)

The manifest holds the format version, the icahub version, when and from which database
vendor it was made, the applied migrations of every app, and per model its fields, row
count and a checksum of its rows; and every member file with its size and SHA-256.

``restore_backup`` brings an archive back into an empty, migrated database: it refuses
before writing anything unless the archive is intact (every member's SHA-256), of a format
it reads, made at exactly the database's migration state, and the database and the file
roots hold no data of their own. Rows are inserted in one transaction and read back and
checked against the manifest's counts and checksums before the transaction commits; files
are put in place last and taken away again if anything fails. Nothing is left
half-written.

Values are encoded faithfully: JSON types as they are, decimals, dates, times, UUIDs and
durations as strings Django's fields parse back (``Field.to_python``), binary as base64.
Rows are inserted with plain SQL, not through models, so ``auto_now`` fields, ``save()`` and
signals (history, notifications, matching) play no part: what comes back is what was read.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Value
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT = "icahub-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH = 1000

# Not in an archive, and why:
EXCLUDED_MODELS = {
    # Signed-in sessions: restoring them would revive sign-ins (even ones signed out since);
    # after a restore everyone signs in again.
    "sessions.session": "sign-in sessions are not kept: users sign in again after a restore",
    # Queued and finished background tasks: a task caught running would stay "running"
    # forever, and every task rebuilds derived data; run `manage.py matching_recompute`
    # after a restore instead.
    "django_tasks_database.dbtaskresult": (
        "background task results are not kept: run manage.py matching_recompute after a restore"
    ),
    # Which worker processes were alive: true of this machine, at this moment only.
    "worker.workerheartbeat": "worker heartbeats describe running processes, not data",
}

# Rows that `migrate` itself creates (post_migrate): present in every freshly migrated
# database. A restore replaces them with the archive's rows, so that the ids other rows
# refer to (history, permissions, admin log) stay the same.
SEEDED_BY_MIGRATE = ("auth.permission", "contenttypes.contenttype")


def _coalition_documents_root() -> Path:
    from icahub.coalitions.models import documents_root

    return documents_root()


def _import_files_root() -> Path:
    from icahub.imports.models import files_root

    return files_root()


# Every directory uploaded files live in, by a name that stays the same from one machine
# to the next. A FileField whose storage is elsewhere stops a backup (see `_check_storages`).
# One root may lie inside another (by default the import files are under the coalition
# documents' directory): each file is archived once, under the innermost root.
FILE_ROOTS: dict[str, Callable[[], Path]] = {
    "media": lambda: Path(settings.MEDIA_ROOT),
    "coalition-documents": _coalition_documents_root,
    "import-files": _import_files_root,
}


class BackupError(Exception):
    """A backup or a restore that cannot go ahead; the message says why, for the operator."""


@dataclass
class ModelSummary:
    label: str
    rows: int
    checksum: str


@dataclass
class Outcome:
    path: Path
    models: list[ModelSummary]
    files: int
    file_bytes: int
    seconds: float
    manifest: dict[str, Any]
    excluded: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(model.rows for model in self.models)


# --- which models, in which order ---------------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete table Django manages (auto-created many-to-many tables and history
    tables included), except EXCLUDED_MODELS, parents before the rows that refer to them."""
    candidates = {
        model._meta.label_lower: model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model._meta.label_lower not in EXCLUDED_MODELS
    }
    return _dependency_order(candidates)


def _dependency_order(candidates: dict[str, type[models.Model]]) -> list[type[models.Model]]:
    depends = {
        label: {
            f.related_model._meta.concrete_model._meta.label_lower
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is not None
        }
        & candidates.keys() - {label}
        for label, model in candidates.items()
    }
    ordered: list[str] = []
    done: set[str] = set()
    remaining = sorted(candidates)
    while remaining:
        ready = [label for label in remaining if depends[label] <= done]
        # A cycle (none today): take the first remaining; foreign keys are checked at the end
        # of the restore's transaction, so the order only matters for readability.
        for label in ready or remaining[:1]:
            ordered.append(label)
            done.add(label)
        remaining = [label for label in remaining if label not in done]
    return [candidates[label] for label in ordered]


# --- encoding rows -----------------------------------------------------------------------


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"Cannot encode {type(value).__name__} in a backup")


def _encode_row(attnames: list[str], values: tuple) -> bytes:
    # sort_keys: JSON values compare the same whatever order the database keeps their keys
    # in (PostgreSQL's jsonb reorders them), so a row's checksum survives a round trip.
    row = dict(zip(attnames, values, strict=True))
    return json.dumps(row, default=_encode_value, ensure_ascii=False, sort_keys=True).encode()


class RowChecksum:
    """A checksum of a set of rows that does not depend on their order (a database may list
    text primary keys in another collation): the sum of the rows' SHA-256 values."""

    def __init__(self) -> None:
        self.total = 0
        self.rows = 0

    def add(self, line: bytes) -> None:
        self.total = (self.total + int.from_bytes(hashlib.sha256(line).digest(), "big")) % (
            1 << 256
        )
        self.rows += 1

    def hexdigest(self) -> str:
        return f"{self.total:064x}"


def _rows(model: type[models.Model], using: str) -> Iterator[bytes]:
    attnames = [f.attname for f in model._meta.concrete_fields]
    queryset = model._base_manager.using(using).order_by("pk").values_list(*attnames)
    for values in queryset.iterator(chunk_size=BATCH):
        yield _encode_row(attnames, values)


def table_summary(model: type[models.Model], using: str = "default") -> ModelSummary:
    """Row count and checksum of one table as it is in the database now."""
    checksum = RowChecksum()
    for line in _rows(model, using):
        checksum.add(line)
    return ModelSummary(model._meta.label_lower, checksum.rows, checksum.hexdigest())


# --- backup ------------------------------------------------------------------------------


def app_version() -> str:
    try:
        return importlib.metadata.version("icahub")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        return "unknown"


def migration_state(using: str = "default") -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connections[using]).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app_label: sorted(names) for app_label, names in sorted(applied.items())}


@contextmanager
def read_snapshot(using: str = "default") -> Iterator[None]:
    """One read-only transaction for the whole backup: on PostgreSQL REPEATABLE READ, so
    every table is read as it was at the first query; on SQLite a transaction already reads
    one consistent state. Inside a transaction someone else opened (a test, a script), the
    backup reads in that one."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _check_storages(models_: list[type[models.Model]]) -> None:
    roots = {os.path.abspath(root()) for root in FILE_ROOTS.values()}
    for model in models_:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                storage = f.storage
                if not isinstance(storage, FileSystemStorage) or (
                    os.path.abspath(storage.location) not in roots
                ):
                    raise BackupError(
                        f"{model._meta.label}.{f.name} keeps its files where backups do not "
                        "look: add its directory to FILE_ROOTS in icahub/web/backups.py."
                    )


def _referenced_files(models_: list[type[models.Model]], using: str) -> list[tuple[str, str]]:
    """(root name, path) of every file a row refers to."""
    root_names = {os.path.abspath(root()): name for name, root in FILE_ROOTS.items()}
    referenced = []
    for model in models_:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                root_name = root_names[os.path.abspath(f.storage.location)]
                names = model._base_manager.using(using).exclude(**{f.attname: ""})
                for name in names.values_list(f.attname, flat=True).distinct():
                    if name:
                        referenced.append((root_name, name))
    return referenced


def _files_under(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


class _HashingReader(io.RawIOBase):
    """Reads a file into the archive and hashes exactly the bytes that went in."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        self.sha256.update(chunk)
        return chunk


def _add_file(archive: tarfile.TarFile, name: str, source: Path) -> dict[str, Any]:
    with source.open("rb") as raw:
        size = os.fstat(raw.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = int(os.fstat(raw.fileno()).st_mtime)
        info.mode = 0o600
        reader = _HashingReader(raw)
        archive.addfile(info, reader)
    return {"path": name, "size": size, "sha256": reader.sha256.hexdigest()}


def default_output(directory: Path) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return directory / f"icahub-backup-{stamp}.tar.gz"


def write_backup(output: Path, *, using: str = "default") -> Outcome:
    """Write the archive to ``output`` (a new file, readable by its owner only: it holds
    password hashes and private drafts)."""
    started = time.perf_counter()
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} exists already: choose another name.")
    if not output.parent.is_dir():
        raise BackupError(f"{output.parent} is not a directory.")
    for root_name, root in FILE_ROOTS.items():
        if output.resolve().is_relative_to(Path(root()).resolve()):
            raise BackupError(
                f"{output} is inside the {root_name} directory, which the archive holds: "
                "write it elsewhere."
            )
    connection = connections[using]
    models_ = backed_up_models()
    _check_storages(models_)
    warnings: list[str] = []

    with tempfile.TemporaryDirectory(prefix=".icahub-backup-", dir=output.parent) as staging:
        staging_dir = Path(staging)
        model_entries = []
        with read_snapshot(using):
            migrations = migration_state(using)
            for model in models_:
                member = f"data/{model._meta.label_lower}.jsonl"
                checksum = RowChecksum()
                with (staging_dir / member.replace("/", "_")).open("wb") as out:
                    for line in _rows(model, using):
                        checksum.add(line)
                        out.write(line + b"\n")
                model_entries.append(
                    {
                        "label": model._meta.label_lower,
                        "table": model._meta.db_table,
                        "fields": [f.attname for f in model._meta.concrete_fields],
                        "member": member,
                        "rows": checksum.rows,
                        "checksum": checksum.hexdigest(),
                    }
                )
            referenced = _referenced_files(models_, using)

        # Files are read after the snapshot: one uploaded since is kept (it harms nothing),
        # one deleted since is missing from the archive and named in the manifest.
        partial = staging_dir / "archive.tar.gz"
        files = []
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            for entry in model_entries:
                files.append(
                    _add_file(
                        archive, entry["member"], staging_dir / entry["member"].replace("/", "_")
                    )
                )
            present = set()
            bases = {name: Path(root()).resolve() for name, root in FILE_ROOTS.items()}
            for root_name, base in bases.items():
                inner = [
                    other
                    for other in bases.values()
                    if other != base and other.is_relative_to(base)
                ]
                for path in _files_under(base):
                    if any(path.is_relative_to(other) for other in inner):
                        continue
                    relative = path.relative_to(base).as_posix()
                    present.add((root_name, relative))
                    files.append(_add_file(archive, f"files/{root_name}/{relative}", path))
            missing = sorted(f"{root}/{name}" for root, name in set(referenced) - present)
            for name in missing:
                warnings.append(f"referenced by a row but missing on disk: {name}")
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "app_version": app_version(),
                "created_at": timezone.now().isoformat(),
                "database_vendor": connection.vendor,
                "migrations": migrations,
                "models": model_entries,
                "excluded_models": {
                    label: reason
                    for label, reason in EXCLUDED_MODELS.items()
                    if _model_or_none(label) is not None
                },
                "file_roots": sorted(FILE_ROOTS),
                "files": files,
                "missing_files": missing,
            }
            body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(time.time())
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(body))
        os.chmod(partial, 0o600)
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, output)

    data_files = {entry["member"] for entry in model_entries}
    uploaded = [f for f in files if f["path"] not in data_files]
    return Outcome(
        path=output,
        models=[ModelSummary(e["label"], e["rows"], e["checksum"]) for e in model_entries],
        files=len(uploaded),
        file_bytes=sum(f["size"] for f in uploaded),
        seconds=time.perf_counter() - started,
        manifest=manifest,
        excluded=manifest["excluded_models"],
        warnings=warnings,
    )


def _model_or_none(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# --- restore -----------------------------------------------------------------------------


def _read_archive(path: Path, staging: Path) -> dict[str, Any]:
    """Extract the archive's members into ``staging`` (under names of our own making, never
    the archive's) and check each against the manifest. Returns the manifest."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    corrupt = f"{path} is not a readable icahub backup (damaged or not a backup archive)"
    extracted: dict[str, tuple[Path, str, int]] = {}
    manifest_bytes = None
    try:
        with tarfile.open(path, "r:gz") as archive:
            for index, member in enumerate(archive):
                if not member.isfile():
                    raise BackupError(f"{corrupt}: unexpected member {member.name!r}.")
                if member.name == MANIFEST:
                    source = archive.extractfile(member)
                    manifest_bytes = source.read() if source else b""
                    continue
                target = staging / f"member-{index}"
                digest = hashlib.sha256()
                size = 0
                source = archive.extractfile(member)
                if source is None:
                    raise BackupError(f"{corrupt}: unreadable member {member.name!r}.")
                with target.open("wb") as out:
                    while chunk := source.read(1 << 20):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                extracted[member.name] = (target, digest.hexdigest(), size)
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise BackupError(f"{corrupt}: {error}.") from error
    if manifest_bytes is None:
        raise BackupError(f"{corrupt}: it has no {MANIFEST}.")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise BackupError(f"{corrupt}: its {MANIFEST} is not valid JSON.") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{corrupt}: its {MANIFEST} is not an icahub backup manifest.")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(
            f"{path} is in backup format version {version}; this icahub reads version "
            f"{FORMAT_VERSION} only. Restore it with the icahub version that made it "
            f"({manifest.get('app_version', 'unknown')})."
        )
    if not _well_formed(manifest):
        raise BackupError(f"{corrupt}: its {MANIFEST} is incomplete.")
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for name in sorted(set(listed) | set(extracted)):
        if name not in extracted:
            raise BackupError(f"{corrupt}: {name} is listed in the manifest but missing.")
        if name not in listed:
            raise BackupError(f"{corrupt}: {name} is not listed in the manifest.")
        _, digest, size = extracted[name]
        if digest != listed[name]["sha256"] or size != listed[name]["size"]:
            raise BackupError(f"{corrupt}: {name} does not match its SHA-256 in the manifest.")
        _safe_member_path(name, manifest, corrupt)
    manifest["_staged"] = {name: str(entry[0]) for name, entry in extracted.items()}
    return manifest


def _well_formed(manifest: dict[str, Any]) -> bool:
    def entries(key: str, fields: dict[str, type | tuple[type, ...]]) -> bool:
        value = manifest.get(key)
        return isinstance(value, list) and all(
            isinstance(entry, dict)
            and all(isinstance(entry.get(name), kind) for name, kind in fields.items())
            for entry in value
        )

    migrations = manifest.get("migrations")
    if not (
        isinstance(migrations, dict)
        and all(
            isinstance(names, list) and all(isinstance(n, str) for n in names)
            for names in migrations.values()
        )
        and entries("files", {"path": str, "size": int, "sha256": str})
        and entries(
            "models", {"label": str, "fields": list, "member": str, "rows": int, "checksum": str}
        )
        and isinstance(manifest.get("missing_files", []), list)
    ):
        return False
    files = {entry["path"] for entry in manifest["files"]}
    return all(entry["member"] in files for entry in manifest["models"])


def _safe_member_path(name: str, manifest: dict[str, Any], corrupt: str) -> None:
    parts = PurePosixPath(name).parts
    if name.startswith("/") or ".." in parts or len(parts) < 2:
        raise BackupError(f"{corrupt}: unsafe member name {name!r}.")
    if parts[0] == "files" and (len(parts) < 3 or parts[1] not in FILE_ROOTS):
        raise BackupError(f"{corrupt}: {name!r} is not under a known file root.")
    if parts[0] not in ("files", "data"):
        raise BackupError(f"{corrupt}: unexpected member {name!r}.")


def _check_compatible(manifest: dict[str, Any], using: str) -> dict[str, type[models.Model]]:
    here = migration_state(using)
    there = manifest["migrations"]
    ours = {(app, name) for app, names in here.items() for name in names}
    theirs = {(app, name) for app, names in there.items() for name in names}
    if ours != theirs:
        lines = []
        if theirs - ours:
            lines.append(
                "The archive was made after migrations this database does not have: "
                + ", ".join(f"{a}.{n}" for a, n in sorted(theirs - ours))
                + ". Upgrade icahub to the archive's version "
                f"({manifest.get('app_version')}) and run `manage.py migrate` first."
            )
        if ours - theirs:
            lines.append(
                "This database has migrations the archive was not made with: "
                + ", ".join(f"{a}.{n}" for a, n in sorted(ours - theirs))
                + ". Restore into a database migrated by the icahub version that made the "
                f"archive ({manifest.get('app_version')}), then upgrade and migrate."
            )
        raise BackupError("The archive does not fit this database's schema. " + " ".join(lines))
    by_label = {}
    for entry in manifest["models"]:
        model = _model_or_none(entry["label"])
        if model is None:
            raise BackupError(f"The archive holds {entry['label']}, which this icahub lacks.")
        attnames = [f.attname for f in model._meta.concrete_fields]
        if attnames != entry["fields"]:
            raise BackupError(
                f"The archive's {entry['label']} has the fields {entry['fields']}; this "
                f"database's has {attnames}."
            )
        by_label[entry["label"]] = model
    missing = {m._meta.label_lower for m in backed_up_models()} - by_label.keys()
    if missing:
        raise BackupError(f"The archive lacks tables this icahub has: {sorted(missing)}.")
    return by_label


def _check_empty(using: str) -> None:
    held = [
        model._meta.label
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model._meta.label_lower not in SEEDED_BY_MIGRATE
        and model._base_manager.using(using).exists()
    ]
    if held:
        raise BackupError(
            "The database is not empty: it has rows in "
            + ", ".join(held[:8])
            + (f" and {len(held) - 8} more tables" if len(held) > 8 else "")
            + ". Restore into a new, migrated database (createdb, then manage.py migrate)."
        )


def _planned_files(manifest: dict[str, Any]) -> list[tuple[Path, Path]]:
    """(staged file, final place) of every uploaded file; refuses if a different file is
    already where one would go."""
    roots = {name: Path(root()) for name, root in FILE_ROOTS.items()}
    plan = []
    for name, staged in manifest["_staged"].items():
        parts = PurePosixPath(name).parts
        if parts[0] != "files":
            continue
        target = roots[parts[1]].joinpath(*parts[2:])
        if target.exists():
            if not target.is_file() or _sha256(target) != _sha256(Path(staged)):
                raise BackupError(
                    f"{target} exists already with other content: restore into empty "
                    "file directories (MEDIA_ROOT, coalition documents, import files)."
                )
            continue
        plan.append((Path(staged), target))
    return plan


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _insert(model: type[models.Model], staged: Path, using: str) -> int:
    connection = connections[using]
    fields = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    # Names come from the model's metadata (quoted), values go as parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    # A JSON field that may not be NULL reads back JSON null as None: write JSON null.
    json_null = {
        f.attname: f.get_db_prep_save(Value(None, output_field=f), connection)
        for f in fields
        if isinstance(f, models.JSONField) and not f.null
    }

    def values(line: bytes) -> list[Any]:
        row = json.loads(line)
        return [
            f.get_db_prep_save(f.to_python(row[f.attname]), connection)
            if row[f.attname] is not None
            else json_null.get(f.attname)
            for f in fields
        ]

    if connection.vendor == "postgresql":
        # COPY is several times faster than INSERTs and checks the same constraints.
        copy_sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
        )
        count = 0
        with staged.open("rb") as lines, connection.cursor() as cursor:
            with cursor.cursor.copy(copy_sql) as copy:
                for line in lines:
                    copy.write_row(values(line))
                    count += 1
        return count

    count = 0
    batch: list[list[Any]] = []
    with staged.open("rb") as lines, connection.cursor() as cursor:
        for line in lines:
            batch.append(values(line))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _place_files(plan: list[tuple[Path, Path]], placed: list[Path], made: list[Path]) -> None:
    for staged, target in plan:
        missing_dirs = []
        parent = target.parent
        while not parent.exists():
            missing_dirs.append(parent)
            parent = parent.parent
        for directory in reversed(missing_dirs):
            directory.mkdir()
            made.append(directory)
        partial = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(staged, partial)
        os.replace(partial, target)
        placed.append(target)


def _undo_files(placed: list[Path], made: list[Path]) -> None:
    for path in placed:
        path.unlink(missing_ok=True)
    for directory in reversed(made):
        try:
            directory.rmdir()
        except OSError:
            pass


def verify_archive(path: Path) -> dict[str, Any]:
    """Check an archive without restoring it: readable, every member matching its SHA-256,
    a format this icahub reads. Returns the manifest."""
    with tempfile.TemporaryDirectory(prefix=".icahub-verify-") as staging:
        manifest = _read_archive(Path(path), Path(staging))
    manifest.pop("_staged")
    return manifest


def restore_backup(path: Path, *, using: str = "default") -> Outcome:
    started = time.perf_counter()
    path = Path(path)
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix=".icahub-restore-") as staging:
        manifest = _read_archive(path, Path(staging))
        by_label = _check_compatible(manifest, using)
        _check_empty(using)
        plan = _planned_files(manifest)
        placed: list[Path] = []
        made: list[Path] = []
        summaries = []
        try:
            with transaction.atomic(using=using):
                _check_empty(using)
                with connection.cursor() as cursor:
                    for label in SEEDED_BY_MIGRATE:
                        table = apps.get_model(label)._meta.db_table
                        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
                for entry in manifest["models"]:
                    model = by_label[entry["label"]]
                    _insert(model, Path(manifest["_staged"][entry["member"]]), using)
                # Every foreign key must point at a row now, not only at commit.
                connection.check_constraints()
                for statement in connection.ops.sequence_reset_sql(
                    no_style(), list(by_label.values())
                ):
                    with connection.cursor() as cursor:
                        cursor.execute(statement)
                for entry in manifest["models"]:
                    summary = table_summary(by_label[entry["label"]], using)
                    if (summary.rows, summary.checksum) != (entry["rows"], entry["checksum"]):
                        raise BackupError(
                            f"{entry['label']}: {summary.rows} rows read back, the archive "
                            f"holds {entry['rows']}, or their content differs; nothing was "
                            "restored."
                        )
                    summaries.append(summary)
                _place_files(plan, placed, made)
        except DatabaseError as error:
            _undo_files(placed, made)
            raise BackupError(
                f"The database refused the archive's rows ({error}); nothing was restored."
            ) from error
        except BaseException:
            _undo_files(placed, made)
            raise
        finally:
            ContentType.objects.clear_cache()
    uploaded = [f for f in manifest["files"] if f["path"].startswith("files/")]
    return Outcome(
        path=path,
        models=summaries,
        files=len(uploaded),
        file_bytes=sum(f["size"] for f in uploaded),
        seconds=time.perf_counter() - started,
        manifest=manifest,
        excluded=manifest.get("excluded_models", {}),
        warnings=[
            f"missing from the archive: {name}" for name in manifest.get("missing_files", [])
        ],
    )

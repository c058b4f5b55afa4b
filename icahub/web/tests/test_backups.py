"""`manage.py backup` and `manage.py restore`: a round trip gives back every row of every
table and every uploaded file byte for byte; a restore refuses, changing nothing, a database
with data, a damaged archive, another format version or another migration state.

The round trip runs on whichever database the suite runs on (SQLite or PostgreSQL): the test
database is flushed (as good as a freshly migrated one: only the rows `migrate` creates, with
new ids) and the archive restored into it, inside the test's transaction.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from rest_framework.authtoken.models import Token

from icahub.accounts.models import User
from icahub.assistance.models import Need, TextEmbedding
from icahub.assistance.services import need_attach_evidence
from icahub.coalitions.models import Coalition
from icahub.coalitions.services import document_upload
from icahub.registry.models import State
from icahub.web import backups

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Title (\xd8\xa7\xd9\x84\xd8\xae\xd8\xb7\xd8\xa9) >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4 + b"\x00\x00\x00\x00IEND\xaeB`\x82"


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    """A restore gives content types new ids (PostgreSQL's sequences move on); the rollback
    after the test brings the old ids back, so the process-wide ContentType cache must not
    keep the restored ones for the tests that run next in this worker."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def file_roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.COALITION_DOCUMENTS_ROOT = tmp_path / "media-private"
    settings.IMPORT_FILES_ROOT = ""  # the default: <MEDIA_ROOT>-private/imports, nested
    return [Path(settings.MEDIA_ROOT), Path(settings.COALITION_DOCUMENTS_ROOT)]


def _every_row() -> dict[str, list[tuple]]:
    """Every column of every row of every table an archive holds, read through the ORM
    (not through the archive's own encoding)."""
    rows = {}
    for model in backups.backed_up_models():
        attnames = [f.attname for f in model._meta.concrete_fields]
        rows[model._meta.label_lower] = list(
            model._base_manager.order_by("pk").values_list(*attnames)
        )
    return rows


def _every_file(roots: list[Path]) -> dict[str, bytes]:
    return {
        f"{root.name}/{path.relative_to(root).as_posix()}": path.read_bytes()
        for root in roots
        if root.exists()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _put(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _backup(tmp_path: Path, name: str = "backup.tar.gz") -> Path:
    archive = tmp_path / name
    call_command("backup", output=str(archive), stdout=io.StringIO())
    return archive


def _flush() -> None:
    """Empty every table, as a freshly migrated database is (migrate's own rows only)."""
    if connection.vendor == "postgresql":
        # TRUNCATE refuses tables with foreign-key checks still pending in the transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    ContentType.objects.clear_cache()


def _rewrite(archive: Path, out: Path, *, members=None, manifest=None) -> Path:
    """A copy of the archive with some members' bytes and/or the manifest changed."""
    members = members or {}
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == backups.MANIFEST and manifest:
                loaded = json.loads(data)
                manifest(loaded)
                data = json.dumps(loaded).encode()
            elif member.name in members:
                data = members[member.name](data)
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return out


def _some_data(tmp_path: Path) -> None:
    """Demo data of every app, uploaded files in both file roots, and values that are easy
    to get wrong: right-to-left and astral text, binary, decimals, JSON, a token."""
    call_command("load_demo_data", stdout=io.StringIO())
    isu = User.objects.get(username="isu")
    coalition = Coalition.objects.get()
    document_upload(
        coalition=coalition, title="خطة العمل", file=SimpleUploadedFile("plan.pdf", PDF), user=isu
    )
    need_attach_evidence(
        need=Need.objects.first(), file=SimpleUploadedFile("map.png", PNG), user=isu
    )
    User.objects.create_user(
        username="ar-user",
        first_name="\u200fمنسق\u200f 🌍",
        last_name="O'Brien <script>",
        password="pw-for-tests-only",
    )
    Token.objects.create(user=isu)
    TextEmbedding.objects.create(key="k" * 64, vector=bytes(range(256)))
    store = SessionStore()
    store["who"] = "isu"
    store.create()
    # An unused file under MEDIA_ROOT is kept too (the archive holds the directories whole).
    orphan = Path(backups.FILE_ROOTS["media"]()) / "stray" / "note.txt"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"not referenced by any row\x00\xff")
    # An uploaded import file waiting for the worker (its directory lies inside the
    # coalition documents' one by default: archived once).
    _put(Path(backups.FILE_ROOTS["import-files"]()) / "2026" / "flows.csv", b"donor,amount\n")


def test_round_trip_gives_back_every_row_and_every_file(file_roots, tmp_path):
    # given a database with demo data of every app and files in both file roots
    _some_data(tmp_path)
    rows_before = _every_row()
    files_before = _every_file(file_roots)
    assert len(files_before) == 4
    assert sum(len(rows) for rows in rows_before.values()) > 1000
    empty = [label for label, rows in rows_before.items() if not rows]

    # when it is backed up, the database and file directories emptied, and it is restored
    archive = _backup(tmp_path)
    _flush()
    for root in file_roots:
        for path in sorted(root.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    assert not User.objects.exists()
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    # then every row of every table is back, column for column
    rows_after = _every_row()
    assert rows_after.keys() == rows_before.keys()
    for label, rows in rows_before.items():
        assert rows_after[label] == rows, label
    # and every file, byte for byte
    assert _every_file(file_roots) == files_before
    # and the report says so, and what the archive does not hold
    report = out.getvalue()
    assert "every count and checksum verified" in report
    assert "4 files" in report
    assert "Not in the archive: sessions.session" in report
    assert not Session.objects.exists()
    # and new rows get fresh ids (sequences follow the restored rows)
    user = User.objects.create_user(username="after-restore", password="pw-for-tests-only")
    assert user.pk > max(pk for pk, *_ in rows_before["accounts.user"])
    # (tables empty before stay empty; nothing invented)
    assert all(not rows_after[label] for label in empty)


def test_archive_manifest_describes_its_content(file_roots, tmp_path):
    # given reference data and one private document
    _put(file_roots[1] / "coalitions" / "2026" / "plan.pdf", PDF)

    # when it is backed up
    archive = _backup(tmp_path)

    # then the archive is private to its owner and its manifest says what it holds
    assert archive.stat().st_mode & 0o077 == 0
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile(backups.MANIFEST).read())
        names = tar.getnames()
    assert manifest["format_version"] == backups.FORMAT_VERSION
    assert manifest["database_vendor"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["accounts"]
    labels = [entry["label"] for entry in manifest["models"]]
    assert {"registry.historicalstate", "authtoken.token", "auth.permission"} <= set(labels)
    assert "sessions.session" not in labels
    # parents come before the rows that refer to them
    assert labels.index("registry.state") < labels.index("obligations.obligation")
    state = next(e for e in manifest["models"] if e["label"] == "registry.state")
    assert state["rows"] == State.objects.count()
    documents = [f for f in manifest["files"] if f["path"].startswith("files/coalition-doc")]
    assert [f["sha256"] for f in documents] == [hashlib.sha256(PDF).hexdigest()]
    assert names[-1] == backups.MANIFEST
    assert set(names) == {f["path"] for f in manifest["files"]} | {backups.MANIFEST}


def test_restore_refuses_a_database_with_data(file_roots, tmp_path):
    # given an archive and a database that still has its data
    archive = _backup(tmp_path)
    states = State.objects.count()

    # when it is restored over it
    with pytest.raises(CommandError, match="The database is not empty: it has rows in"):
        call_command("restore", str(archive), stdout=io.StringIO())

    # then nothing changed
    assert State.objects.count() == states


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "not a readable icahub backup"),
        (lambda data: data[:100] + bytes(200) + data[300:], "not a readable icahub backup"),
        (lambda data: b"not a tar.gz at all", "not a readable icahub backup"),
    ],
    ids=["truncated", "overwritten", "not-an-archive"],
)
def test_restore_refuses_a_damaged_archive(file_roots, tmp_path, damage, message):
    # given a damaged archive
    archive = _backup(tmp_path)
    archive.write_bytes(damage(archive.read_bytes()))

    # when it is restored, then it is refused for what it is, before anything else is looked
    # at (the database, which still has its data, is not even the reason)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_restore_refuses_a_member_that_does_not_match_its_checksum(file_roots, tmp_path):
    # given an archive whose states were edited after it was written
    archive = _rewrite(
        _backup(tmp_path),
        tmp_path / "edited.tar.gz",
        members={"data/registry.state.jsonl": lambda data: data.replace(b"Lao", b"Xao")},
    )

    # when it is restored, then it is refused, naming the member
    with pytest.raises(CommandError, match="data/registry.state.jsonl does not match its SHA"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_a_restore_that_fails_half_way_leaves_nothing(file_roots, tmp_path):
    # given an archive with a file, whose states' rows were changed and its file list made
    # to match, so that the damage shows only once the rows are in the database
    User.objects.create_user(username="isu-c", role="isu", password="pw-for-tests-only")
    _put(file_roots[0] / "evidence" / "2026" / "map.png", PNG)
    original = _backup(tmp_path)
    member = "data/registry.state.jsonl"
    with tarfile.open(original, "r:gz") as tar:
        edited = tar.extractfile(member).read().replace(b"Lao", b"Xao")

    def fix_listing(manifest):
        entry = next(f for f in manifest["files"] if f["path"] == member)
        entry["sha256"] = hashlib.sha256(edited).hexdigest()
        entry["size"] = len(edited)

    archive = _rewrite(
        original,
        tmp_path / "edited.tar.gz",
        members={member: lambda _: edited},
        manifest=fix_listing,
    )
    _flush()
    for root in file_roots:
        for path in sorted(root.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()

    # when it is restored
    with pytest.raises(CommandError, match="registry.state: .* content differs; nothing"):
        call_command("restore", str(archive), stdout=io.StringIO())

    # then no row and no file was left behind
    assert not State.objects.exists()
    assert not User.objects.exists()
    assert _every_file(file_roots) == {}


def test_restore_refuses_another_format_version(file_roots, tmp_path):
    # given an archive of a later format
    archive = _rewrite(
        _backup(tmp_path),
        tmp_path / "future.tar.gz",
        manifest=lambda m: m.update(format_version=backups.FORMAT_VERSION + 1),
    )

    # when it is restored, then it is refused with the version named
    with pytest.raises(CommandError, match="backup format version 2; this icahub reads version 1"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_restore_refuses_an_incomplete_manifest(file_roots, tmp_path):
    # given an archive whose manifest lost its list of tables
    archive = _rewrite(
        _backup(tmp_path), tmp_path / "incomplete.tar.gz", manifest=lambda m: m.pop("models")
    )

    # when it is restored, then it is refused (not a traceback)
    with pytest.raises(CommandError, match="manifest.json is incomplete"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_restore_refuses_another_migration_state(file_roots, tmp_path):
    # given an archive made by a later icahub (one more migration) and one by an earlier one
    later = _rewrite(
        _backup(tmp_path),
        tmp_path / "later.tar.gz",
        manifest=lambda m: m["migrations"]["registry"].append("9999_from_the_future"),
    )
    earlier = _rewrite(
        later,
        tmp_path / "earlier.tar.gz",
        manifest=lambda m: m["migrations"].pop("registry"),
    )
    _flush()

    # when they are restored, then both are refused, naming the migrations
    with pytest.raises(CommandError, match=r"migrations this database does not have: .*9999_"):
        call_command("restore", str(later), stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"has migrations the archive was not made with"):
        call_command("restore", str(earlier), stdout=io.StringIO())
    assert not State.objects.exists()


def test_restore_refuses_to_overwrite_a_different_file(file_roots, tmp_path):
    # given an archive with a private document, and another file at its place on disk
    path = file_roots[1] / "coalitions" / "2026" / "plan.pdf"
    _put(path, PDF)
    archive = _backup(tmp_path)
    _flush()
    path.write_bytes(b"%PDF-1.4 another document")

    # when it is restored, then it is refused and the file on disk is kept
    with pytest.raises(CommandError, match="exists already with other content"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert path.read_bytes() == b"%PDF-1.4 another document"
    assert not State.objects.exists()


def test_verify_only_checks_an_archive_without_restoring(file_roots, tmp_path):
    # given an archive
    archive = _backup(tmp_path)
    out = io.StringIO()

    # when it is verified (over a database that has data)
    call_command("restore", str(archive), verify_only=True, stdout=out)

    # then it is reported intact
    assert "is intact: backup format 1" in out.getvalue()


def test_backup_refuses_a_file_field_it_would_not_save(file_roots, tmp_path, monkeypatch):
    # given a storage directory backups do not know of
    monkeypatch.delitem(backups.FILE_ROOTS, "coalition-documents")

    # when a backup is made, then it stops, naming the field, and writes nothing
    with pytest.raises(CommandError, match="coalitions.Document.file keeps its files where"):
        _backup(tmp_path)
    assert list(tmp_path.glob("*.tar.gz")) == []


def test_backup_is_not_written_into_a_directory_it_saves(file_roots, tmp_path):
    file_roots[0].mkdir()
    with pytest.raises(CommandError, match="inside the media directory"):
        call_command("backup", output=str(file_roots[0]), stdout=io.StringIO())
    assert list(file_roots[0].iterdir()) == []


def test_backup_does_not_overwrite_an_archive(file_roots, tmp_path):
    archive = _backup(tmp_path)
    with pytest.raises(CommandError, match="exists already"):
        _backup(tmp_path)
    assert archive.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's isolation levels")
def test_backup_reads_one_repeatable_read_snapshot_on_postgresql():
    # given a connection of its own (outside the test's transaction), as the command has
    probe = connections.create_connection("default")
    connections["backup_probe"] = probe
    try:
        # when the backup's snapshot is open
        with backups.read_snapshot("backup_probe"), probe.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            isolation = cursor.fetchone()[0]
            cursor.execute("SHOW transaction_read_only")
            read_only = cursor.fetchone()[0]
    finally:
        probe.close()
        del connections["backup_probe"]

    # then every table is read from one snapshot, and nothing can be written
    assert (isolation, read_only) == ("repeatable read", "on")

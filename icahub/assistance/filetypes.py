"""Which evidence files a need accepts, told from their content (magic bytes), never from
their name: a renamed executable or a zip posing as a Word document is refused.

Pure functions over a binary file object; ``services.need_attach_evidence`` uses them.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("pdf", "PDF", "application/pdf", (".pdf",))
PNG = FileType("png", "PNG", "image/png", (".png",))
JPEG = FileType("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg"))
DOCX = FileType(
    "docx",
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = FileType(
    "xlsx",
    "XLSX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
ALLOWED = (PDF, PNG, JPEG, DOCX, XLSX)


def _office_type(stream: IO[bytes]) -> FileType | None:
    """A DOCX or XLSX is a zip holding word/ or xl/ parts (Office Open XML, ECMA-376)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    return None


def detect(stream: IO[bytes]) -> FileType | None:
    """The allowed type of a file's content, or None. The stream is left at its start."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    try:
        if head.startswith(b"%PDF"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            return _office_type(stream)
        return None
    finally:
        stream.seek(0)


def extension_matches(name: str, file_type: FileType) -> bool:
    """A name with no extension is accepted; one with an extension must agree with the
    content, so the file opens in the right program once downloaded."""
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." not in base.strip("."):
        return True
    return base.lower().endswith(file_type.extensions)

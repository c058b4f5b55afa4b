"""Every file a user sends to icahub passes here first: its size, its type told from its
content, and for Office files (XLSX, DOCX, both zip archives) the archive itself.

One module, used by the forms (``UploadField`` cleans the file), the services (which call
``check`` again, for callers that bypass forms) and the API (``LimitedMultiPartParser``
turns an oversized part into 413). Every refusal is a ``ValidationError`` naming the field.

What is refused, and why:

- more than ``ICAHUB_MAX_UPLOAD_MB`` megabytes. ``LimitedUploadHandler`` counts the bytes
  while the request streams in and stops keeping them past the limit, so an oversized
  upload never reaches memory or disk in full; the form then names the field;
- content that is not one of the types the field accepts, whatever the file's name or the
  content type the browser sent (magic bytes; for XLSX/DOCX the zip's parts);
- old Office files and encrypted Office files (both OLE compound files), zips with
  encrypted entries;
- zip bombs: more than ``MAX_ENTRIES`` entries, a total uncompressed size above
  ``ICAHUB_MAX_UNCOMPRESSED_MB``, an entry that expands more than ``MAX_RATIO`` times, an
  archive nested in an archive nested in an archive. Sizes are those the archive declares,
  and Python's zipfile never inflates an entry past its declared size, so the declared
  totals bound the work; a liar is caught by the CRC check;
- damaged files: a bad CRC, a truncated archive, a PDF without its end marker, a PNG
  without its last chunk, an entry name that climbs out of the archive, an XML part that is
  XML part without a root element;
- XML parts with a DTD, entity declarations or external references (billion laughs,
  external entities): their prolog is parsed with defusedxml, which forbids them.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import DefusedXmlException
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.parsers import MultiPartParser

MAX_ENTRIES = 2000
MAX_RATIO = 200  # deflate reaches ~1,000:1; real spreadsheets stay well under 100:1
RATIO_FLOOR = 1024 * 1024  # small parts may compress very well: judge entries above 1 MB
MAX_NESTING = 1  # an embedded workbook in a document is fine; one inside that is not
CHUNK = 64 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")
OFFICE_SUFFIXES = (".xlsx", ".xlsm", ".docx", ".docm", ".pptx", ".zip")


def max_upload_bytes() -> int:
    return int(settings.ICAHUB_MAX_UPLOAD_MB * 1024 * 1024)


def max_uncompressed_bytes() -> int:
    return int(settings.ICAHUB_MAX_UNCOMPRESSED_MB * 1024 * 1024)


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:g}" if megabytes >= 1 else f"{megabytes:.2g}"


# --- types ----------------------------------------------------------------------------------


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
CSV = FileType("csv", "CSV", "text/csv", (".csv",))
DOCUMENT_TYPES = (PDF, PNG, JPEG, DOCX, XLSX)
TABLE_TYPES = (CSV, XLSX)
SPREADSHEET_TYPES = (XLSX,)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls, and encrypted .docx/.xlsx
ZIP_MAGIC = b"PK\x03\x04"


class Refused(Exception):
    """Why a file is refused, as a translated sentence (the field is added by the caller)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def _accepted_labels(accepted: tuple[FileType, ...]) -> str:
    return ", ".join(file_type.label for file_type in accepted)


def _office_type(names: set[str]) -> FileType | None:
    """A DOCX or XLSX is a zip holding word/ or xl/ parts (Office Open XML, ECMA-376)."""
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _looks_like_text(stream: IO[bytes]) -> bool:
    """CSV: UTF-8 text (a BOM allowed) without NUL bytes. Read in chunks, never whole."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    while chunk := stream.read(CHUNK):
        if b"\x00" in chunk:
            return False
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# --- archives -------------------------------------------------------------------------------


class _Budget:
    """What an archive (and the archives inside it) may still expand to."""

    def __init__(self) -> None:
        self.left = max_uncompressed_bytes()
        self.entries = MAX_ENTRIES

    def take(self, info: zipfile.ZipInfo) -> None:
        self.entries -= 1
        if self.entries < 0:
            raise Refused(
                _("The archive holds more than %(max)s files.") % {"max": MAX_ENTRIES},
                "zip_bomb",
            )
        self.left -= info.file_size
        if self.left < 0:
            raise Refused(
                _("The file is too large once uncompressed (more than %(size)s MB).")
                % {"size": _megabytes(max_uncompressed_bytes())},
                "zip_bomb",
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused(
                _(
                    "The file expands abnormally once uncompressed (a part grows more than "
                    "%(ratio)s times): it looks like a zip bomb."
                )
                % {"ratio": MAX_RATIO},
                "zip_bomb",
            )


class _RootReached(Exception):
    pass


class _StopAtRoot(ContentHandler):
    def startElement(self, name, attrs):  # noqa: N802 (SAX's name)
        raise _RootReached


def _check_xml_prolog(source: IO[bytes]) -> None:
    """No DTD, entity declaration or external reference before the root element, which is
    the only place XML allows them (billion laughs, external entities): parsed with
    defusedxml up to the root element. The rest of the part is left to the readers (lxml
    and openpyxl, which uses defusedxml once installed), so a 100 MB sheet costs no more
    than inflating it."""
    parser = defusedxml.sax.make_parser()
    parser.setFeature("http://xml.org/sax/features/namespaces", False)
    parser.forbid_dtd = True
    parser.forbid_entities = True
    parser.forbid_external = True
    parser.setContentHandler(_StopAtRoot())
    try:
        while chunk := source.read(CHUNK):
            parser.feed(chunk)
        parser.close()  # no root element at all: SAXParseException
    except _RootReached:
        return


def _check_archive(stream: IO[bytes], budget: _Budget, depth: int) -> set[str]:
    """Open and fully verify a zip: every entry read (CRC checked), every XML part's prolog
    parsed safely, nested archives checked the same way. The entry names, when all is well."""
    damaged = Refused(
        _("The file is damaged or incomplete (the archive cannot be read)."), "malformed"
    )
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise damaged from error
    with archive:
        infos = archive.infolist()
        names: set[str] = set()
        for info in infos:
            budget.take(info)
            name = info.filename
            normal = posixpath.normpath(name)
            if name.startswith(("/", "\\")) or normal.startswith("..") or "\x00" in name:
                raise damaged
            if name in names:
                raise damaged
            names.add(name)
            if info.flag_bits & 0x1:
                raise Refused(
                    _("The file is protected by a password: remove the password and try again."),
                    "encrypted",
                )
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise damaged
        for info in infos:
            if info.is_dir():
                continue
            lower = info.filename.lower()
            try:
                with archive.open(info) as member:
                    head = member.read(4)
                    nested = head == ZIP_MAGIC or lower.endswith(OFFICE_SUFFIXES)
                    if nested:
                        if depth >= MAX_NESTING:
                            raise Refused(
                                _(
                                    "The file holds archives inside archives: it cannot be "
                                    "accepted."
                                ),
                                "zip_bomb",
                            )
                        # Bounded by the budget: declared sizes already counted.
                        inner = io.BytesIO(head + member.read())
                        if head == ZIP_MAGIC:
                            _check_archive(inner, budget, depth + 1)
                    elif lower.endswith(XML_SUFFIXES):
                        _check_xml_prolog(_Prefixed(head, member))
                    # The rest read, so that zipfile checks the CRC of the whole entry.
                    while member.read(CHUNK):
                        pass
            except Refused:
                raise
            except DefusedXmlException as error:
                raise Refused(
                    _(
                        "The file holds XML with a document type or entity declarations, "
                        "which icahub does not accept."
                    ),
                    "xml_entities",
                ) from error
            except SAXException as error:
                raise Refused(
                    _("The file is damaged: one of its parts is not well-formed XML."),
                    "malformed",
                ) from error
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                ValueError,
                NotImplementedError,
            ) as e:
                # Bad CRC-32, a truncated or corrupt entry, an unsupported compression.
                raise damaged from e
        return names


class _Prefixed:
    """A stream whose first bytes were already read."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        self.head = head
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            head, self.head = self.head, b""
            return head + self.rest.read(max(size - len(head), 0) if size > 0 else -1)
        return self.rest.read(size)


# --- the checks -----------------------------------------------------------------------------


def detect(stream: IO[bytes], accepted: tuple[FileType, ...] = DOCUMENT_TYPES) -> FileType:
    """The type of a file told from its content, verified; raises ``Refused``.

    The stream is read (Office archives in full, entry by entry) and left at its start."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    try:
        if head.startswith(b"%PDF-") and PDF in accepted:
            stream.seek(0, io.SEEK_END)
            end = stream.tell()
            stream.seek(max(end - 1024, 0))
            if b"%%EOF" not in stream.read():
                raise Refused(_("The PDF file is incomplete (its end is missing)."), "malformed")
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n") and PNG in accepted:
            stream.seek(-12, io.SEEK_END)
            if stream.read(12) != b"\x00\x00\x00\x00IEND\xaeB`\x82":
                raise Refused(_("The PNG image is incomplete (its end is missing)."), "malformed")
            return PNG
        if head.startswith(b"\xff\xd8\xff") and JPEG in accepted:
            return JPEG
        if head.startswith(OLE_MAGIC):
            raise Refused(
                _(
                    "This is an old-format (.doc, .xls) or password-protected Office file: "
                    "save it as %(types)s without a password and try again."
                )
                % {"types": _accepted_labels(accepted)},
                "encrypted",
            )
        if head.startswith(ZIP_MAGIC) and ({DOCX, XLSX} & set(accepted)):
            names = _check_archive(stream, _Budget(), depth=0)
            office = _office_type(names)
            if office in accepted:
                return office
        elif CSV in accepted and not head.startswith((ZIP_MAGIC, b"%PDF")):
            if _looks_like_text(stream):
                return CSV
        raise Refused(
            _("This file's content is not an accepted type. Accepted: %(types)s.")
            % {"types": _accepted_labels(accepted)},
            "file_type",
        )
    finally:
        stream.seek(0)


def extension_matches(name: str, file_type: FileType) -> bool:
    """A name with no extension is accepted; one with an extension must agree with the
    content, so the file opens in the right program once downloaded."""
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." not in base.strip("."):
        return True
    return base.lower().endswith(file_type.extensions)


def original_name(file) -> str:
    return (getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]


def check(
    file,
    *,
    accepted: tuple[FileType, ...] = DOCUMENT_TYPES,
    field: str = "file",
    stored: bool = True,
) -> FileType:
    """The verified type of an uploaded file, or ``ValidationError({field: message})``.

    A ``stored`` file (evidence, a coalition's document) must also bear a name that agrees
    with its content, since it is downloaded again under that name; an imported file is
    read for its content only.

    The result is remembered on the file object, so the form and the service behind it do
    not read an archive twice."""
    checked = getattr(file, "icahub_checked_type", None)
    if checked is not None and checked in accepted:
        return checked
    try:
        file_type = _check(file, accepted, stored)
    except Refused as refusal:
        raise ValidationError(
            {field: ValidationError(refusal.message, code=refusal.code)}
        ) from None
    try:
        file.icahub_checked_type = file_type
    except AttributeError:
        pass
    return file_type


def _check(file, accepted: tuple[FileType, ...], stored: bool) -> FileType:
    limit = max_upload_bytes()
    size = getattr(file, "size", None)
    if isinstance(file, RefusedUpload) or size is None or size > limit:
        raise Refused(
            _("The file is larger than %(size)s MB: send a smaller or compressed file.")
            % {"size": _megabytes(limit)},
            "too_large",
        )
    if size == 0:
        raise Refused(_("The file is empty."), "empty")
    file_type = detect(file, accepted)
    name = original_name(file)
    if stored and not extension_matches(name, file_type):
        raise Refused(
            _("The file's content is %(type)s but its name says otherwise: %(name)s.")
            % {"type": file_type.label, "name": name},
            "extension",
        )
    return file_type


# --- streaming limit ------------------------------------------------------------------------


class RefusedUpload(UploadedFile):
    """What the form receives instead of a file that went past the size limit while it
    streamed in: its name and the bytes counted, none of its content."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class LimitedUploadHandler(FileUploadHandler):
    """First upload handler: passes each file's chunks on to Django's memory or temporary
    file handler until the file passes ``ICAHUB_MAX_UPLOAD_MB``, then drops the rest (the
    request is still read to its end, so the other fields arrive and the page can say which
    field was too large)."""

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, *a):
        super().new_file(field_name, file_name, content_type, content_length, charset, *a)
        self.limit = max_upload_bytes()
        self.seen = 0

    def receive_data_chunk(self, raw_data, start):
        self.seen += len(raw_data)
        if self.seen > self.limit:
            return None  # the following handlers keep what they have, never more
        return raw_data

    def file_complete(self, file_size):
        if self.seen > self.limit:
            return RefusedUpload(self.file_name, self.content_type, self.seen, self.charset)
        return None


# --- forms and API --------------------------------------------------------------------------


class UploadField(forms.FileField):
    """A file field that runs ``check``: size, type from content, archive safety."""

    def __init__(
        self, *, accepted: tuple[FileType, ...] = DOCUMENT_TYPES, stored: bool = True, **kwargs
    ):
        self.accepted = accepted
        self.stored = stored
        kwargs.setdefault("help_text", upload_help(accepted))
        attrs = {"accept": ",".join(ext for t in accepted for ext in t.extensions)}
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs=attrs))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, RefusedUpload):
            # Django's own checks would read the missing content; say what happened.
            data.size = max(data.size, max_upload_bytes() + 1)
        file = super().clean(data, initial)
        if file:
            try:
                check(file, accepted=self.accepted, stored=self.stored)
            except ValidationError as error:
                raise ValidationError(error.error_dict["file"]) from None
        return file


class _UploadHelp:
    """A lazy help text: the limit is read from the settings when the page is drawn."""

    def __init__(self, accepted: tuple[FileType, ...]):
        self.accepted = accepted

    def __str__(self) -> str:
        return _("%(types)s, at most %(size)s MB.") % {
            "types": _accepted_labels(self.accepted),
            "size": _megabytes(max_upload_bytes()),
        }

    def __html__(self) -> str:
        from django.utils.html import escape

        return escape(str(self))


def upload_help(accepted: tuple[FileType, ...]) -> _UploadHelp:
    return _UploadHelp(accepted)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
    default_code = "too_large"


class LimitedMultiPartParser(MultiPartParser):
    """The API's multipart parser: a file part cut off by ``LimitedUploadHandler`` answers
    413 with the field's name and the limit, before any view sees the request."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        for field, files in result.files.lists():
            if any(isinstance(file, RefusedUpload) for file in files):
                raise PayloadTooLarge(
                    {
                        field: [
                            _("The file is larger than %(size)s MB: send a smaller file.")
                            % {"size": _megabytes(max_upload_bytes())}
                        ]
                    }
                )
        return result

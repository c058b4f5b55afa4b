"""Hostile and damaged uploads are refused with a message naming the field, quickly, and
nothing is written: zip bombs (built here, small on disk), encrypted and old Office files,
bad CRCs, truncated files, XML with entities, files whose name lies about their content,
and files past the size limit, which are cut off while the request streams in."""

from __future__ import annotations

import contextlib
import io
import struct
import time
import zipfile

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from rest_framework.test import APIClient

from icahub.assistance.models import Need, NeedEvidence
from icahub.coalitions.models import Document
from icahub.funding.models import ExchangeRate, Flow
from icahub.interchange import report_xlsx, uploads
from icahub.registry.models import Convention, State
from icahub.reports.models import Report

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _xlsx(rows: int = 3) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["currency", "valid_from", "usd_per_unit", "source"])
    for number in range(rows):
        sheet.append(["NOK", f"2025-01-{number + 1:02d}", "0.1", "UN operational rates"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _docx(embedded: bytes | None = None) -> bytes:
    document = docx.Document()
    document.add_paragraph("Survey of Xieng Khouang")
    buffer = io.BytesIO()
    document.save(buffer)
    if embedded is None:
        return buffer.getvalue()
    # A Word file with a chart carries the chart's workbook inside it.
    return _rezip(buffer.getvalue(), {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": embedded})


def _rezip(data: bytes, extra: dict[str, bytes], replace: dict[str, bytes] | None = None) -> bytes:
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, replace.get(info.filename, source.read(info)))
        for name, content in extra.items():
            target.writestr(name, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _office_zip(parts: dict[str, bytes], kind: str = "xl/workbook.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(kind, "<workbook/>")
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def _zip_bomb(megabytes: int) -> bytes:
    """An XLSX-shaped zip whose sheet is ``megabytes`` MB of zeros, streamed into the
    archive 1 MB at a time (never held whole): about 1,000 times smaller on disk."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                sheet.write(block)
    return out.getvalue()


def _refusal(content: bytes, name: str = "plan.xlsx", accepted=uploads.DOCUMENT_TYPES):
    with pytest.raises(ValidationError) as error:
        uploads.check(SimpleUploadedFile(name, content), accepted=accepted)
    [message] = error.value.message_dict["file"]
    return message, error.value.error_dict["file"][0].code


# --- accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("survey.pdf", PDF, "pdf"),
        ("map.png", PNG, "png"),
        ("site.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "jpeg"),
        ("budget.xlsx", _xlsx(), "xlsx"),
        ("plan.docx", _docx(), "docx"),
        ("plan with chart.docx", _docx(embedded=_xlsx()), "docx"),
        ("no-extension", PDF, "pdf"),
    ],
)
def test_real_files_are_accepted_by_their_content(name, content, key):
    # when a genuine file is checked, whatever content type the browser claimed
    file_type = uploads.check(SimpleUploadedFile(name, content, "application/octet-stream"))

    # then its type is read from its bytes
    assert file_type.key == key


def test_a_csv_is_told_from_its_content_not_its_name():
    # given comma-separated text saved under a spreadsheet's name
    upload = SimpleUploadedFile("rates.xlsx", "currency,source\nNOK,Norges Bank – é\n".encode())

    # then it is a CSV for the import
    assert uploads.check(upload, accepted=uploads.TABLE_TYPES, stored=False) is uploads.CSV


# --- zip bombs ------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    # given a real zip bomb: 60 MB of zeros in a file of a few dozen kilobytes
    bomb = _zip_bomb(60)
    assert len(bomb) < 100 * 1024

    # when it is checked
    started = time.perf_counter()
    message, code = _refusal(bomb, "budget.xlsx")
    elapsed = time.perf_counter() - started

    # then it is refused as a zip bomb from the archive's directory alone, in milliseconds
    assert code == "zip_bomb"
    assert "zip bomb" in message
    print(f"zip bomb of {len(bomb):,} bytes (60 MB inflated) refused in {elapsed * 1000:.1f} ms")
    assert elapsed < 0.5


def test_an_archive_past_the_uncompressed_limit_is_refused(settings):
    # given a limit of 1 MB once uncompressed and a workbook of 2 MB of ordinary text
    settings.ICAHUB_MAX_UNCOMPRESSED_MB = 1
    text = b"".join(b"<row r='%d'><c><v>%d</v></c></row>" % (n, n * 7919) for n in range(60000))

    message, code = _refusal(_office_zip({"xl/worksheets/sheet1.xml": text}))

    assert code == "zip_bomb"
    assert "too large once uncompressed" in message


def test_an_archive_of_too_many_entries_is_refused():
    entries = {f"xl/media/image{n}.png": b"" for n in range(uploads.MAX_ENTRIES)}

    message, code = _refusal(_office_zip(entries))

    assert code == "zip_bomb" and "more than 2000 files" in message


def test_archives_nested_in_archives_are_refused():
    # given a workbook inside a workbook inside a document (42.zip's trick, two levels)
    inner = _office_zip({"xl/embeddings/deeper.xlsx": _xlsx()})
    nested = _docx(embedded=inner)

    message, code = _refusal(nested, "plan.docx")

    assert code == "zip_bomb" and "archives inside archives" in message


def test_an_archive_that_lies_about_its_sizes_is_refused_as_damaged():
    # given a sheet of 2 MB whose directory claims it holds 100 bytes
    data = bytearray(_office_zip({"xl/worksheets/sheet1.xml": b"<a>" + b"x" * 2_000_000}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 100)  # local header
    central = data.find(b"xl/worksheets/sheet1.xml", data.index(b"PK\x01\x02")) - 46
    struct.pack_into("<I", data, central + 24, 100)  # central directory

    # then zipfile stops at the claimed size, the CRC disagrees, and the file is refused
    message, code = _refusal(bytes(data))
    assert code == "malformed" and "damaged" in message


# --- damaged, encrypted, entity-laden -------------------------------------------------------


def _with_bad_crc() -> bytes:
    """A stored (uncompressed) sheet with one byte changed after the CRC was computed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "<workbook><sheets/></workbook>")
    data = bytearray(out.getvalue())
    data[data.index(b"<sheets/>") + 1] = ord("S")
    return bytes(data)


def _corrupt_deflate() -> bytes:
    data = bytearray(_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 10
    data[start] ^= 0xFF
    return bytes(data)


def _encrypted_entry() -> bytes:
    data = bytearray(_xlsx())
    offset = 0
    while (offset := data.find(b"PK\x03\x04", offset)) != -1:  # local headers: flag bit 0
        data[offset + 6] |= 1
        offset += 4
    offset = 0
    while (offset := data.find(b"PK\x01\x02", offset)) != -1:  # central directory
        data[offset + 8] |= 1
        offset += 4
    return bytes(data)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<workbook>&lol2;</workbook>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><w>&x;</w>'
)


@pytest.mark.parametrize(
    ("content", "name", "code", "words"),
    [
        (_with_bad_crc(), "budget.xlsx", "malformed", "damaged"),
        (_corrupt_deflate(), "budget.xlsx", "malformed", "damaged"),
        (_xlsx()[:-200], "budget.xlsx", "malformed", "damaged"),
        (_xlsx()[: len(_xlsx()) // 2], "budget.xlsx", "malformed", "damaged"),
        (_encrypted_entry(), "budget.xlsx", "encrypted", "password"),
        (uploads.OLE_MAGIC + b"\x00" * 504, "budget.xlsx", "encrypted", "password-protected"),
        (
            _office_zip({"xl/worksheets/sheet1.xml": BILLION_LAUGHS}),
            "budget.xlsx",
            "xml_entities",
            "entity",
        ),
        (
            _office_zip({"xl/_rels/x.rels": EXTERNAL_ENTITY}),
            "budget.xlsx",
            "xml_entities",
            "entity",
        ),
        (_office_zip({"../../etc/cron.d/x": b"* * * * *"}), "budget.xlsx", "malformed", "damaged"),
        (_office_zip({"xl/styles.xml": b"no xml here"}), "budget.xlsx", "malformed", "XML"),
        (b"MZ\x90\x00\x03 This program cannot be run in DOS mode", "report.pdf", "file_type", ""),
        (PDF[:-7], "survey.pdf", "malformed", "incomplete"),
        (PNG[:-6], "map.png", "malformed", "incomplete"),
        (PDF, "survey.png", "extension", "name says otherwise"),
        (b"", "survey.pdf", "empty", "empty"),
    ],
    ids=[
        "bad-crc",
        "corrupt-deflate",
        "truncated-end",
        "truncated-half",
        "encrypted-entry",
        "encrypted-office",
        "billion-laughs",
        "external-entity",
        "path-traversal",
        "not-xml",
        "renamed-exe",
        "truncated-pdf",
        "truncated-png",
        "lying-name",
        "empty",
    ],
)
def test_damaged_and_hostile_files_are_refused_with_a_reason(content, name, code, words):
    message, refused_code = _refusal(content, name)

    assert refused_code == code
    assert words in message


@pytest.mark.parametrize(
    "content",
    [b"currency,source\nNOK,\x00\x00\n", "currency\nNOK".encode("utf-16"), b"\xff\xfe\xfa"],
    ids=["nul-bytes", "utf-16", "not-utf-8"],
)
def test_a_table_that_is_not_utf8_text_is_refused(content):
    message, code = _refusal(content, "rates.csv", accepted=uploads.TABLE_TYPES)

    assert code == "file_type" and "Accepted: CSV, XLSX" in message


# --- the size limit, while streaming ---------------------------------------------------------


def test_an_oversized_evidence_file_is_cut_off_while_streaming_and_named(
    client, settings, tmp_path, lao_focal_point
):
    # given a limit of 64 KB and a need of Lao PDR
    settings.ICAHUB_MAX_UPLOAD_MB = 0.0625
    settings.MEDIA_ROOT = tmp_path
    need = Need.objects.create(
        state=State.objects.get(iso3="LAO"),
        convention=Convention.objects.get(code="CCM"),
        area="clearance",
        modality="financial",
        title="Survey",
        visibility="states_parties",
    )
    client.force_login(lao_focal_point)
    big = PDF[:-6] + b"0" * 200_000 + b"%%EOF\n"

    # when a 200 KB PDF is posted
    response = client.post(
        f"/assistance/needs/{need.pk}/evidence/", {"file": SimpleUploadedFile("s.pdf", big)}
    )

    # then the page names the field and the limit, and nothing is stored
    page = response.content.decode()
    assert 'href="#id_file"' in page
    assert "larger than 0.062 MB" in page or "larger than 0.0625 MB" in page
    assert not NeedEvidence.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))


def test_the_handler_keeps_no_more_than_the_limit():
    # given the handler in front of Django's memory handler, with a 64 KB limit
    from django.core.files.uploadhandler import MemoryFileUploadHandler, StopFutureHandlers
    from django.test import override_settings

    with override_settings(ICAHUB_MAX_UPLOAD_MB=0.0625):
        limited, memory = uploads.LimitedUploadHandler(), MemoryFileUploadHandler()
        memory.activated = True
        limited.new_file("file", "big.pdf", "application/pdf", None)
        with contextlib.suppress(StopFutureHandlers):  # the memory handler is the last
            memory.new_file("file", "big.pdf", "application/pdf", None)
        kept = 0
        for start in range(0, 1024 * 1024, 8192):  # 1 MB arrives in 8 KB chunks
            chunk = limited.receive_data_chunk(b"x" * 8192, start)
            if chunk is not None:
                memory.receive_data_chunk(chunk, start)
                kept += len(chunk)
        refused = limited.file_complete(1024 * 1024)

    # then the rest was dropped and the form receives a refusal with the size seen
    assert kept <= 64 * 1024
    assert isinstance(refused, uploads.RefusedUpload) and refused.size == 1024 * 1024
    assert refused.read() == b""


def test_the_api_answers_413_naming_the_field(settings, isu_user):
    # given a limit of 64 KB
    settings.ICAHUB_MAX_UPLOAD_MB = 0.0625
    api = APIClient()
    api.force_authenticate(isu_user)

    # when an API write receives a 200 KB file part
    response = api.post(
        "/api/v1/needs/",
        {"title": "Survey", "attachment": SimpleUploadedFile("a.pdf", b"0" * 200_000)},
        format="multipart",
    )

    # then it answers 413 with the field and the limit, and writes nothing
    assert response.status_code == 413
    assert "attachment" in response.json()
    assert "larger than" in response.json()["attachment"][0]
    assert not Need.objects.filter(title="Survey").exists()


# --- imports: refused before anything is written ---------------------------------------------


def test_a_zip_bomb_sent_as_exchange_rates_is_refused_and_nothing_written(client, isu_user):
    client.force_login(isu_user)

    response = client.post(
        "/funding/exchange-rates/",
        {"action": "import", "file": SimpleUploadedFile("rates.xlsx", _zip_bomb(30))},
    )

    assert response.status_code == 400
    assert "zip bomb" in response.content.decode()
    assert not ExchangeRate.objects.filter(source="UN operational rates").exists()


def test_exchange_rates_import_reads_the_content_whatever_the_name(client, isu_user):
    # given a real workbook named .csv
    client.force_login(isu_user)

    response = client.post(
        "/funding/exchange-rates/",
        {"action": "import", "file": SimpleUploadedFile("rates.csv", _xlsx(rows=2))},
    )

    assert response.status_code == 302
    assert ExchangeRate.objects.filter(source="UN operational rates").count() == 2


def test_a_flow_import_with_an_entity_bomb_is_refused(client, isu_user):
    client.force_login(isu_user)
    bomb = _rezip(_xlsx(), {}, replace={"xl/workbook.xml": BILLION_LAUGHS})

    response = client.post(
        "/funding/flows/import/", {"file": SimpleUploadedFile("flows.xlsx", bomb)}
    )

    assert response.status_code == 400
    assert "entity" in response.content.decode()
    assert not Flow.objects.exists()


def test_a_report_import_that_is_a_zip_bomb_is_refused_by_the_form(client, isu_user):
    client.force_login(isu_user)
    template = report_xlsx.build_template("CCM", language="en")
    assert uploads.check(SimpleUploadedFile("t.xlsx", template), accepted=uploads.SPREADSHEET_TYPES)

    response = client.post(
        "/reports/import/", {"file": SimpleUploadedFile("report.xlsx", _zip_bomb(30))}
    )

    page = response.content.decode()
    assert 'href="#id_file"' in page and "zip bomb" in page
    assert not Report.objects.exists()


def test_a_coalition_document_that_is_encrypted_is_refused_by_the_service():
    from icahub.coalitions import services

    with pytest.raises(ValidationError) as error:
        services.document_upload(
            coalition=None,
            title="Plan",
            file=SimpleUploadedFile("plan.docx", uploads.OLE_MAGIC + b"\x00" * 504),
        )

    assert "password-protected" in error.value.message_dict["file"][0]
    assert not Document.objects.exists()

"""Article 7 reports as XLSX: one workbook that is both the blank template and the export
of a filled report, and its import.

Layout (the same for the blank template and the export, built from ``forms_schema``):

``Report`` sheet
    One item per row: column A the plain-language label (translated; `` *`` marks a
    mandatory item), column B the value, column C the stable key. Import reads column C,
    never the labels, so rows may be moved. Keys:

    - identity: ``state`` (ISO 3166-1 alpha-3), ``convention``, ``kind`` (initial or
      annual), ``reporting_year``, ``language`` (en, fr, es, ar) and the contacts
      (``contact_name``, ``contact_organisation``, ``contact_email``, ``contact_phone``);
    - per form, under a title row: ``<form>.status`` (changed, unchanged, not_applicable;
      drop-down), ``<form>.narrative``, ``<form>.last_reported`` (the year an unchanged form
      was last reported) and the form's scalar fields, e.g. ``H.victims_recorded``: every
      scalar field lives here, so the form sheets only hold tables.

    Rows without a key (titles, instructions) are ignored on import.

One sheet per form with tables (``B Stockpiles``, ``I Resources``, ``Needs``...)
    The names are stable and never translated. Row 1 holds the plain-language headers
    (translated; `` *`` marks a mandatory column), row 2 the stable keys
    ``<table>.<column>`` (e.g. ``stockpiles.held``), rows 3 and below the data. A form with
    several tables (CCM form I, APMBC form J) puts them side by side, one blank column
    between two tables; each table's rows are read independently, blank rows skipped.
    Import finds columns by the key row, never by header or position.

``_meta`` (hidden)
    ``template_version``, ``convention`` and the header ``language``: import refuses a
    file built for another convention or an older layout.

Choice columns (and cover status, kind, language) carry drop-down lists of the stable
choice keys; number columns carry number formats and validations; panes are frozen under
the headers. Values are written so that reading them back gives the same cleaned value:
decimals with more than 15 significant digits and integers from 10^15 are written as text
(Excel keeps 15 digits), dates before 1900 as ISO text, and text is always a text cell
(never a formula, even when it starts with "="), with control characters and carriage
returns escaped as Excel does (``_x000D_``). Excel keeps at most 32,767 characters in a
cell: a longer narrative is cut by Excel, not by this module.

Import (``import_report``) validates the whole file at once and returns every problem,
each with sheet, cell, key and message: the file itself (not an XLSX workbook, not this
template, another convention's template, an older template version, more than 10,000 rows
in a sheet), the identity (unknown state or convention, a non-party, a year before entry
into force or in the future, missing mandatory cells), then the forms through
``forms_schema.clean_forms``, whose problem paths are mapped back to cells. The report is
found by state, convention, kind and reporting year (or given as ``report``, which the
file must match); it is created with ``services.report_start`` when it does not exist, and
otherwise its current draft is replaced with ``services.version_update``; a report without
a draft (submitted) must be amended first. Rows are matched with the draft by position
within each table: a file row *updates* the draft's row at the same position when there is
one and *adds* a row otherwise; draft rows past the end of the file's table are *removed*.
The file is the whole report: forms and contacts not in it are emptied. Nothing is written
if any problem is found. Permissions are the caller's job.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from icahub.registry.models import Convention, Membership, State
from icahub.reports import forms_schema, services
from icahub.reports.forms_schema import Field, Form, Table
from icahub.reports.models import Report, ReportKind, ReportVersion

TEMPLATE_VERSION = "1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_SHEET = "Report"
META_SHEET = "_meta"
HEADER_ROW, KEY_ROW, FIRST_DATA_ROW = 1, 2, 3
MAX_ROWS = 10_000  # data rows per sheet
LAST_ROW = MAX_ROWS + FIRST_DATA_ROW - 1
MAX_KEY_COLUMNS = 200
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
# Excel keeps 15 significant digits of a number: more are written as text.
EXACT_DIGITS = 15

SHEET_NAMES = {
    "CCM": {
        "A": "A Measures",
        "B": "B Stockpiles",
        "C": "C Characteristics",
        "D": "D Retained",
        "E": "E Facilities",
        "F": "F Contamination",
        "G": "G Risk education",
        "H": "H Victim assistance",
        "I": "I Resources",
        "needs": "Needs",
    },
    "APMBC": {
        "A": "A Measures",
        "B": "B Stockpiles",
        "C": "C Mined areas",
        "D": "D Retained",
        "E": "E Facilities",
        "G": "G Mines destroyed",
        "H": "H Characteristics",
        "I": "I Warnings",
        "J": "J Assistance",
        "needs": "Needs",
    },
}

IDENTITY = (
    Field("state", gettext_lazy("State (ISO code)"), "text", True),
    Field("convention", gettext_lazy("Convention"), "choice", True),
    Field("kind", gettext_lazy("Kind of report"), "choice", True, tuple(ReportKind.values)),
    Field("reporting_year", gettext_lazy("Reporting year"), "year", True),
    Field("language", gettext_lazy("Language"), "choice", True, services.LANGUAGES),
)
CONTACTS = tuple(
    Field(
        name,
        ReportVersion._meta.get_field(name).verbose_name,
        "text",
        max_length=ReportVersion._meta.get_field(name).max_length,
    )
    for name in services.CONTACT_FIELDS
)
FORM_ITEMS = ("status", "narrative", "last_reported")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
TABLE_FILLS = ("DDE4EE", "E6EFDB", "F4E6D4", "EADCF0")
KEY_FONT = Font(italic=True, size=9, color="666666")
TITLE_FONT = Font(bold=True, size=12)
WRAP = Alignment(wrap_text=True, vertical="top")
NUMBER_FORMATS = {"int": "#,##0", "year": "0", "decimal": "#,##0.00##", "date": "yyyy-mm-dd"}
WIDTHS = {"text": 32, "int": 16, "year": 10, "decimal": 18, "date": 13, "currency": 12}


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One problem, located: sheet name, cell reference ("C5", empty when the problem is
    the whole file), the field's stable key, the message, and the path in the report's
    forms where there is one (``forms.B.tables.stockpiles[1].held``)."""

    sheet: str
    cell: str
    field: str
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return (
            f"{where} ({self.field}): {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass(frozen=True)
class RowAction:
    """What importing does with one table row: ``add``, ``update`` (``changed`` says whether
    the content differs from the draft's row) or ``remove`` (a draft row past the end of
    the file's table; ``row`` is then 0: it is not in the file)."""

    sheet: str
    row: int
    form: str
    table: str
    position: int
    action: str
    changed: bool = True


@dataclass
class ImportResult:
    problems: list[ImportProblem]
    rows: list[RowAction]
    report: Report | None
    written: bool
    created: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


# --- layout ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    table: Table
    spec: Field
    index: int

    @property
    def key(self) -> str:
        return f"{self.table.key}.{self.spec.key}"

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


def sheet_name(convention: str, form: Form) -> str:
    """The form's stable sheet name (never translated)."""
    name = SHEET_NAMES.get(convention, {}).get(form.key)
    if name is None:
        name = f"{form.key} {form.tables[0].key.replace('_', ' ')}" if form.tables else form.key
    return name[:31]


def form_columns(form: Form) -> list[Column]:
    """The form sheet's columns: each table's columns side by side, one blank column
    between two tables."""
    columns: list[Column] = []
    index = 1
    for table in form.tables:
        for spec in table.columns:
            columns.append(Column(table, spec, index))
            index += 1
        index += 1
    return columns


def report_items(convention: str) -> list[Field | Form]:
    """The Report sheet's rows: identity and contacts, then for each form a title (the
    Form itself) followed by its cover status, narrative, last reported and scalar fields,
    each a Field whose key is the stable key of the row."""
    schema = forms_schema.schema_for(convention)
    convention_field = Field("convention", IDENTITY[1].label, "choice", True, (convention,))
    items: list[Field | Form] = [IDENTITY[0], convention_field, *IDENTITY[2:], *CONTACTS]
    for form in schema.forms:
        items.append(form)
        items += [
            Field(
                f"{form.key}.status",
                gettext_lazy("This form is"),
                "choice",
                choices=forms_schema.FORM_STATUSES,
            ),
            Field(f"{form.key}.narrative", gettext_lazy("Narrative"), "text"),
        ]
        if not form.voluntary:
            items.append(
                Field(f"{form.key}.last_reported", gettext_lazy("Last reported (year)"), "year")
            )
        items += [
            Field(f"{form.key}.{spec.key}", spec.label, spec.kind, spec.required, spec.choices)
            for spec in form.fields
        ]
    return items


def filename(convention: str, report: Report | None = None) -> str:
    if report is None:
        return f"article7-{convention}-template.xlsx"
    return f"article7-{convention}-{report.state.iso3}-{report.kind}-{report.reporting_year}.xlsx"


# --- writing ---------------------------------------------------------------------------


def _header(spec: Field, label: object) -> str:
    text = capfirst(str(label))
    return f"{text} *" if spec.required else text


def _write(cell, value: object, kind: str) -> None:
    """Write a cleaned value so that reading it back gives the same cleaned value."""
    if value is None or value == "":
        return
    if kind in {"int", "year"} and isinstance(value, int) and not isinstance(value, bool):
        cell.value = value if abs(value) < 10**EXACT_DIGITS else str(value)
    elif kind == "decimal":
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if (
            number is not None
            and number.is_finite()
            and len(number.as_tuple().digits) <= EXACT_DIGITS
            and Decimal(repr(float(number))) == number
        ):
            cell.value = float(number)
        else:
            cell.value = str(value)
    elif kind == "date":
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            day = None
        cell.value = day if day is not None and day.year >= 1900 else str(value)
    elif kind == "bool" and isinstance(value, bool):
        cell.value = value
    else:
        cell.value = _escape(str(value))
        # A text starting with "=" stays text: never a formula (and reads back the same).
        cell.data_type = "s"
    if kind in NUMBER_FORMATS and not isinstance(cell.value, str):
        cell.number_format = NUMBER_FORMATS[kind]


def _list_validation(choices: tuple[str, ...]) -> DataValidation:
    listed = ",".join(choices)
    if len(listed) > 255:  # Excel's limit for an inline list
        raise ValueError(f"choice list too long for a drop-down: {listed}")
    return DataValidation(
        type="list",
        formula1=f'"{listed}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Not in the list"),
        error=_("Choose a value from the list."),
    )


def _number_validation(kind: str) -> DataValidation | None:
    common = {"allow_blank": True, "showErrorMessage": True, "errorTitle": _("Invalid number")}
    if kind == "int":
        return DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            error=_("Enter a whole number of zero or more."),
            **common,
        )
    if kind == "year":
        return DataValidation(
            type="whole",
            operator="between",
            formula1="1990",
            formula2="2100",
            error=_("Enter a year between 1990 and 2100."),
            **common,
        )
    if kind == "decimal":
        return DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            error=_("Enter a number of zero or more."),
            **common,
        )
    return None


class _Validations:
    """Data validations of one sheet, one per distinct rule."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.rules: dict[tuple, DataValidation] = {}

    def add(self, spec: Field, cells: str) -> None:
        listed = spec.kind == "choice" and bool(spec.choices)
        if not listed and spec.kind not in {"int", "year", "decimal"}:
            return
        key = ("list", spec.choices) if listed else (spec.kind,)
        rule = self.rules.get(key)
        if rule is None:
            rule = _list_validation(spec.choices) if listed else _number_validation(spec.kind)
            self.rules[key] = rule
            self.sheet.add_data_validation(rule)
        rule.add(cells)


def _identity_values(
    convention: str, version: ReportVersion | None, report: Report | None, language: str
) -> dict:
    values: dict = {"convention": convention, "language": language}
    if report is not None:
        values.update(
            state=report.state.iso3, kind=report.kind, reporting_year=report.reporting_year
        )
    if version is not None:
        values["language"] = version.language
        values.update({name: getattr(version, name) for name in services.CONTACT_FIELDS})
    return values


def _report_sheet(sheet, convention: str, values: dict, forms: dict) -> None:
    sheet.title = REPORT_SHEET
    sheet.append([_("Item"), _("Value"), _("Key")])
    for cell in sheet[HEADER_ROW]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    validations = _Validations(sheet)
    for item in report_items(convention):
        row = sheet.max_row + 1
        if isinstance(item, Form):
            title = str(item.title)
            if not item.voluntary:
                title = _("Form %(letter)s: %(title)s") % {"letter": item.key, "title": title}
            sheet.cell(row, 1, title).font = TITLE_FONT
            continue
        sheet.cell(row, 1, _header(item, item.label)).alignment = WRAP
        key_cell = sheet.cell(row, 3, item.key)
        key_cell.font = KEY_FONT
        if "." in item.key:
            form_key, name = item.key.split(".", 1)
            data = forms.get(form_key) or {}
            value = data.get(name) if name in FORM_ITEMS else data.get("fields", {}).get(name)
        else:
            value = values.get(item.key)
        value_cell = sheet.cell(row, 2)
        _write(value_cell, value, item.kind)
        value_cell.alignment = WRAP
        validations.add(item, value_cell.coordinate)
    instructions = (
        _("How to fill this file"),
        _("Fill column B. Items marked * are mandatory."),
        _("Never change the keys (column C here, row 2 on the other sheets)."),
        _(
            "Table rows are matched with the report's draft by position: a row updates the "
            "draft's row at the same position, or adds one; draft rows beyond the file's "
            "last row are removed."
        ),
    )
    sheet.append([])
    for number, text in enumerate(instructions):
        sheet.append([text])
        cell = sheet.cell(sheet.max_row, 1)
        cell.font = TITLE_FONT if number == 0 else Font(italic=True)
    sheet.column_dimensions["A"].width = 46
    sheet.column_dimensions["B"].width = 70
    sheet.column_dimensions["C"].width = 28
    sheet.freeze_panes = "A2"


def _form_sheet(sheet, form: Form, data: dict) -> None:
    columns = form_columns(form)
    several = len(form.tables) > 1
    validations = _Validations(sheet)
    tables = data.get("tables") or {}
    for number, table in enumerate(form.tables):
        fill = PatternFill("solid", fgColor=TABLE_FILLS[number % len(TABLE_FILLS)])
        table_columns = [c for c in columns if c.table is table]
        for column in table_columns:
            label = column.spec.label
            if several:
                label = f"{table.label}: {label}"
            header = sheet.cell(HEADER_ROW, column.index, _header(column.spec, label))
            header.font, header.fill, header.alignment = HEADER_FONT, fill, WRAP
            sheet.cell(KEY_ROW, column.index, column.key).font = KEY_FONT
            dimension = sheet.column_dimensions[column.letter]
            width = WIDTHS.get(column.spec.kind, 20)
            if column.spec.choices:
                width = max(len(choice) for choice in column.spec.choices) + 4
            dimension.width = max(width, 12)
            if column.spec.kind in NUMBER_FORMATS:
                dimension.number_format = NUMBER_FORMATS[column.spec.kind]
            validations.add(
                column.spec, f"{column.letter}{FIRST_DATA_ROW}:{column.letter}{LAST_ROW}"
            )
        for offset, row in enumerate(tables.get(table.key) or []):
            for column in table_columns:
                cell = sheet.cell(FIRST_DATA_ROW + offset, column.index)
                _write(cell, row.get(column.spec.key), column.spec.kind)
    used = {column.index for column in columns}
    for index in range(1, max(used)):
        if index not in used:  # the blank column between two tables
            sheet.column_dimensions[get_column_letter(index)].width = 3
    sheet.row_dimensions[HEADER_ROW].height = 48 if several else 32
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 1).coordinate


def build_template(
    convention: str,
    version: ReportVersion | None = None,
    *,
    report: Report | None = None,
    language: str = "en",
) -> bytes:
    """The report workbook of a convention: blank (no version), with the identity of
    ``report`` filled in (report, no version), or the export of a version of a report
    (its forms, contacts and language). Headers are in ``language``; keys never change."""
    schema = forms_schema.schema_for(convention)
    if version is not None:
        report = version.report
    if report is not None and report.convention.code != convention:
        raise ValueError(f"report {report} is not a {convention} report")
    forms = (version.forms if version is not None else None) or {}
    values = _identity_values(convention, version, report, language)
    with translation.override(language):
        workbook = Workbook()
        _report_sheet(workbook.active, convention, values, forms)
        for form in schema.forms:
            if form.tables:
                sheet = workbook.create_sheet(sheet_name(convention, form))
                _form_sheet(sheet, form, forms.get(form.key) or {})
        meta = workbook.create_sheet(META_SHEET)
        meta.append(["template_version", TEMPLATE_VERSION])
        meta.append(["convention", convention])
        meta.append(["language", language])
        meta.sheet_state = "hidden"
        workbook.active = 0
        if translation.get_language_bidi():
            for sheet in workbook.worksheets:
                sheet.sheet_view.rightToLeft = True
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


# --- reading ---------------------------------------------------------------------------
#
# Import reads the cell values with a small SpreadsheetML reader (lxml, entities and
# network off) rather than openpyxl's: openpyxl builds an object per string and parses
# every part of every sheet, which made reading most of an import's time. This reader only
# reads what import needs — sheet names and states, shared strings, which styles are dates,
# cell values — stops at the row limit whatever the file declares, and keeps memory flat.

SML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
EXCEL_MAX_ROW, EXCEL_MAX_COLUMN = 1_048_576, 16_384
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
TO_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b\x0c\x0e-\x1f\r]")


def _escape(text: str) -> str:
    """OOXML string escaping: control characters (and carriage returns, which XML would
    turn into line feeds) as _xHHHH_, and a literal _xHHHH_ with its underscore escaped,
    as Excel writes them."""

    def replace(match: re.Match) -> str:
        found = match.group(0)
        return f"_x005F{found}" if len(found) > 1 else f"_x{ord(found):04X}_"

    return TO_ESCAPE.sub(replace, text)


def _unescape(text: str) -> str:
    return ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class _NotAWorkbook(Exception):
    pass


class _Xlsx:
    """The cell values of an XLSX workbook (SpreadsheetML, transitional)."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        book_path = self._target("", "_rels/.rels", "/officeDocument")
        if book_path is None:
            raise _NotAWorkbook
        book = self._xml(book_path)
        if book.tag != f"{SML}workbook":
            raise _NotAWorkbook
        folder = book_path.rpartition("/")[0]
        rels_path = f"{folder}/_rels/{book_path.rpartition('/')[2]}.rels"
        relations = self._relations(folder, rels_path)
        properties = book.find(f"{SML}workbookPr")
        date1904 = properties is not None and properties.get("date1904") in {"1", "true"}
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        self.sheets: dict[str, tuple[str, str]] = {}
        for sheet in book.iterfind(f"{SML}sheets/{SML}sheet"):
            path = relations.get(sheet.get(f"{DOC_REL}id"), ("", ""))[0]
            self.sheets[sheet.get("name", "")] = (path, sheet.get("state", "visible"))
        by_type = {kind.rpartition("/")[2]: path for path, kind in relations.values()}
        self.strings = self._strings(by_type.get("sharedStrings"))
        self.date_styles = self._date_styles(by_type.get("styles"))

    @property
    def sheetnames(self) -> list[str]:
        return list(self.sheets)

    def _xml(self, path: str):
        return etree.fromstring(self.archive.read(path), _parser())

    def _relations(self, folder: str, rels_path: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (part path in the archive, type)."""
        if rels_path not in self.archive.namelist():
            return {}
        relations = {}
        for relation in self._xml(rels_path).iterfind(f"{PKG_REL}Relationship"):
            target = relation.get("Target", "")
            if target.startswith("/"):
                path = target[1:]
            else:
                path = posixpath.normpath(posixpath.join(folder, target))
            if path.startswith("../") or path in {".", ".."}:
                path = ""  # outside the package: never read
            relations[relation.get("Id", "")] = (path, relation.get("Type", ""))
        return relations

    def _target(self, folder: str, rels_path: str, kind: str) -> str | None:
        for path, relation_type in self._relations(folder, rels_path).values():
            if relation_type.endswith(kind):
                return path
        return None

    @staticmethod
    def _text(element) -> str:
        """A string item's text: its runs, without phonetic guides."""
        return _unescape(
            "".join(
                t.text or "" for t in element.iter(f"{SML}t") if t.getparent().tag != f"{SML}rPh"
            )
        )

    def _strings(self, path: str | None) -> list[str]:
        if not path:
            return []
        return [self._text(item) for item in self._xml(path).iterfind(f"{SML}si")]

    def _date_styles(self, path: str | None) -> set[int]:
        if not path:
            return set()
        styles = self._xml(path)
        formats = dict(BUILTIN_FORMATS)
        for number_format in styles.iterfind(f"{SML}numFmts/{SML}numFmt"):
            formats[int(number_format.get("numFmtId", "0"))] = number_format.get("formatCode", "")
        dates = set()
        for index, xf in enumerate(styles.iterfind(f"{SML}cellXfs/{SML}xf")):
            code = formats.get(int(xf.get("numFmtId", "0")), "")
            if code and is_date_format(code):
                dates.add(index)
        return dates

    def _value(self, cell) -> object:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(f"{SML}is")
            return self._text(inline) if inline is not None else None
        raw = cell.findtext(f"{SML}v")
        if raw is None or (raw == "" and kind not in {"str", "s"}):
            return None
        if kind == "s":
            return self.strings[int(raw)]
        if kind in {"str", "e"}:
            return _unescape(raw)
        if kind == "b":
            return raw.strip() in {"1", "true"}
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(raw.strip().rstrip("Z"))
            except ValueError:
                return raw
        number: int | float = float(raw) if any(c in raw for c in ".eE") else int(raw)
        if int(cell.get("s", "0")) in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (OverflowError, ValueError):
                return number
        return number

    def rows(self, name: str, max_col: int, max_row: int):
        """(row number, values of columns 1..max_col) of the non-empty rows, in order,
        up to the first non-empty row numbered beyond ``max_row`` (included, so that the
        caller sees there is more): parsing stops there."""
        path = self.sheets[name][0]
        previous = 0
        with self.archive.open(path) as source:
            events = etree.iterparse(
                source,
                events=("end",),
                tag=f"{SML}row",
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=False,
            )
            for _event, row in events:
                number = int(row.get("r") or previous + 1)
                if not previous < number <= EXCEL_MAX_ROW:
                    raise ValueError(f"row number {number} out of order in {name}")
                previous = number
                values: list[object] = [None] * max_col
                column = 0
                for cell in row.iterchildren(f"{SML}c"):
                    reference = cell.get("r")
                    column = (
                        column_index_from_string(reference.rstrip("0123456789"))
                        if reference
                        else column + 1
                    )
                    if column > EXCEL_MAX_COLUMN:
                        raise ValueError(f"column out of range in {name}")
                    if column <= max_col:
                        values[column - 1] = self._value(cell)
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
                if any(not _is_blank(value) for value in values):
                    yield number, tuple(values)
                    if number > max_row:
                        return

    def close(self) -> None:
        self.archive.close()


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 10**EXACT_DIGITS else repr(value)


def _from_cell(value: object, kind: str) -> object:
    """A cell's value as the schema's cleaning expects it (the cleaning judges it)."""
    if _is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        if kind == "date" or value.time() == dt.time(0):
            value = value.date()
    elif isinstance(value, dt.time):
        value = value.isoformat()
    if kind == "text":
        if isinstance(value, float):
            return _float_text(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)
    if kind in {"int", "year"}:
        if isinstance(value, float):
            return int(value) if value.is_integer() else repr(value)
        return value.strip() if isinstance(value, str) else value
    if kind == "decimal":
        if isinstance(value, float):
            return repr(value)
        return value.strip() if isinstance(value, str) else value
    if kind == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value).strip()
    if kind == "bool":
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in {"true", "yes", "1"}:
                return True
            if lowered in {"false", "no", "0"}:
                return False
        return value
    return str(value).strip()


@dataclass
class _SheetData:
    keys: dict[str, int] = field(default_factory=dict)  # key -> column index
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (sheet row, values)


@dataclass
class _Parsed:
    meta: dict = field(default_factory=dict)
    report: dict[str, tuple[object, int]] = field(default_factory=dict)  # key -> (value, row)
    sheets: dict[str, _SheetData] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)


def _file_problem(message: str) -> ImportProblem:
    return ImportProblem("", "", "", message)


def unreadable_problem(data: object) -> ImportProblem | None:
    """The problem that makes the file unreadable as a workbook, or None (a quick check
    the upload page makes before queueing the import)."""
    workbook, problem = _open(data)
    if workbook is not None:
        workbook.close()
    return problem


def _open(data: object) -> tuple[_Xlsx | None, ImportProblem | None]:
    """The workbook, or the problem that makes the file unreadable."""
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes) or not data:
        return None, _file_problem(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        return None, _file_problem(
            _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // 2**20}
        )
    not_xlsx = _file_problem(
        _(
            "This file is not an XLSX workbook. Save it in Excel as “Excel Workbook (.xlsx)” "
            "(not .xls, .csv or .ods) and try again."
        )
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return None, not_xlsx
    if "[Content_Types].xml" not in archive.namelist():
        archive.close()
        return None, not_xlsx
    if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
        archive.close()
        return None, _file_problem(_("The workbook is too large once uncompressed."))
    try:
        return _Xlsx(archive), None
    except _NotAWorkbook:
        archive.close()
        return None, not_xlsx
    except Exception as error:  # a malformed part: XML, zip member, number
        archive.close()
        return None, _unreadable(error)


def _unreadable(error: Exception) -> ImportProblem:
    text = (str(error).strip() or type(error).__name__)[:200]
    return _file_problem(_("The workbook could not be read: %(error)s") % {"error": text})


def _size_problem(name: str) -> ImportProblem:
    return ImportProblem(
        name, "", "", _("The sheet has more than %(max)s rows.") % {"max": f"{MAX_ROWS:,}"}
    )


def _read(workbook: _Xlsx) -> _Parsed:
    parsed = _Parsed()
    names = workbook.sheetnames
    if META_SHEET not in names or REPORT_SHEET not in names:
        parsed.problems.append(
            _file_problem(
                _(
                    "This workbook is not an icahub Article 7 report template (the "
                    "“%(report)s” or “%(meta)s” sheet is missing). Download the template "
                    "and fill it."
                )
                % {"report": REPORT_SHEET, "meta": META_SHEET}
            )
        )
        return parsed
    for _number, row in workbook.rows(META_SHEET, 2, 50):
        if not _is_blank(row[0]):
            parsed.meta[str(row[0]).strip()] = row[1]
    for number, row in workbook.rows(REPORT_SHEET, 3, LAST_ROW):
        if number > LAST_ROW:
            parsed.problems.append(_size_problem(REPORT_SHEET))
            parsed.report.clear()
            break
        key = row[2]
        if number == HEADER_ROW or _is_blank(key):
            continue
        key = str(key).strip()
        if key in parsed.report:
            parsed.problems.append(
                ImportProblem(REPORT_SHEET, f"C{number}", key, _("This key appears twice."))
            )
            continue
        parsed.report[key] = (row[1], number)
    return parsed


def _read_form_sheet(workbook: _Xlsx, name: str, form: Form, parsed: _Parsed) -> None:
    if name not in workbook.sheetnames:
        parsed.problems.append(
            ImportProblem(
                name,
                "",
                "",
                _("The sheet “%(sheet)s” is missing: restore it from a fresh template.")
                % {"sheet": name},
            )
        )
        return
    data = _SheetData()
    expected = {column.key for column in form_columns(form)}
    keys_seen = False
    for number, row in workbook.rows(name, MAX_KEY_COLUMNS, LAST_ROW):
        if number > LAST_ROW:
            parsed.problems.append(_size_problem(name))
            return
        if number < KEY_ROW:
            continue
        if number == KEY_ROW:
            keys_seen = True
            for index, key in enumerate(row, start=1):
                if _is_blank(key):
                    continue
                key = str(key).strip()
                cell = f"{get_column_letter(index)}{KEY_ROW}"
                if key not in expected:
                    parsed.problems.append(
                        ImportProblem(
                            name, cell, key, _("Unknown column key: use a fresh template.")
                        )
                    )
                elif key in data.keys:
                    parsed.problems.append(
                        ImportProblem(name, cell, key, _("This key appears twice."))
                    )
                else:
                    data.keys[key] = index
            continue
        if not keys_seen:
            break
        data.rows.append((number, row))
    for column in form_columns(form):
        if column.key not in data.keys:
            parsed.problems.append(
                ImportProblem(
                    name,
                    f"{column.letter}{KEY_ROW}",
                    column.key,
                    _("The key of this column is missing from row %(row)s.") % {"row": KEY_ROW},
                )
            )
    parsed.sheets[name] = data


# --- validating ------------------------------------------------------------------------


@dataclass
class _Located:
    """Where each table row of the file came from: (form, table) -> sheet rows."""

    rows: dict[tuple[str, str], list[int]] = field(default_factory=dict)


def _report_cell(parsed: _Parsed, key: str) -> str:
    entry = parsed.report.get(key)
    return f"B{entry[1]}" if entry else ""


def _problem_at(parsed: _Parsed, key: str, message: str, path: str = "") -> ImportProblem:
    return ImportProblem(REPORT_SHEET, _report_cell(parsed, key), key, message, path or key)


def _raw_forms(convention: str, parsed: _Parsed) -> tuple[dict, _Located, list[ImportProblem]]:
    """The forms as the schema's cleaning expects them, with where each row came from."""
    schema = forms_schema.schema_for(convention)
    located = _Located()
    problems: list[ImportProblem] = []
    items = {item.key: item for item in report_items(convention) if isinstance(item, Field)}
    for key in parsed.report:
        if key not in items:
            problems.append(
                ImportProblem(
                    REPORT_SHEET,
                    f"C{parsed.report[key][1]}",
                    key,
                    _("Unknown key: use a fresh template."),
                )
            )
    raw: dict = {}
    for form in schema.forms:
        out: dict = {}
        fields: dict = {}
        for key, item in items.items():
            if not key.startswith(f"{form.key}.") or key not in parsed.report:
                continue
            name = key.split(".", 1)[1]
            value = _from_cell(parsed.report[key][0], item.kind)
            if value is None:
                continue
            if name == "last_reported":
                year, error = forms_schema._clean_value(item, value)
                if error:
                    problems.append(_problem_at(parsed, key, error, f"forms.{key}"))
                    continue
                out[name] = year
            elif name in FORM_ITEMS:
                out[name] = value
            else:
                fields[name] = value
        if fields:
            out["fields"] = fields
        name = sheet_name(convention, form)
        sheet = parsed.sheets.get(name)
        tables: dict = {}
        if sheet is not None:
            for table in form.tables:
                columns = [
                    (column, sheet.keys[column.key] - 1)
                    for column in form_columns(form)
                    if column.table is table and column.key in sheet.keys
                ]
                rows, numbers = [], []
                for number, values in sheet.rows:
                    row = {}
                    for column, position in columns:
                        value = values[position] if position < len(values) else None
                        value = _from_cell(value, column.spec.kind)
                        if value is not None:
                            row[column.spec.key] = value
                    if row:
                        rows.append(row)
                        numbers.append(number)
                if rows:
                    tables[table.key] = rows
                located.rows[(form.key, table.key)] = numbers
        if tables:
            out["tables"] = tables
        if out:
            raw[form.key] = out
    return raw, located, problems


def _locate(
    convention: str, parsed: _Parsed, located: _Located, problem: forms_schema.Problem
) -> ImportProblem:
    schema = forms_schema.schema_for(convention)
    form = schema.form(problem.form)
    if form is not None and problem.table:
        name = sheet_name(convention, form)
        sheet = parsed.sheets.get(name)
        numbers = located.rows.get((problem.form, problem.table), [])
        number = numbers[problem.row - 1] if 0 < problem.row <= len(numbers) else 0
        key = f"{problem.table}.{problem.field}"
        column = (sheet.keys.get(key) if sheet else None) or 1
        cell = f"{get_column_letter(column)}{number}" if number else ""
        return ImportProblem(name, cell, key, problem.message, problem.path)
    key = f"{problem.form}.{problem.field}"
    return _problem_at(parsed, key, problem.message, problem.path)


@dataclass
class _Identity:
    state: State | None = None
    convention: str = ""
    kind: str = ""
    reporting_year: int | None = None
    language: str = ""
    contacts: dict = field(default_factory=dict)


def _identity(parsed: _Parsed, problems: list[ImportProblem]) -> _Identity:
    identity = _Identity()
    meta_convention = str(parsed.meta.get("convention") or "").strip()
    version = str(parsed.meta.get("template_version") or "").strip()
    if meta_convention not in forms_schema.SCHEMAS:
        problems.append(
            ImportProblem(
                META_SHEET, "B2", "convention", _("The template's convention is unknown.")
            )
        )
        return identity
    if version != TEMPLATE_VERSION:
        problems.append(
            ImportProblem(
                META_SHEET,
                "B1",
                "template_version",
                _("This file was made from an older template: download a fresh one."),
            )
        )

    def value(key: str, kind: str = "text") -> object:
        entry = parsed.report.get(key)
        return _from_cell(entry[0], kind) if entry else None

    for spec in IDENTITY:
        if spec.key not in parsed.report:
            problems.append(
                ImportProblem(
                    REPORT_SHEET,
                    "",
                    spec.key,
                    _("The row with the key “%(key)s” is missing.") % {"key": spec.key},
                )
            )
        elif value(spec.key) is None:
            problems.append(_problem_at(parsed, spec.key, _("This field is required.")))
    convention = str(value("convention") or "").strip().upper()
    if convention and convention not in forms_schema.SCHEMAS:
        problems.append(
            _problem_at(
                parsed,
                "convention",
                _("Unknown convention “%(code)s”: use CCM or APMBC.") % {"code": convention},
            )
        )
    elif convention and convention != meta_convention:
        problems.append(
            _problem_at(
                parsed,
                "convention",
                _(
                    "This file is the %(template)s template: it cannot hold a %(code)s report. "
                    "Download the %(code)s template."
                )
                % {"template": meta_convention, "code": convention},
            )
        )
    identity.convention = meta_convention
    iso3 = str(value("state") or "").strip().upper()
    if iso3:
        identity.state = State.objects.filter(iso3=iso3).first()
        if identity.state is None:
            problems.append(
                _problem_at(parsed, "state", _("Unknown state code “%(code)s”.") % {"code": iso3})
            )
    kind = value("kind", "choice")
    kind = kind.lower() if isinstance(kind, str) else kind
    if kind is not None:
        if kind not in ReportKind.values:
            problems.append(
                _problem_at(
                    parsed,
                    "kind",
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(ReportKind.values)},
                )
            )
        else:
            identity.kind = kind
    year = value("reporting_year", "year")
    if year is not None:
        cleaned, error = forms_schema._clean_value(IDENTITY[3], year)
        if error:
            problems.append(_problem_at(parsed, "reporting_year", error))
        else:
            identity.reporting_year = cleaned
    language = value("language", "choice")
    language = language.lower() if isinstance(language, str) else language
    if language is not None:
        if language not in services.LANGUAGES:
            problems.append(
                _problem_at(
                    parsed,
                    "language",
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(services.LANGUAGES)},
                )
            )
        else:
            identity.language = language
    for spec in CONTACTS:
        text = value(spec.key) or ""
        text = str(text).strip()
        if spec.max_length and len(text) > spec.max_length:
            problems.append(
                _problem_at(
                    parsed,
                    spec.key,
                    _("Use at most %(max)s characters.") % {"max": spec.max_length},
                )
            )
        elif spec.key == "contact_email" and text:
            try:
                validate_email(text)
            except ValidationError:
                problems.append(_problem_at(parsed, spec.key, _("Enter a valid e-mail address.")))
        identity.contacts[spec.key] = text
    return identity


def _membership_problems(
    identity: _Identity, parsed: _Parsed, problems: list[ImportProblem]
) -> None:
    """The checks report_start makes, made first so they come with every other problem."""
    if identity.state is None or not identity.convention:
        return
    membership = Membership.objects.filter(
        state=identity.state, convention__code=identity.convention
    ).first()
    eif = membership.entry_into_force if membership else None
    if eif is None:
        problems.append(
            _problem_at(
                parsed,
                "state",
                _("%(state)s is not a State Party of the %(convention)s.")
                % {"state": identity.state.iso3, "convention": identity.convention},
            )
        )
        return
    year = identity.reporting_year
    if year is None or not identity.kind:
        return
    if identity.kind == ReportKind.INITIAL and year != eif.year:
        problems.append(
            _problem_at(
                parsed,
                "reporting_year",
                _("An initial report covers the year of entry into force: %(year)s.")
                % {"year": eif.year},
            )
        )
    elif year < eif.year:
        problems.append(
            _problem_at(
                parsed,
                "reporting_year",
                _("The %(convention)s entered into force for %(state)s in %(year)s.")
                % {
                    "convention": identity.convention,
                    "state": identity.state.iso3,
                    "year": eif.year,
                },
            )
        )
    elif year > timezone.localdate().year:
        problems.append(
            _problem_at(parsed, "reporting_year", _("A report cannot cover a future year."))
        )


def _target(
    identity: _Identity, report: Report | None, parsed: _Parsed, problems: list[ImportProblem]
) -> Report | None:
    """The report the file updates (None: a new one), checked against ``report``."""
    if report is not None:
        expected = {
            "state": report.state.iso3,
            "convention": report.convention.code,
            "kind": report.kind,
            "reporting_year": report.reporting_year,
        }
        found = {
            "state": identity.state.iso3 if identity.state else None,
            "convention": identity.convention,
            "kind": identity.kind or None,
            "reporting_year": identity.reporting_year,
        }
        for key, wanted in expected.items():
            if found[key] is not None and found[key] != wanted:
                problems.append(
                    _problem_at(
                        parsed,
                        key,
                        _("This file is for %(found)s; the report being updated is for %(wanted)s.")
                        % {"found": found[key], "wanted": wanted},
                    )
                )
        return report
    if identity.state is None or not identity.kind or identity.reporting_year is None:
        return None
    return Report.objects.filter(
        state=identity.state,
        convention__code=identity.convention,
        kind=identity.kind,
        reporting_year=identity.reporting_year,
    ).first()


def _row_actions(convention: str, cleaned: dict, located: _Located, draft_forms: dict):
    actions: list[RowAction] = []
    for form in forms_schema.schema_for(convention).forms:
        name = sheet_name(convention, form)
        for table in form.tables:
            new = (cleaned.get(form.key) or {}).get("tables", {}).get(table.key, [])
            numbers = located.rows.get((form.key, table.key), [])
            old = (draft_forms.get(form.key) or {}).get("tables", {}).get(table.key, [])
            for position, number in enumerate(numbers, start=1):
                row = new[position - 1] if position <= len(new) else None
                if position <= len(old):
                    actions.append(
                        RowAction(
                            name,
                            number,
                            form.key,
                            table.key,
                            position,
                            "update",
                            row != old[position - 1],
                        )
                    )
                else:
                    actions.append(RowAction(name, number, form.key, table.key, position, "add"))
            for position in range(len(numbers) + 1, len(old) + 1):
                actions.append(RowAction(name, 0, form.key, table.key, position, "remove"))
    return actions


def _from_validation_error(error: ValidationError, parsed: _Parsed) -> list[ImportProblem]:
    problems = []
    details = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    for key, messages in details.items():
        for message in messages:
            if key in parsed.report:
                problems.append(_problem_at(parsed, key, message))
            else:
                problems.append(ImportProblem(REPORT_SHEET, "", key, message, key))
    return problems


def import_report(
    data: bytes,
    *,
    user,
    report: Report | None = None,
    permit: Callable[[Report], bool] | None = None,
) -> ImportResult:
    """Validate a filled workbook whole and, when it has no problem at all, write it: a new
    report (``services.report_start``) or the current draft of the existing one
    (``services.version_update``). ``report``, when given, is the report the file must be
    for. Permissions are the caller's job; ``user`` is recorded as the author.

    Without ``report`` the file names the report it is for, so the caller cannot check
    permissions beforehand: ``permit``, when given, is asked about the report the file
    would write — the existing one, or an unsaved ``Report(state=..., convention=...)``
    to be created (as the API checks ``reports.add_report``) — and a refusal is a problem
    on the state cell; nothing is written."""
    workbook, problem = _open(data)
    if problem is not None:
        return ImportResult([problem], [], report, False)
    try:
        parsed = _read(workbook)
        convention = str(parsed.meta.get("convention") or "").strip()
        if not parsed.problems and convention in forms_schema.SCHEMAS:
            for form in forms_schema.schema_for(convention).forms:
                if form.tables:
                    _read_form_sheet(workbook, sheet_name(convention, form), form, parsed)
    except Exception as error:  # a malformed sheet inside a well-formed archive
        return ImportResult([_unreadable(error)], [], report, False)
    finally:
        workbook.close()
    problems = list(parsed.problems)
    if problems and not parsed.report:
        return ImportResult(problems, [], report, False)
    identity = _identity(parsed, problems)
    if not identity.convention:
        return ImportResult(problems, [], report, False)
    raw, located, form_problems = _raw_forms(identity.convention, parsed)
    problems += form_problems
    cleaned, schema_problems = forms_schema.clean_forms(identity.convention, raw)
    problems += [_locate(identity.convention, parsed, located, p) for p in schema_problems]
    _membership_problems(identity, parsed, problems)
    target = _target(identity, report, parsed, problems)
    draft = services.current_draft(target) if target is not None else None
    if target is not None and draft is None:
        problems.append(
            ImportProblem(
                REPORT_SHEET,
                _report_cell(parsed, "state"),
                "status",
                _(
                    "This report has been submitted and a submitted version is never edited "
                    "in place: amend the report first to open a new draft, then import."
                ),
                "status",
            )
        )
    if permit is not None and identity.state is not None and not problems:
        probe = target or Report(
            state=identity.state,
            convention=Convention.objects.get(code=identity.convention),
            kind=identity.kind,
            reporting_year=identity.reporting_year,
        )
        if not permit(probe):
            problems.append(
                _problem_at(
                    parsed,
                    "state",
                    _("Your account may not write the reports of %(state)s.")
                    % {"state": identity.state.iso3},
                )
            )
    rows = _row_actions(identity.convention, cleaned, located, draft.forms if draft else {})
    if problems:
        return ImportResult(problems, rows, target, False)
    contacts = {**identity.contacts, "language": identity.language}
    try:
        with transaction.atomic():
            created = target is None
            if created:
                target = services.report_start(
                    state=identity.state,
                    convention=Convention.objects.get(code=identity.convention),
                    kind=identity.kind,
                    reporting_year=identity.reporting_year,
                    language=identity.language,
                    user=user,
                )
                draft = services.current_draft(target)
            services.version_update(version=draft, forms=cleaned, data=contacts)
    except ValidationError as error:
        return ImportResult(
            _from_validation_error(error, parsed), rows, None if created else target, False
        )
    return ImportResult([], rows, target, True, created)

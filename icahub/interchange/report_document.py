"""A filled Article 7 report as a document in the layout of the official forms: DOCX
(python-docx) and PDF (WeasyPrint, from an HTML template of the same layout).

Both formats are drawn from one :class:`ReportDocument`, built once in the requested
language, so they always carry the same content: a cover page (convention, State,
reporting period, date of submission, version, contact under Art. 7.1(l), and the table
marking each form changed / unchanged / not applicable), then one section per form (its
mark, narrative, scalar fields as a two-column table, and its tables with their column
labels), the voluntary part last. Arabic documents run right to left.

Public API: :func:`render_docx`, :func:`render_pdf`, :func:`report_html`,
:func:`pdf_document`, :func:`report_document`, :func:`document_filename`,
``DOCX_CONTENT_TYPE`` and ``PDF_CONTENT_TYPE``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.template import Context, Engine
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_DIRECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from icahub.assistance.models import AREA_LABELS, MODALITY_LABELS
from icahub.registry.articles import convention_name
from icahub.reports import forms_schema
from icahub.reports.models import Report, ReportVersion

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "interchange/report_document.html"
LATIN_FONT = "Noto Sans"
ARABIC_FONT = "Noto Naskh Arabic"
NUMERIC_KINDS = {"int", "decimal", "year"}
DATE_FORMAT = "j F Y"  # as on the report's web page
RTL_TEXT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
PAGE_PLACEHOLDER = re.compile(r"%\((number|count)\)s")

# Labels of the coded choices in the forms. Areas and modalities share the needs' labels.
_YES_NO = {True: gettext_lazy("Yes"), False: gettext_lazy("No")}
CHOICE_LABELS = {
    "area": AREA_LABELS,
    "modality": MODALITY_LABELS,
    "type": MODALITY_LABELS,  # assistance provided or received: financial, technical, material
    "kind": {
        "legislation": pgettext_lazy("implementation measure", "Legislation"),
        "regulation": pgettext_lazy("implementation measure", "Regulation"),
        "administrative": pgettext_lazy("implementation measure", "Administrative measure"),
        "penal_sanction": pgettext_lazy("implementation measure", "Penal sanction"),
        "other": gettext_lazy("Other"),
    },
    "state_of_play": {
        "in_force": pgettext_lazy("implementation measure", "In force"),
        "in_preparation": pgettext_lazy("implementation measure", "In preparation"),
    },
    "service": {
        "medical_care": pgettext_lazy("victim assistance service", "Medical care"),
        "rehabilitation": pgettext_lazy("victim assistance service", "Rehabilitation"),
        "psychological_support": pgettext_lazy(
            "victim assistance service", "Psychological support"
        ),
        "socio_economic_inclusion": pgettext_lazy(
            "victim assistance service", "Socio-economic inclusion"
        ),
        "data_collection": pgettext_lazy("victim assistance service", "Data collection"),
        "other": gettext_lazy("Other"),
    },
    "national_plan": {
        "adopted": pgettext_lazy("national plan", "Adopted"),
        "in_preparation": pgettext_lazy("national plan", "In preparation"),
        "none": pgettext_lazy("national plan", "None"),
    },
}
FORM_COLUMN = pgettext_lazy("report document", "Form")


@dataclass(frozen=True)
class Cell:
    """A value shown in the document. ``dir`` is set only when the value reads in another
    direction than the document (an e-mail address or a telephone number in an Arabic
    report, an English narrative in an Arabic one): it keeps its own reading order."""

    text: str
    numeric: bool = False
    dir: str = ""


@dataclass(frozen=True)
class DocumentTable:
    label: str
    columns: list[Cell]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class DocumentForm:
    key: str
    heading: str
    mark: str
    narrative: list[Cell]
    fields: list[tuple[str, Cell]]
    tables: list[DocumentTable]
    voluntary: bool
    empty: bool


@dataclass(frozen=True)
class ReportDocument:
    """Everything the document shows, already translated and formatted."""

    language: str
    direction: str  # "ltr" or "rtl"
    title: str
    state: str
    running_head: str
    details: list[tuple[str, list[Cell]]]
    cover_columns: tuple[str, str]
    cover_forms: list[tuple[str, str]]
    forms: list[DocumentForm]
    empty_text: str
    # The footer "Page X of Y", split around its two numbers: ("text", ...), ("page",),
    # ("pages",) so each format puts its own page counters in the translated sentence.
    page_label: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def text_direction(text: str) -> str:
    """The direction a value reads in, from its first strong character (Unicode bidi
    rules P2-P3); digits and signs alone (a number, a telephone number) read left to right."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _cell(text: str, direction: str, *, numeric: bool = False) -> Cell:
    own = text_direction(text) if text else direction
    return Cell(text, numeric, "" if own == direction else own)


def _date(value) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return date_format(value, DATE_FORMAT)


def _number(value, kind: str) -> str:
    if kind == "year":
        return str(value)
    try:
        number = int(value) if kind == "int" else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return number_format(number, force_grouping=True)


def _choice(spec: forms_schema.Field, value) -> str:
    label = CHOICE_LABELS.get(spec.key, {}).get(value)
    return str(label) if label else str(value).replace("_", " ").capitalize()


def _value(spec: forms_schema.Field, value) -> str:
    if value is None or value == "":
        return ""
    if spec.kind in NUMERIC_KINDS:
        return _number(value, spec.kind)
    if spec.kind == "date":
        try:
            return _date(value)
        except ValueError:
            return str(value)
    if spec.kind == "bool":
        return str(_YES_NO[bool(value)])
    if spec.kind == "choice":
        return _choice(spec, value)
    return str(value)


def _form_heading(form: forms_schema.Form) -> str:
    if form.voluntary:
        return str(form.title)
    return _("Form %(letter)s: %(title)s") % {"letter": form.key, "title": form.title}


def _form_mark(data: dict) -> str:
    status = data.get("status", "")
    if not status:
        return ""
    mark = str(forms_schema.FORM_STATUS_LABELS.get(status, status))
    if status == "unchanged" and data.get("last_reported"):
        mark += " (" + _("last reported %(year)s") % {"year": data["last_reported"]} + ")"
    return mark


def _form(form: forms_schema.Form, data: dict, direction: str) -> DocumentForm:
    values = data.get("fields") or {}
    fields = [
        (str(spec.label), _cell(_value(spec, values.get(spec.key)), direction))
        for spec in form.fields
        if values.get(spec.key) not in (None, "")
    ]
    tables = []
    for table in form.tables:
        rows = (data.get("tables") or {}).get(table.key) or []
        if not rows:
            continue
        numeric = [column.kind in NUMERIC_KINDS for column in table.columns]
        tables.append(
            DocumentTable(
                label=str(table.label),
                columns=[
                    Cell(str(column.label), flag)
                    for column, flag in zip(table.columns, numeric, strict=True)
                ],
                rows=[
                    [
                        _cell(_value(column, row.get(column.key)), direction, numeric=flag)
                        for column, flag in zip(table.columns, numeric, strict=True)
                    ]
                    for row in rows
                ],
            )
        )
    lines = [line.strip() for line in str(data.get("narrative", "")).splitlines()]
    narrative = [_cell(line, direction) for line in lines if line]
    return DocumentForm(
        key=form.key,
        heading=_form_heading(form),
        mark=_form_mark(data),
        narrative=narrative,
        fields=fields,
        tables=tables,
        voluntary=form.voluntary,
        empty=not (narrative or fields or tables),
    )


def _contact(version: ReportVersion, direction: str) -> list[Cell]:
    lines = [
        getattr(version, name)
        for name in ("contact_name", "contact_organisation", "contact_email", "contact_phone")
    ]
    return [_cell(line, direction) for line in lines if line] or [Cell("—")]


def _page_label() -> list[tuple[str, ...]]:
    sentence = _("Page %(number)s of %(count)s")
    parts: list[tuple[str, ...]] = []
    position = 0
    for match in PAGE_PLACEHOLDER.finditer(sentence):
        if match.start() > position:
            parts.append(("text", sentence[position : match.start()]))
        parts.append(("page",) if match[1] == "number" else ("pages",))
        position = match.end()
    if position < len(sentence):
        parts.append(("text", sentence[position:]))
    return parts


def report_document(
    report: Report, version: ReportVersion, *, language: str = "en"
) -> ReportDocument:
    """The report's version as a translated, formatted document model."""
    if language not in _languages():
        raise ValueError(f"Unknown language {language!r}.")
    schema = forms_schema.schema_for(report.convention.code)
    with translation.override(language):
        direction = "rtl" if translation.get_language_bidi() else "ltr"
        state = report.state.name
        cover_forms, forms = [], []
        for form in schema.forms:
            document_form = _form(form, version.forms.get(form.key) or {}, direction)
            forms.append(document_form)
            if not form.voluntary:
                cover_forms.append((document_form.heading, document_form.mark or _("Not reported")))
        version_label = f"{version.number} — {version.get_status_display()}"
        period = f"{_date(report.period_start)} – {_date(report.period_end)}"
        return ReportDocument(
            language=language,
            direction=direction,
            title=f"{convention_name(report.convention.code)} — {_('Article 7 report')}",
            state=state,
            running_head=(
                f"{state} — {report.convention.code} {report.reporting_year} — "
                f"{_('Version %(number)s') % {'number': version.number}}"
            ),
            details=[
                (_("State"), [Cell(state)]),
                (_("Kind"), [Cell(report.get_kind_display())]),
                (_("Reporting period"), [Cell(period)]),
                (_("Due date"), [Cell(_date(report.due_date))]),
                (_("Submitted on"), [Cell(_date(version.submitted_on))]),
                (_("Version"), [Cell(version_label)]),
                (_("Contact"), _contact(version, direction)),
            ],
            cover_columns=(str(FORM_COLUMN), _("Status")),
            cover_forms=cover_forms,
            forms=forms,
            empty_text=_("Nothing reported in this form."),
            page_label=_page_label(),
        )


def document_filename(report: Report, version: ReportVersion, extension: str) -> str:
    """A download name such as ``LAO-CCM-annual-2017-v2.pdf`` (ASCII only)."""
    return (
        f"{report.state.iso3}-{report.convention.code}-{report.kind}-"
        f"{report.reporting_year}-v{version.number}.{extension}"
    )


# --- HTML and PDF -------------------------------------------------------------------------

_ENGINE = Engine(dirs=[str(TEMPLATES_DIR)], autoescape=True)


def _css_string(text: str) -> str:
    escaped = "".join(f"\\{ord(char):x} " if char in '"\\<>\n\r' else char for char in text)
    return f'"{escaped}"'


def _page_css(parts: list[tuple[str, ...]]) -> str:
    tokens = []
    for part in parts:
        if part[0] == "text":
            tokens.append(_css_string(part[1]))
        else:
            tokens.append(f"counter({part[0]})")
    return " ".join(tokens)


def report_html(report: Report, version: ReportVersion, language: str = "en") -> str:
    """The HTML the PDF is printed from (A4, no external resources)."""
    document = report_document(report, version, language=language)
    template = _ENGINE.get_template(TEMPLATE_NAME)
    return template.render(
        Context(
            {
                "doc": document,
                "page_css": _page_css(document.page_label),
                "running_head_css": _css_string(document.running_head),
            }
        )
    )


def render_pdf(report: Report, version: ReportVersion, *, language: str = "en") -> bytes:
    """The report's version as an A4 PDF in the layout of the official forms."""
    return pdf_document(report, version, language=language).write_pdf()


def pdf_document(report: Report, version: ReportVersion, *, language: str = "en"):
    """The laid-out WeasyPrint document: its ``pages`` can be counted and inspected."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        """The document refers to nothing outside itself: refuse every fetch."""

        def fetch(self, url, headers=None):
            raise ValueError(f"report documents load no external resource ({url})")

    html = report_html(report, version, language)
    return HTML(string=html, base_url=str(TEMPLATES_DIR), url_fetcher=NoFetching()).render()


# --- DOCX ---------------------------------------------------------------------------------

_PPR_AFTER_BIDI = (
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_SECTPR_AFTER_BIDI = ("w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")
_TRPR_AFTER_HEADER = ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")
_TCPR_AFTER_SHD = (
    "w:noWrap",
    "w:tcMar",
    "w:textDirection",
    "w:tcFitText",
    "w:vAlign",
    "w:hideMark",
    "w:headers",
    "w:cellIns",
    "w:cellDel",
    "w:cellMerge",
    "w:tcPrChange",
)
_RPR_AFTER_SZCS = (
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_DOCX_LANGUAGES = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES", "ar": "ar-SA"}


def _child(parent, tag: str, successors: tuple[str, ...]):
    """The ``tag`` child of ``parent``, added in its schema position when missing."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        parent.insert_element_before(element, *successors)
    return element


def _fonts(rpr, *, size: float | None = None) -> None:
    """Explicit fonts (no theme fonts): Latin text in Noto Sans, Arabic in Noto Naskh
    Arabic (``w:cs``, the complex-script slot Word uses for right-to-left runs)."""
    fonts = rpr.get_or_add_rFonts()
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(slot), LATIN_FONT)
    fonts.set(qn("w:cs"), ARABIC_FONT)
    if size is not None:
        half_points = str(round(size * 2))
        rpr.get_or_add_sz().set(qn("w:val"), half_points)
        # Word sizes complex-script (Arabic) text by w:szCs, not w:sz.
        _child(rpr, "w:szCs", _RPR_AFTER_SZCS).set(qn("w:val"), half_points)


def _setup_styles(document, language: str) -> None:
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, size=10)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), _DOCX_LANGUAGES["en" if language == "ar" else language])
    lang.set(qn("w:bidi"), _DOCX_LANGUAGES["ar"])
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "80")
    spacing.set(qn("w:line"), "264")
    for name, size, before, after in (
        ("Title", 18, 0, 8),  # size, space before and after, in points
        ("Subtitle", 14, 0, 12),
        ("Heading 1", 13, 14, 5),
        ("Heading 2", 10.5, 9, 3),
    ):
        style = styles[name]
        _fonts(style.element.get_or_add_rPr(), size=size)
        style.font.bold = True
        style.font.cs_bold = True
        style.font.italic = False
        style.font.cs_italic = False
        # No letter spacing or kerning from the template: spacing letters apart would
        # break the joins of Arabic script.
        for tag in ("w:spacing", "w:kern"):
            for element in style.element.rPr.findall(qn(tag)):
                style.element.rPr.remove(element)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = True
    # The title's rule in black, like the text (the template draws it in the theme's blue).
    for border in styles["Title"].element.iter(qn("w:bottom")):
        border.set(qn("w:color"), "000000")
        border.attrib.pop(qn("w:themeColor"), None)


def _direct(paragraph, *, rtl: bool, numeric: bool = False, flush_right: bool = False) -> None:
    """Set a paragraph's direction. A right-to-left paragraph gets w:bidi and its runs of
    RTL script w:rtl; its start edge is then the right one, so no alignment is written
    (Word reads w:jc left/right in a bidi paragraph as start/end). A left-to-right value
    in a right-to-left document (``flush_right``) stays LTR, aligned to the right edge."""
    if rtl:
        _child(paragraph._p.get_or_add_pPr(), "w:bidi", _PPR_AFTER_BIDI)
    elif numeric or flush_right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in paragraph.runs:
        if RTL_TEXT.search(run.text):
            run.font.rtl = True
            if run.font.bold:
                run.font.cs_bold = True


def _paragraph(container, text: str, *, rtl: bool, style=None, bold=False, italic=False):
    paragraph = container.add_paragraph(style=style)
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    _direct(paragraph, rtl=rtl)
    return paragraph


def _cell_text(cell, values: list[Cell], *, rtl: bool, bold=False) -> None:
    """Fill a table cell, one paragraph per value. Cells follow the document's direction
    unless their value reads the other way; an RTL value in an LTR document keeps an LTR
    paragraph (its Arabic runs marked w:rtl) so the column stays aligned."""
    for index, value in enumerate(values or [Cell("")]):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_before = Pt(1)
        paragraph.paragraph_format.space_after = Pt(1)
        run = paragraph.add_run(value.text)
        if bold:
            run.bold = True
        own_rtl = rtl and value.dir != "ltr"
        _direct(paragraph, rtl=own_rtl, numeric=value.numeric, flush_right=rtl and not own_rtl)


def _shade(cell, fill: str = "E6E6E6") -> None:
    shading = _child(cell._tc.get_or_add_tcPr(), "w:shd", _TCPR_AFTER_SHD)
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)


def _spacer(document, rtl: bool) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(2)
    _direct(paragraph, rtl=rtl)


def _table(
    document,
    header: list[Cell] | None,
    rows: list[list[list[Cell]]],
    *,
    rtl: bool,
    label_column: bool = False,
):
    """A bordered table. ``rows`` hold a list of values (paragraphs) per cell; ``header``,
    when given, is repeated at the top of each page the table runs onto; with
    ``label_column`` the first column holds shaded labels (a two-column field table)."""
    table = document.add_table(rows=0, cols=len(header) if header else len(rows[0]))
    table.style = document.styles["Table Grid"]
    if rtl:
        table.table_direction = WD_TABLE_DIRECTION.RTL  # first column on the right
    if header:
        row = table.add_row()
        _child(row._tr.get_or_add_trPr(), "w:tblHeader", _TRPR_AFTER_HEADER)
        for cell, column in zip(row.cells, header, strict=True):
            _cell_text(cell, [column], rtl=rtl, bold=True)
            _shade(cell)
    for values in rows:
        row = table.add_row()
        _child(row._tr.get_or_add_trPr(), "w:cantSplit", ("w:trHeight", *_TRPR_AFTER_HEADER))
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            label = label_column and index == 0
            _cell_text(cell, value, rtl=rtl, bold=label)
            if label:
                _shade(cell, "F2F2F2")
    if label_column:
        # Both the grid (read by LibreOffice) and each cell (read by Word) carry the widths.
        for column, width in zip(table.columns, (Mm(55), Mm(115)), strict=True):
            column.width = width
            for cell in column.cells:
                cell.width = width
    _spacer(document, rtl)
    return table


def _field(paragraph, instruction: str) -> None:
    field_element = OxmlElement("w:fldSimple")
    field_element.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_element.append(run)
    paragraph._p.append(field_element)


def _footer(section, parts: list[tuple[str, ...]], rtl: bool) -> None:
    paragraph = section.footer.paragraphs[0]
    for part in parts:
        if part[0] == "text":
            paragraph.add_run(part[1])
        else:
            _field(paragraph, "PAGE" if part[0] == "page" else "NUMPAGES")
    _direct(paragraph, rtl=rtl)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def render_docx(report: Report, version: ReportVersion, *, language: str = "en") -> bytes:
    """The report's version as a Word document in the layout of the official forms."""
    doc = report_document(report, version, language=language)
    rtl = doc.rtl
    document = Document()
    _setup_styles(document, language)
    properties = document.core_properties
    properties.title = f"{doc.title} — {doc.state} {report.reporting_year}"
    properties.subject = doc.running_head
    properties.author = "icahub"
    properties.language = language
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    if rtl:
        _child(section._sectPr, "w:bidi", _SECTPR_AFTER_BIDI)
    _footer(section, doc.page_label, rtl)

    # Cover page.
    for text, style in ((doc.title, "Title"), (doc.state, "Subtitle")):
        _paragraph(document, text, rtl=rtl, style=style).alignment = WD_ALIGN_PARAGRAPH.CENTER
    _table(
        document,
        None,
        [[[Cell(label)], lines] for label, lines in doc.details],
        rtl=rtl,
        label_column=True,
    )
    _table(
        document,
        [Cell(doc.cover_columns[0]), Cell(doc.cover_columns[1])],
        [[[Cell(heading)], [Cell(mark)]] for heading, mark in doc.cover_forms],
        rtl=rtl,
    )
    _direct(document.add_paragraph(), rtl=rtl)
    document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)

    # One section per form, the voluntary part last (the schema's order).
    for form in doc.forms:
        _paragraph(document, form.heading, rtl=rtl, style="Heading 1")
        if form.mark:
            _paragraph(document, form.mark, rtl=rtl, bold=True)
        if form.empty:
            _paragraph(document, doc.empty_text, rtl=rtl, italic=True)
        for line in form.narrative:
            # A narrative paragraph reads in its own direction, aligned to its own start.
            _paragraph(document, line.text, rtl=(line.dir or doc.direction) == "rtl")
        if form.fields:
            _table(
                document,
                None,
                [[[Cell(label)], [value]] for label, value in form.fields],
                rtl=rtl,
                label_column=True,
            )
        for table in form.tables:
            _paragraph(document, table.label, rtl=rtl, style="Heading 2")
            _table(document, table.columns, [[[c] for c in row] for row in table.rows], rtl=rtl)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = [
    "DOCX_CONTENT_TYPE",
    "PDF_CONTENT_TYPE",
    "Cell",
    "ReportDocument",
    "document_filename",
    "pdf_document",
    "render_docx",
    "render_pdf",
    "report_document",
    "report_html",
    "text_direction",
]

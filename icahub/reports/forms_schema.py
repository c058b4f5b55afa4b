"""The Article 7 forms as structured data: one schema per convention, used to validate a
version's ``forms`` JSON, to build the XLSX template and to render the document.

CCM forms follow the reporting formats adopted at the 1MSP (CCM/MSP/2010/WP.4, forms A-J);
APMBC forms follow its Article 7 reporting formats (forms A-J, Form J voluntary). Each form
has a cover status (changed / unchanged / not applicable), a narrative, and the scalar
fields and tables listed here. The voluntary part ("needs") holds the assistance a state
requests, one row per need, by area: the statistics count those rows.

Stored shape of ``ReportVersion.forms``::

    {"A": {"status": "changed", "narrative": "...", "fields": {...}, "tables": {"measures": [
        {"kind": "legislation", "title": "...", ...}, ...]}}, ..., "needs": {...}}
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

FORM_STATUSES = ("changed", "unchanged", "not_applicable")
FORM_STATUS_LABELS = {
    "changed": pgettext_lazy("form status", "Changed"),
    "unchanged": pgettext_lazy("form status", "Unchanged"),
    "not_applicable": pgettext_lazy("form status", "Not applicable"),
}
AREAS = (
    "stockpile_destruction",
    "clearance",
    "risk_education",
    "victim_assistance",
    "national_legislation",
    "transparency_reporting",
    "other",
)
MODALITIES = ("financial", "technical", "material", "training", "legal")
ASSISTANCE_TYPES = ("financial", "technical", "material")
CURRENCY = re.compile(r"^[A-Z]{3}$")
NEEDS_FORM = "needs"


@dataclass(frozen=True)
class Field:
    key: str
    label: object
    kind: str  # text, int, decimal, date, year, bool, choice, currency
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 0


@dataclass(frozen=True)
class Table:
    key: str
    label: object
    columns: tuple[Field, ...]
    # (a, b): when column a has a value, column b is required too.
    requires: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Form:
    key: str
    title: object
    fields: tuple[Field, ...] = ()
    tables: tuple[Table, ...] = ()
    # The obligation kinds that make this form relevant: a bare "not applicable" on it is
    # flagged to the author when the state carries such an obligation.
    relevant_to: tuple[str, ...] = ()
    voluntary: bool = False


@dataclass(frozen=True)
class Schema:
    convention: str
    forms: tuple[Form, ...] = field(default_factory=tuple)

    def form(self, key: str) -> Form | None:
        return next((f for f in self.forms if f.key == key), None)


def _text(key, label, required=False):
    return Field(key, label, "text", required)


def _int(key, label, required=False):
    return Field(key, label, "int", required)


def _area(key, label, required=False):
    return Field(key, label, "decimal", required)


def _choice(key, label, choices, required=False):
    return Field(key, label, "choice", required, tuple(choices))


MEASURES = Table(
    "measures",
    _("Measures"),
    (
        _choice(
            "kind",
            _("Type of measure"),
            ("legislation", "regulation", "administrative", "penal_sanction", "other"),
            True,
        ),
        _text("title", _("Title"), True),
        Field("adopted_on", _("Date adopted"), "date"),
        _choice("state_of_play", _("Status"), ("in_force", "in_preparation")),
    ),
)
STOCKPILES = Table(
    "stockpiles",
    _("Stockpiles by type"),
    (
        _text("type", _("Type"), True),
        _int("held", _("Held at the start of the period"), True),
        _int("destroyed", _("Destroyed during the period"), True),
        _int("remaining", _("Remaining at the end of the period"), True),
        _int("submunitions_remaining", _("Submunitions remaining")),
    ),
)
CONTAMINATION = Table(
    "areas",
    _("Contaminated and cleared area by region"),
    (
        _text("region", _("Area or region"), True),
        Field("year", _("Year"), "year", True),
        _area("contaminated_m2", _("Contaminated area at the start (m²)"), True),
        _area("cleared_m2", _("Area cleared during the year (m²)"), True),
        _area("remaining_m2", _("Area remaining (m²)"), True),
    ),
)
RISK_EDUCATION = Table(
    "programmes",
    _("Risk education programmes"),
    (
        _text("programme", _("Programme"), True),
        _text("region", _("Area or region")),
        _int("people_reached", _("People reached")),
    ),
)
VICTIM_FIELDS = (
    _int("victims_recorded", _("Victims recorded")),
    _text("focal_point", _("Government focal point")),
    _choice("national_plan", _("National plan"), ("adopted", "in_preparation", "none")),
    _text("survivors_participation", _("Participation of survivors")),
)
VICTIM_SERVICES = Table(
    "services",
    _("Services"),
    (
        _choice(
            "service",
            _("Service"),
            (
                "medical_care",
                "rehabilitation",
                "psychological_support",
                "socio_economic_inclusion",
                "data_collection",
                "other",
            ),
            True,
        ),
        _text("description", _("Description")),
        _int("people_reached", _("People reached")),
    ),
)
MONEY = (
    Field("amount", _("Amount"), "decimal", True),
    Field("currency", _("Currency (ISO 4217)"), "currency", True),
)
NATIONAL_RESOURCES = Table(
    "national_resources",
    _("National resources"),
    (_text("article", _("Article"), True), *MONEY),
)
ASSISTANCE_PROVIDED = Table(
    "assistance_provided",
    _("International cooperation and assistance provided"),
    (
        _text("recipient", _("Recipient"), True),
        *MONEY,
        _choice("type", _("Type"), ASSISTANCE_TYPES, True),
        _text("article", _("Article"), True),
    ),
)
ASSISTANCE_RECEIVED = Table(
    "assistance_received",
    _("International cooperation and assistance received"),
    (
        _text("provider", _("Provider"), True),
        *MONEY,
        _choice("type", _("Type"), ASSISTANCE_TYPES, True),
        _text("article", _("Article"), True),
    ),
)
NEEDS = Table(
    "needs",
    _("Assistance needed"),
    (
        _choice("area", _("Area"), AREAS, True),
        _choice("modality", _("Modality"), MODALITIES, True),
        Field("title", _("Title"), "text", required=True, max_length=300),
        _text("description", _("Description")),
        Field("budget_required", _("Budget required"), "decimal"),
        Field("currency", _("Currency (ISO 4217)"), "currency"),
    ),
    requires=(("budget_required", "currency"),),
)
RETAINED = Table(
    "retained",
    _("Retained or transferred"),
    (
        _text("type", _("Type"), True),
        _int("retained", _("Quantity retained")),
        _int("transferred", _("Quantity transferred")),
        _text("purpose", _("Purpose and institution")),
    ),
)
FACILITIES = Table(
    "facilities",
    _("Production facilities"),
    (_text("facility", _("Facility"), True), _text("state_of_play", _("Status of conversion"))),
)
CHARACTERISTICS = Table(
    "characteristics",
    _("Technical characteristics"),
    (_text("type", _("Type"), True), _text("characteristics", _("Characteristics"))),
)

NEEDS_PART = Form(NEEDS_FORM, _("Voluntary: assistance needed"), tables=(NEEDS,), voluntary=True)

CCM = Schema(
    "CCM",
    (
        Form("A", _("National implementation measures"), tables=(MEASURES,)),
        Form(
            "B",
            _("Stockpiles and their destruction"),
            tables=(STOCKPILES,),
            relevant_to=("stockpile_destruction",),
        ),
        Form("C", _("Technical characteristics"), tables=(CHARACTERISTICS,)),
        Form("D", _("Cluster munitions retained or transferred"), tables=(RETAINED,)),
        Form(
            "E", _("Conversion or decommissioning of production facilities"), tables=(FACILITIES,)
        ),
        Form(
            "F",
            _("Contaminated areas and clearance"),
            tables=(CONTAMINATION,),
            relevant_to=("clearance",),
        ),
        Form(
            "G",
            _("Risk reduction education and warnings"),
            tables=(RISK_EDUCATION,),
            relevant_to=("clearance",),
        ),
        Form(
            "H",
            _("Victim assistance"),
            fields=VICTIM_FIELDS,
            tables=(VICTIM_SERVICES,),
            relevant_to=("victim_assistance",),
        ),
        Form(
            "I",
            _("National resources and international cooperation and assistance"),
            tables=(NATIONAL_RESOURCES, ASSISTANCE_PROVIDED, ASSISTANCE_RECEIVED),
        ),
        Form("J", _("Other relevant matters")),
        NEEDS_PART,
    ),
)

APMBC = Schema(
    "APMBC",
    (
        Form("A", _("National implementation measures"), tables=(MEASURES,)),
        Form(
            "B",
            _("Stockpiled anti-personnel mines"),
            tables=(STOCKPILES,),
            relevant_to=("stockpile_destruction",),
        ),
        Form(
            "C", _("Location of mined areas"), tables=(CONTAMINATION,), relevant_to=("clearance",)
        ),
        Form("D", _("Mines retained or transferred"), tables=(RETAINED,)),
        Form(
            "E", _("Conversion or decommissioning of production facilities"), tables=(FACILITIES,)
        ),
        Form(
            "F",
            _("Programmes for the destruction of anti-personnel mines"),
            relevant_to=("stockpile_destruction", "clearance"),
        ),
        Form("G", _("Anti-personnel mines destroyed"), tables=(STOCKPILES,)),
        Form("H", _("Technical characteristics"), tables=(CHARACTERISTICS,)),
        Form(
            "I",
            _("Measures to warn the population"),
            tables=(RISK_EDUCATION,),
            relevant_to=("clearance",),
        ),
        Form(
            "J",
            _("Other relevant matters: victim assistance, cooperation and assistance"),
            fields=VICTIM_FIELDS,
            tables=(VICTIM_SERVICES, NATIONAL_RESOURCES, ASSISTANCE_PROVIDED, ASSISTANCE_RECEIVED),
            relevant_to=("victim_assistance",),
        ),
        NEEDS_PART,
    ),
)

SCHEMAS = {"CCM": CCM, "APMBC": APMBC}


@dataclass(frozen=True)
class Problem:
    """One problem in a report's forms, located so a page, the API or an XLSX import can
    point at it: form key, table key and row number (1-based) when in a table, field key."""

    form: str
    field: str
    message: str
    table: str = ""
    row: int = 0

    @property
    def path(self) -> str:
        parts = [f"forms.{self.form}"]
        if self.table:
            parts.append(f"tables.{self.table}[{self.row}]")
        elif self.field not in {"status", "narrative", "form"}:
            parts.append("fields")
        parts.append(self.field)
        return ".".join(parts)


def schema_for(convention: str) -> Schema:
    return SCHEMAS[convention]


def _clean_value(spec: Field, value: object) -> tuple[object, str | None]:
    """The cleaned value and an error message (None when valid). Empty means absent."""
    if value is None or value == "":
        return None, ("This field is required." if spec.required else None)
    kind = spec.kind
    if kind == "text":
        text = str(value)
        if spec.max_length and len(text) > spec.max_length:
            return None, f"Use at most {spec.max_length} characters."
        return text, None
    if kind in {"int", "year"}:
        if isinstance(value, bool):
            return None, "Enter a whole number."
        try:
            number = int(str(value).strip())
        except ValueError:
            return None, "Enter a whole number."
        if kind == "year" and not 1990 <= number <= 2100:
            return None, "Enter a year between 1990 and 2100."
        if number < 0:
            return None, "Enter a number of zero or more."
        return number, None
    if kind == "decimal":
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None, "Enter a number."
        if not number.is_finite() or number < 0:
            return None, "Enter a number of zero or more."
        # Stored as a plain decimal string: JSON floats would round money and areas.
        return format(number.normalize(), "f"), None
    if kind == "date":
        if isinstance(value, dt.date):
            return value.isoformat(), None
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat(), None
        except ValueError:
            return None, "Enter a date as YYYY-MM-DD."
    if kind == "bool":
        if isinstance(value, bool):
            return value, None
        return None, "Enter true or false."
    if kind == "choice":
        if str(value) not in spec.choices:
            return None, f"Choose one of: {', '.join(spec.choices)}."
        return str(value), None
    if kind == "currency":
        code = str(value).strip().upper()
        if not CURRENCY.match(code):
            return None, "Enter a three-letter ISO 4217 currency code, e.g. USD."
        return code, None
    raise ValueError(f"unknown field kind {kind!r}")


def clean_forms(convention: str, data: object) -> tuple[dict, list[Problem]]:
    """Validate a version's forms against the convention's schema.

    Returns the cleaned forms (numbers as numbers, dates as ISO strings, empty values
    dropped) and every problem found, so a page or an import can show them all at once.
    """
    schema = schema_for(convention)
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return {}, [Problem("*", "forms", "The forms must be an object keyed by form letter.")]
    cleaned: dict = {}
    for key in data:
        if schema.form(key) is None:
            problems.append(
                Problem(str(key), "form", f"Unknown form '{key}' for the {convention}.")
            )
    for form in schema.forms:
        raw = data.get(form.key)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            problems.append(Problem(form.key, "form", "Each form must be an object."))
            continue
        out: dict = {}
        status = raw.get("status") or ("changed" if not form.voluntary else "")
        if status and status not in FORM_STATUSES:
            problems.append(
                Problem(form.key, "status", f"Choose one of: {', '.join(FORM_STATUSES)}.")
            )
        elif status:
            out["status"] = status
        narrative = raw.get("narrative")
        if narrative not in (None, ""):
            out["narrative"] = str(narrative)
        for unknown in set(raw) - {"status", "narrative", "fields", "tables", "last_reported"}:
            problems.append(Problem(form.key, str(unknown), "Unknown key in this form."))
        if raw.get("last_reported") not in (None, ""):
            out["last_reported"] = raw["last_reported"]
        fields_in = raw.get("fields") or {}
        fields_out = {}
        known = {spec.key for spec in form.fields}
        for unknown in set(fields_in) - known:
            problems.append(Problem(form.key, str(unknown), "Unknown field in this form."))
        for spec in form.fields:
            value, error = _clean_value(spec, fields_in.get(spec.key))
            if error and status != "not_applicable":
                problems.append(Problem(form.key, spec.key, error))
            elif value is not None:
                fields_out[spec.key] = value
        if fields_out:
            out["fields"] = fields_out
        tables_in = raw.get("tables") or {}
        tables_out = {}
        for unknown in set(tables_in) - {t.key for t in form.tables}:
            problems.append(Problem(form.key, str(unknown), "Unknown table in this form."))
        for table in form.tables:
            rows = tables_in.get(table.key) or []
            if not isinstance(rows, list):
                problems.append(Problem(form.key, table.key, "A table must be a list of rows."))
                continue
            rows_out = []
            for number, row in enumerate(rows, start=1):
                if not isinstance(row, dict):
                    problems.append(
                        Problem(form.key, "row", "Each row must be an object.", table.key, number)
                    )
                    continue
                for unknown in set(row) - {c.key for c in table.columns}:
                    problems.append(
                        Problem(form.key, str(unknown), "Unknown column.", table.key, number)
                    )
                row_out = {}
                for spec in table.columns:
                    value, error = _clean_value(spec, row.get(spec.key))
                    if error:
                        problems.append(Problem(form.key, spec.key, error, table.key, number))
                    elif value is not None:
                        row_out[spec.key] = value
                for present, needed in table.requires:
                    if (
                        present in row_out
                        and needed not in row_out
                        and not any(
                            p.table == table.key and p.row == number and p.field == needed
                            for p in problems
                        )
                    ):
                        problems.append(
                            Problem(
                                form.key,
                                needed,
                                f"Required when {present} is given.",
                                table.key,
                                number,
                            )
                        )
                rows_out.append(row_out)
            if rows_out:
                tables_out[table.key] = rows_out
        if tables_out:
            out["tables"] = tables_out
        if out:
            cleaned[form.key] = out
    return cleaned, problems


def requested_areas(forms: dict) -> set[str]:
    """The areas in which a version's voluntary part requests assistance."""
    rows = (forms.get(NEEDS_FORM) or {}).get("tables", {}).get("needs", [])
    return {row["area"] for row in rows if row.get("area")}


def bare_not_applicable(convention: str, forms: dict, obligation_kinds: set[str]) -> list[str]:
    """Forms marked "not applicable" with no narrative although the state's obligations
    make them relevant: the author is asked to explain or fill them."""
    flagged = []
    for form in schema_for(convention).forms:
        data = forms.get(form.key) or {}
        if (
            data.get("status") == "not_applicable"
            and not data.get("narrative")
            and obligation_kinds & set(form.relevant_to)
        ):
            flagged.append(form.key)
    return flagged

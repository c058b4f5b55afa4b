"""Reading flow and exchange-rate files (CSV or XLSX) into rows for the services.

The first row holds the column names (the same as the CSV export's codes, see
``FLOW_COLUMNS``). Each problem is named by its row (as numbered in a spreadsheet, the
header being row 1) and column, and nothing is written unless every row is right.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from icahub.assistance.models import AREA_CHOICES, MODALITY_CHOICES, Need, Visibility
from icahub.coalitions.models import Coalition
from icahub.funding.models import CooperationModel, FlowStatus
from icahub.interchange import uploads
from icahub.registry.models import Organisation, State

MAX_ROWS = 5000
FLOW_COLUMNS = (
    "giver_state",
    "giver_organisation",
    "recipient_state",
    "recipient_organisation",
    "recipient_coalition",
    "need",
    "area",
    "status",
    "amount",
    "currency",
    "value_date",
    "year",
    "modality",
    "cooperation_model",
    "notes_on_use",
    "visibility",
)
REQUIRED_FLOW_COLUMNS = ("status", "amount", "currency", "value_date")
RATE_COLUMNS = ("currency", "valid_from", "usd_per_unit", "source")


def read_table(upload) -> tuple[list[dict], list[str]]:
    """The rows of an uploaded CSV or XLSX file as dicts keyed by the header's names."""
    # The type comes from the content (``uploads.check``, already run by the form), never
    # from the name.
    file_type = uploads.check(upload, accepted=uploads.TABLE_TYPES, stored=False)
    data = upload.read()
    if file_type is uploads.XLSX:
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise ValidationError({"file": _("This is not a readable XLSX file.")}) from error
        values = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError({"file": _("Save the CSV file as UTF-8.")}) from error
        values = list(csv.reader(io.StringIO(text)))
    if not values:
        raise ValidationError({"file": _("The file is empty.")})
    header = [str(v or "").strip().lower() for v in values[0]]
    rows = []
    for raw in values[1:]:
        if all(v in (None, "") for v in raw):
            continue
        rows.append(
            {
                header[i]: "" if v is None else v
                for i, v in enumerate(raw)
                if i < len(header) and header[i]
            }
        )
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": _("A file holds at most %(max)s rows.") % {"max": MAX_ROWS}})
    return rows, header


def _check_header(header: list[str], allowed: tuple[str, ...], required: tuple[str, ...]):
    unknown = [name for name in header if name and name not in allowed]
    missing = [name for name in required if name not in header]
    errors = {}
    if unknown:
        errors["file"] = _("Unknown column(s): %(names)s. Allowed: %(allowed)s.") % {
            "names": ", ".join(unknown),
            "allowed": ", ".join(allowed),
        }
    elif missing:
        errors["file"] = _("Missing column(s): %(names)s.") % {"names": ", ".join(missing)}
    if errors:
        raise ValidationError(errors)


def _text(value) -> str:
    return str(value).strip() if value is not None else ""


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError as error:
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from error


def _decimal(value) -> Decimal:
    try:
        number = Decimal(_text(value).replace(",", ""))
    except InvalidOperation as error:
        raise ValueError(_("Enter a number.")) from error
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    return number


def _choice(value, choices) -> str:
    code = _text(value)
    if code not in dict(choices):
        raise ValueError(_("Choose one of: %(codes)s.") % {"codes": ", ".join(dict(choices))})
    return code


def _state(value) -> State:
    state = State.objects.filter(iso3=_text(value).upper()).first()
    if state is None:
        raise ValueError(_("Unknown state: give its ISO alpha-3 code."))
    return state


def _organisation(value) -> Organisation:
    text = _text(value)
    organisation = (
        Organisation.objects.filter(pk=int(text)).first()
        if text.isdigit()
        else Organisation.objects.filter(acronym__iexact=text).first()
    )
    if organisation is None:
        raise ValueError(_("Unknown organisation: give its id or acronym."))
    return organisation


def _coalition(value) -> Coalition:
    text = _text(value)
    coalition = Coalition.objects.filter(pk=int(text)).first() if text.isdigit() else None
    if coalition is None:
        raise ValueError(_("Unknown coalition: give its id."))
    return coalition


def _need(value) -> Need:
    text = _text(value)
    need = Need.objects.filter(pk=int(text)).first() if text.isdigit() else None
    if need is None:
        raise ValueError(_("Unknown need: give its id."))
    return need


def _year(value) -> int:
    text = _text(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not text.isdigit():
        raise ValueError(_("Enter a year, e.g. 2024."))
    return int(text)


FLOW_PARSERS = {
    "giver_state": _state,
    "giver_organisation": _organisation,
    "recipient_state": _state,
    "recipient_organisation": _organisation,
    "recipient_coalition": _coalition,
    "need": _need,
    "area": lambda v: _choice(v, AREA_CHOICES),
    "status": lambda v: _choice(v, FlowStatus.choices),
    "amount": _decimal,
    "currency": lambda v: _text(v).upper(),
    "value_date": _date,
    "year": _year,
    "modality": lambda v: _choice(v, MODALITY_CHOICES),
    "cooperation_model": lambda v: _choice(v, CooperationModel.choices),
    "notes_on_use": _text,
    "visibility": lambda v: _choice(v, Visibility.choices),
}
RATE_PARSERS = {
    "currency": lambda v: _text(v).upper(),
    "valid_from": _date,
    "usd_per_unit": _decimal,
    "source": _text,
}


def check_file(upload, kind: str) -> int:
    """Check what can be checked while the user waits (a readable CSV or XLSX, at most
    ``MAX_ROWS`` rows, known and required columns) and return the number of rows; the rows
    themselves are checked by the import job. ``kind`` is ``"flows"`` or ``"rates"``."""
    rows, header = read_table(upload)
    if kind == "flows":
        _check_header(header, FLOW_COLUMNS, REQUIRED_FLOW_COLUMNS)
    else:
        _check_header(header, RATE_COLUMNS, RATE_COLUMNS)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return len(rows)


def read_flow_rows(upload) -> list[dict]:
    """Each row as ``{"fields": {...}}`` ready for ``flow_create``, or ``{"errors":
    {column: message}}`` when a cell cannot be read."""
    rows, header = read_table(upload)
    _check_header(header, FLOW_COLUMNS, REQUIRED_FLOW_COLUMNS)
    out = []
    for row in rows:
        fields, errors = {}, {}
        for name, value in row.items():
            if _text(value) == "":
                continue
            try:
                fields[name] = FLOW_PARSERS[name](value)
            except ValueError as error:
                errors[name] = str(error)
        for name in REQUIRED_FLOW_COLUMNS:
            if name not in fields and name not in errors:
                errors[name] = _("This field is required.")
        out.append({"errors": errors} if errors else {"fields": fields})
    return out


def read_rate_rows(upload) -> list[dict]:
    """Rows for ``exchange_rates_import``; a cell that cannot be read is reported with its
    row and column."""
    rows, header = read_table(upload)
    _check_header(header, RATE_COLUMNS, RATE_COLUMNS)
    out, errors = [], {}
    for number, row in enumerate(rows, start=2):
        values = {}
        for name in RATE_COLUMNS:
            value = row.get(name, "")
            if _text(value) == "":
                errors[f"row {number}, {name}"] = [_("This field is required.")]
                continue
            try:
                values[name] = RATE_PARSERS[name](value)
            except ValueError as error:
                errors[f"row {number}, {name}"] = [str(error)]
        out.append(values)
    if errors:
        raise ValidationError(errors)
    return out

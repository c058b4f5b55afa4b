"""Progress towards an obligation's deadline as reported in Article 7 reports, and the date
of completion projected at the recent rate. Pure functions over plain values.

The quantity followed depends on the obligation (CCM Arts. 3 and 4; APMBC Arts. 4 and 5):

- clearance: the contaminated area still to clear, the sum of ``remaining_m2`` in the
  report's table of contaminated areas (CCM form F, APMBC form C), taking only the rows of
  the latest year the table gives when it gives several;
- stockpile destruction: the munitions or mines still held, the sum of ``remaining`` in the
  report's first stockpile table (form B of both conventions).

Victim assistance has no such quantity: no timeline is drawn for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from icahub.reports.forms_schema import SCHEMAS

TABLE_FOR_KIND = {
    "clearance": ("areas", "remaining_m2"),
    "stockpile_destruction": ("stockpiles", "remaining"),
}
# How many of the latest reports the rate is measured over.
RATE_WINDOW = 3


def _number(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def remaining_from_forms(convention: str, forms: dict, kind: str) -> Decimal | None:
    """The quantity still remaining that a version's ``forms`` report for an obligation
    ``kind``, or None when the report gives none."""
    if kind not in TABLE_FOR_KIND or convention not in SCHEMAS or not isinstance(forms, dict):
        return None
    table_key, column = TABLE_FOR_KIND[kind]
    form = next(
        (f for f in SCHEMAS[convention].forms if any(t.key == table_key for t in f.tables)), None
    )
    if form is None:
        return None
    part = forms.get(form.key)
    tables = part.get("tables") if isinstance(part, dict) else None
    rows = tables.get(table_key) if isinstance(tables, dict) else None
    rows = [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
    years = [int(y) for y in (_number(row.get("year")) for row in rows) if y is not None]
    if years:
        latest = max(years)
        rows = [row for row in rows if _number(row.get("year")) == latest]
    values = [v for v in (_number(row.get(column)) for row in rows) if v is not None]
    if not values:
        return None
    return sum(values, Decimal("0"))


@dataclass(frozen=True)
class Projection:
    """``status``: ``projected`` (``completion`` is set), ``completed`` (nothing remains),
    ``too_few_points`` (fewer than two reports give the quantity) or ``no_progress`` (the
    quantity did not fall over the reports measured)."""

    status: str
    completion: dt.date | None = None
    rate_per_year: Decimal | None = None
    on_time: bool | None = None


def project_completion(
    points: list[tuple[dt.date, Decimal]], deadline: dt.date | None = None
) -> Projection:
    """When the quantity reaches zero at the rate it fell between the first and the last of
    the latest ``RATE_WINDOW`` reports (a straight line), and whether that is by
    ``deadline``."""
    ordered = sorted(points)
    if ordered and ordered[-1][1] <= 0:
        return Projection("completed", completion=ordered[-1][0], on_time=None)
    window = ordered[-RATE_WINDOW:]
    if len(window) < 2:
        return Projection("too_few_points")
    (first_date, first_value), (last_date, last_value) = window[0], window[-1]
    days = (last_date - first_date).days
    fallen = first_value - last_value
    if days <= 0 or fallen <= 0:
        return Projection("no_progress")
    per_day = fallen / days
    days_left = int((last_value / per_day).to_integral_value(rounding="ROUND_CEILING"))
    try:
        completion = last_date + dt.timedelta(days=days_left)
    except OverflowError:
        completion = dt.date.max
    return Projection(
        "projected",
        completion=completion,
        rate_per_year=(per_day * Decimal("365.25")).quantize(Decimal("0.01")),
        on_time=None if deadline is None else completion <= deadline,
    )

"""Date rules of the relay procedure, as pure functions (no ORM).

The procedure follows the UN Security Council 1540 Committee's practice for matching
assistance requests: before a request is passed to possible assistance providers, the
requesting state is told and may object within a set period; a year later the Committee
asks whether the assistance was delivered. icahub uses 5 working days for the objection
period and 12 months for the follow-up.
"""

from __future__ import annotations

import calendar
import datetime as dt

OBJECTION_WORKING_DAYS = 5
FOLLOW_UP_MONTHS = 12
SATURDAY = 5


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday. Public holidays are NOT taken into account: they differ from
    state to state (and between the ISU in Geneva and the requesting capital), so a holiday
    counts as a working day. The requesting state can still object up to the deadline."""
    return day.weekday() < SATURDAY


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted).
    Relayed on a Friday, 5 working days end the next Friday; relayed on a Saturday, they end
    the next Friday too (the weekend does not count)."""
    if days < 0:
        raise ValueError("days must be zero or more")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def objection_deadline(relayed_on: dt.date) -> dt.date:
    """The last day on which the requesting state may object to a relay."""
    return add_working_days(relayed_on, OBJECTION_WORKING_DAYS)


def objection_open(deadline: dt.date, today: dt.date) -> bool:
    """An objection is accepted up to and including the deadline day."""
    return today <= deadline


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` moved by whole months; a day that the target month lacks becomes its last
    day (31 January + 1 month = 28 or 29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def follow_up_due(sent_on: dt.date) -> dt.date:
    """When the parties are asked whether the need was met: 12 months after sending."""
    return add_months(sent_on, FOLLOW_UP_MONTHS)

"""Reads of obligations for pages, exports and the API."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from icahub.obligations import rules
from icahub.obligations.models import Obligation

STATUS_FILTERS = {"in_progress", "due_soon", "overdue", "completed", "unknown"}


def _completed_q(on: dt.date) -> Q:
    return (
        ~Q(completion_declaration="") & (Q(completed_on__isnull=True) | Q(completed_on__lte=on))
    ) | Q(completed_on__lte=on)


def obligation_status_q(status: str, on: dt.date) -> Q:
    """A filter matching obligations whose status on ``on`` is ``status`` (see rules)."""
    completed = _completed_q(on)
    horizon = rules.add_months(on, 12)
    time_bound = ~Q(kind="victim_assistance")
    if status == "completed":
        return completed & time_bound
    open_ = ~completed & time_bound
    if status == "unknown":
        return open_ & Q(current_deadline__isnull=True)
    if status == "overdue":
        return open_ & Q(current_deadline__lt=on)
    if status == "due_soon":
        return open_ & Q(current_deadline__gte=on, current_deadline__lte=horizon)
    if status == "in_progress":
        return (open_ & Q(current_deadline__gt=horizon)) | Q(kind="victim_assistance")
    raise ValueError(f"unknown status {status!r}")


def obligation_list(
    *,
    on: dt.date,
    state: str | None = None,
    convention: str | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> QuerySet[Obligation]:
    obligations = Obligation.objects.select_related("state", "convention").prefetch_related(
        "extensions"
    )
    if state:
        obligations = obligations.filter(state__iso3=state.upper())
    if convention:
        obligations = obligations.filter(convention__code=convention.upper())
    if kind:
        obligations = obligations.filter(kind=kind)
    if status:
        obligations = obligations.filter(obligation_status_q(status, on))
    return obligations.order_by("current_deadline", "state__name_en", "convention__code")


def upcoming_deadlines(*, on: dt.date, months: int) -> QuerySet[Obligation]:
    """Open time-bound obligations whose current deadline falls in the next ``months``."""
    return (
        Obligation.objects.select_related("state", "convention")
        .filter(~_completed_q(on), current_deadline__gte=on)
        .filter(current_deadline__lte=rules.add_months(on, months))
        .order_by("current_deadline")
    )


def overdue_obligations(*, on: dt.date) -> QuerySet[Obligation]:
    """Open time-bound obligations whose current deadline has passed with no later extension
    recorded here."""
    return (
        Obligation.objects.select_related("state", "convention")
        .filter(obligation_status_q("overdue", on))
        .order_by("current_deadline", "state__name_en")
    )

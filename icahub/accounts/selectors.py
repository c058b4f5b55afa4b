"""Reads of the accounts app: the sign-in audit."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from icahub.accounts.models import LoginEvent


def login_event_list(
    *,
    kind: str = "",
    username: str = "",
    ip_address: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[LoginEvent]:
    """Events, newest first; ``username`` matches the name as typed, ignoring case; the
    dates are whole days in UTC, both included."""
    events = LoginEvent.objects.all()
    if kind:
        events = events.filter(kind=kind)
    if username:
        events = events.filter(username__iexact=username.strip())
    if ip_address:
        events = events.filter(ip_address=ip_address)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-pk")

"""What a locked-out visitor gets (django-axes' ``AXES_LOCKOUT_CALLABLE``): the translated
"too many attempts" page, or for the API (the token endpoint) a JSON 429 with Retry-After."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LOCKED_OUT_STATUS = 429


def cooloff_seconds() -> int:
    """How long a lock-out lasts, from ``AXES_COOLOFF_TIME`` (hours, as django-axes reads a
    number); 0 when it lasts until the ISU unlocks the account."""
    hours = getattr(settings, "AXES_COOLOFF_TIME", None)
    if not hours:
        return 0
    if hasattr(hours, "total_seconds"):
        return int(hours.total_seconds())
    return int(float(hours) * 3600)


def _wait_message(seconds: int) -> str:
    if not seconds:
        return _("Ask the ISU to unlock your account.")
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Try again in %(minutes)s minute.", "Try again in %(minutes)s minutes.", minutes
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    seconds = cooloff_seconds()
    wait = _wait_message(seconds)
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "detail": _("Too many failed attempts to sign in with this username. %(wait)s")
                % {"wait": wait},
                "code": "locked_out",
            },
            status=LOCKED_OUT_STATUS,
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"wait": wait, "failure_limit": settings.AXES_FAILURE_LIMIT},
            status=LOCKED_OUT_STATUS,
        )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response

"""Small pieces every page view uses: today's date, permission checks, and the query string
without the page number for pagination links."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()


def denied_unless(request: HttpRequest, perm: str, obj: object = None) -> HttpResponse | None:
    """None when the user holds ``perm`` (on ``obj``); otherwise the sign-in page for an
    anonymous visitor, or 403 for a signed-in user who lacks the permission."""
    if request.user.has_perm(perm, obj):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's validation error beside the field it names (or above the form).

    A refused concurrent edit (icahub/versioning.py) becomes the error summary's "someone
    else saved this record" with a link to reload."""
    from icahub.versioning import is_concurrent_edit

    if is_concurrent_edit(error) and hasattr(form, "add_concurrent_edit_error"):
        form.add_concurrent_edit_error(error)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""

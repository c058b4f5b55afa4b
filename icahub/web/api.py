"""One exception handler for the whole API: domain errors become 400/403/404 JSON bodies
that name the field and the problem, never a 500."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _django_validation_detail(error: DjangoValidationError) -> dict | list:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return {"non_field_errors": error.messages}


def _is_conflict(error: DjangoValidationError) -> bool:
    errors = (
        [e for items in error.error_dict.values() for e in items]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return bool(errors) and all(e.code == "conflict" for e in errors)


def exception_handler(exc, context):
    """Map domain errors once: ValidationError -> 400, PermissionDenied -> 403, 404."""
    if isinstance(exc, DjangoValidationError):
        conflict = _is_conflict(exc)
        exc = exceptions.ValidationError(_django_validation_detail(exc))
        if conflict:
            # The request is well formed but clashes with the record's state (a submitted
            # report edited in place, a second draft): 409, still naming the field.
            exc.status_code = 409
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    if isinstance(exc, exceptions.Throttled):
        # Like the lock-out's 429 ("locked_out"), so a client tells the two apart by code.
        response.data = {**response.data, "code": "throttled"}
    return Response(response.data, status=response.status_code, headers=response.headers)

"""Domain errors shared by the apps' services.

Services raise Django's ValidationError naming the field. A *conflict* is input that is
well formed but clashes with the record's state (a submitted report edited in place, a
second report for the same year); the API answers it with 409 instead of 400.
"""

from django.core.exceptions import ValidationError

CONFLICT = "conflict"


def conflict(field: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=CONFLICT)})

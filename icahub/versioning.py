"""Optimistic locking: two people editing one record never overwrite each other silently.

Every record people edit (on a page or through the API) carries a ``lock_version``. A page
puts the version it showed into the form (a hidden field), an API client sends the version
it read (``lock_version`` in the PATCH/PUT body). The update service then *claims* that
version with one conditional UPDATE, inside its transaction::

    UPDATE ... SET lock_version = lock_version + 1 WHERE id = %s AND lock_version = %s

If another save came first the row no longer has that version, nothing is written and the
service raises :class:`ConcurrentEditError` (a ValidationError with the ``conflict`` code:
the API answers 409 naming ``lock_version``, the page shows the error summary with a link
to reload). The UPDATE also locks the row until the transaction ends, so a second save
that started at the same moment waits, then finds the version moved and is refused; no
check-then-act window is left open.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from icahub.errors import CONFLICT

FIELD = "lock_version"

CONFLICT_MESSAGE = _(
    "Someone else saved this record while you were editing: reload to see their changes; "
    "your changes were not saved."
)
STALE_DELETE_MESSAGE = _(
    "Someone else saved this record since you opened it: reload to see their changes; "
    "nothing was deleted."
)


class ConcurrentEditError(ValidationError):
    """The record changed since the editor read it; the edit was refused (409)."""

    def __init__(self, message=CONFLICT_MESSAGE) -> None:
        super().__init__({FIELD: ValidationError(message, code=CONFLICT)})


class Versioned(models.Model):
    """Abstract base: the version an edit must name to be accepted."""

    lock_version = models.PositiveIntegerField(
        _("version"),
        default=0,
        editable=False,
        help_text=_("Goes up by one at every saved edit; an edit naming an older one is refused."),
    )

    class Meta:
        abstract = True


def claim_version(instance: models.Model, expected: int | None, *, deleting: bool = False) -> int:
    """Move ``instance`` from version ``expected`` to the next one, or refuse the edit.

    Call it inside the update service's transaction, before writing. ``expected=None``
    (imports, commands and tasks that hold no version) skips the comparison but still moves
    the version on, so that anyone editing meanwhile is told. Returns the new version and
    sets it on the instance so that a following ``save()`` keeps it.
    """
    queryset = type(instance)._default_manager.filter(pk=instance.pk)
    if expected is not None:
        queryset = queryset.filter(lock_version=expected)
    if queryset.update(lock_version=F(FIELD) + 1) != 1:
        raise ConcurrentEditError(STALE_DELETE_MESSAGE if deleting else CONFLICT_MESSAGE)
    new_version = (
        type(instance)._default_manager.filter(pk=instance.pk).values_list(FIELD, flat=True).get()
    )
    instance.lock_version = new_version
    return new_version


def is_concurrent_edit(error: ValidationError) -> bool:
    """Does this error say the record moved on under the editor?"""
    return (
        hasattr(error, "error_dict")
        and FIELD in error.error_dict
        and any(e.code == CONFLICT for e in error.error_dict[FIELD])
    )


# Pages -----------------------------------------------------------------------------------


class VersionedFormMixin(forms.Form):
    """Carries the version of the record the page showed (hidden), hands it to the view as
    ``form.expected_version`` and keeps it out of ``cleaned_data`` (services take it
    apart from the fields they edit).

    A form built for an existing record (``instance=`` for a ModelForm, or
    ``version=`` for a plain form) starts from the record's version; a posted form keeps
    the version the user's page had, so a refused save stays refused until they reload.
    """

    lock_version = forms.IntegerField(
        label=_("Version"), widget=forms.HiddenInput, required=False, min_value=0
    )

    def __init__(self, *args, version: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if version is None:
            instance = getattr(self, "instance", None)
            if instance is not None and instance.pk is not None:
                version = getattr(instance, FIELD, None)
        self.fields[FIELD].initial = version
        self.expects_version = version is not None
        self.expected_version: int | None = None
        self.lock_conflict = False

    def clean(self):
        cleaned = super().clean()
        version = cleaned.pop(FIELD, None) if cleaned is not None else None
        if self.expects_version and version is None:
            # A form for an existing record posted without the version it edits (an old
            # page, a hand-made request): refuse rather than overwrite blindly.
            self.add_concurrent_edit_error()
        self.expected_version = version
        return cleaned

    def add_concurrent_edit_error(self, error: ValidationError | None = None) -> None:
        """Show the ui.md error summary for a refused save; the user's input stays."""
        self.lock_conflict = True
        message = CONFLICT_MESSAGE
        if error is not None and hasattr(error, "error_dict"):
            message = error.error_dict[FIELD][0].messages[0]
        self.add_error(None, ValidationError(message, code=CONFLICT))


def posted_version(request) -> int:
    """The version a page's small action form (a delete button) posted. A missing or
    malformed one is -1, which no record has: the action is refused, never done blindly."""
    raw = request.POST.get(FIELD, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else -1


# API -------------------------------------------------------------------------------------

LOCK_VERSION_HELP = (
    "The lock_version of the record as you last read it. Required: if someone saved the "
    "record since, the request is refused with 409 and nothing is changed."
)


def lock_version_input(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        **{"min_value": 0, "max_value": 2**31 - 1, "help_text": LOCK_VERSION_HELP, **kwargs}
    )


def lock_version_output() -> serializers.IntegerField:
    return serializers.IntegerField(
        read_only=True,
        help_text="Send it back as lock_version when you change this record.",
    )


class VersionedInput(serializers.Serializer):
    """An update body that must name the version it edits, even in a partial PATCH."""

    lock_version = lock_version_input()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if FIELD not in attrs:
            raise serializers.ValidationError({FIELD: ["This field is required."]})
        return attrs


LOCK_VERSION_PARAMETER = OpenApiParameter(
    FIELD,
    int,
    required=True,
    description="The lock_version of the record as you last read it: a DELETE of a record "
    "someone changed since is refused with 409.",
)


class VersionQuery(serializers.Serializer):
    """A DELETE names the version it removes in the query string (?lock_version=)."""

    lock_version = lock_version_input()


def expected_version_from_query(request) -> int:
    query = VersionQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data[FIELD]


def page_status(form: forms.Form | None) -> int:
    """A page re-shown after a refused save answers 409 Conflict; otherwise 200."""
    return 409 if getattr(form, "lock_conflict", False) else 200


def require_lock_version_in_patches(result, generator, request, public):
    """drf-spectacular hook: a PATCH body is partial (no field required), except
    ``lock_version``, which every change must send; say so in the schema."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if name.startswith("Patched") and FIELD in schema.get("properties", {}):
            required = schema.setdefault("required", [])
            if FIELD not in required:
                required.append(FIELD)
    return result

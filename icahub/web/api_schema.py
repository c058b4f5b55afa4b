"""The API's OpenAPI schema class: every operation documents the error statuses it can answer.

drf-spectacular documents only the success of an operation. The API's one exception handler
(icahub.web.api.exception_handler) answers errors in two shapes, and this class adds them to
each operation where they can occur, so that a client (and the schemathesis run in
icahub/web/tests/test_api_schema.py) knows every status it may receive:

- 400 invalid input (a query parameter, a body field, a malformed body), 409 input that
  clashes with the record's state, 413 a file part over the size limit:
  ``{"field": ["message"]}``;
- 403 not signed in, a bad token, or a role that may not do this; 404 an unknown or unseen
  record in the path; 415 a body in another media type; 429 too many requests:
  ``{"detail": "message"}``.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorOutput(serializers.Serializer):
    """An error that concerns the request as a whole."""

    detail = serializers.CharField(help_text="What went wrong, in the request's language.")


FIELD_ERRORS = {
    "type": "object",
    "description": (
        "The input's errors by field name, each a list of messages; `non_field_errors` for "
        "errors of the whole input; `detail` (a message) for a body that cannot be parsed."
    ),
    "additionalProperties": {},
    "example": {"deposited": ["2016-02-30 is not a date in the calendar."]},
}

DESCRIPTIONS = {
    "400": "Invalid input: the errors name the field at fault.",
    "403": "Not signed in, a bad token, or the role does not allow this.",
    "404": "No such record, or not one this user may see.",
    "409": "Well-formed input that clashes with the record's current state.",
    "413": "A file part of a multipart body is larger than the limit.",
    "415": "The body is not JSON, form-encoded or multipart, or a multipart part is malformed.",
    "429": "Too many requests: wait the number of seconds the message gives.",
}


class IcahubAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for status in self._error_statuses(operation):
            if status in responses:
                continue
            if status in {"400", "409", "413"}:
                schema = self._field_errors().ref
            else:
                schema = self.resolve_serializer(ErrorOutput, "response").ref
            responses[status] = {
                "description": DESCRIPTIONS[status],
                "content": {"application/json": {"schema": schema}},
            }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_statuses(self, operation: dict) -> list[str]:
        parameters = operation.get("parameters", [])
        writes = self.method in WRITE_METHODS
        statuses = []
        if writes or "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            statuses.append("400")
        if self.view.authentication_classes or not self._allows_anyone():
            # A bad token is refused on any operation that reads credentials.
            statuses.append("403")
        if any(p["in"] == "path" for p in parameters):
            statuses.append("404")
        if writes and self.view.authentication_classes:
            statuses.append("409")
        if "requestBody" in operation:
            # A multipart body whose file part is over ICAHUB_MAX_UPLOAD_MB
            # (icahub.interchange.uploads.LimitedMultiPartParser).
            statuses.append("413")
            # A body in another media type, or a multipart body with a malformed part.
            statuses.append("415")
        if self.view.throttle_classes:
            statuses.append("429")
        return statuses

    def _field_errors(self) -> ResolvedComponent:
        component = ResolvedComponent(
            name="FieldErrors",
            type=ResolvedComponent.SCHEMA,
            schema=FIELD_ERRORS,
            object="FieldErrors",
        )
        self.registry.register_on_missing(component)
        return component

    def _allows_anyone(self) -> bool:
        from rest_framework.permissions import AllowAny

        return all(isinstance(p, AllowAny) for p in self.view.get_permissions())

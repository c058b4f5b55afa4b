"""The API's JSON parser: refuses NUL characters anywhere in a body, naming the field.

PostgreSQL stores neither ``\\x00`` in text nor ``\\u0000`` in jsonb: a NUL that reached
the database would end in a 500. DRF's CharField already refuses it, but free-form JSON
(a report's forms, a relay's need) is not made of CharFields, so the parser refuses it
once, for every endpoint, before any serializer runs: 400, keyed by the top-level field,
the message saying where inside it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


def nul_path(value, path: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a NUL character, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return inner
            if (found := nul_path(item, inner)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := nul_path(item, f"{path}[{index}]" if path else f"[{index}]")) is not None:
                return found
    return None


def nul_error(path: str) -> dict[str, list[str]]:
    field = path.split(".", 1)[0].split("[", 1)[0] or "non_field_errors"
    return {
        field: [
            _("Null characters are not allowed (in %(where)s): remove them and try again.")
            % {"where": path.replace("\x00", "")}
        ]
    }


class NulRefusingJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if (path := nul_path(data)) is not None:
            raise exceptions.ValidationError(nul_error(path))
        return data

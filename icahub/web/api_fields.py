"""API fields whose error messages say exactly what is wrong with the input."""

from __future__ import annotations

import datetime as dt
import re

from rest_framework import serializers

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class IsoDateField(serializers.DateField):
    """A YYYY-MM-DD date that tells a malformed value from an impossible one (2016-02-30)."""

    default_error_messages = {
        "invalid": "Use the format YYYY-MM-DD, for example 2016-04-19.",
        "impossible": "{value} is not a date in the calendar.",
    }

    def to_internal_value(self, value):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if not isinstance(value, str) or not ISO_DATE.match(value.strip()):
            self.fail("invalid")
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            self.fail("impossible", value=value.strip())


class IdField(serializers.IntegerField):
    """The id of a record: a positive integer that fits the database's 64-bit keys (a larger
    number is refused with 400 naming the field, instead of overflowing the database)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)

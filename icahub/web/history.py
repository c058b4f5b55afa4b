"""Read the django-simple-history records of domain objects for pages."""

from __future__ import annotations

from dataclasses import dataclass
from heapq import nlargest

from django.db import models
from django.utils.translation import gettext_lazy as _

KINDS = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
IGNORED_FIELDS = {"updated_at", "created_at", "lock_version"}


@dataclass(frozen=True)
class Change:
    field: str
    old: object
    new: object


def history_entries(*objects: models.Model, limit: int = 50) -> list[dict]:
    """The changes of one record and the records that belong to it (an obligation and its
    extensions, a state and its memberships), newest first: who, when, which record and
    the field-level differences."""
    # One query per kind of record, whatever the number of records: a coalition with many
    # members must not read the history table once per member.
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    entries = []
    for model, instances in by_model.items():
        history_model = model.history.model
        pk_name = model._meta.pk.attname
        records_of: dict[object, list] = {}
        for record in (
            history_model.objects.filter(**{f"{pk_name}__in": [obj.pk for obj in instances]})
            .select_related("history_user")
            .order_by(pk_name, "-history_date", "-history_id")
        ):
            records_of.setdefault(getattr(record, pk_name), []).append(record)
        for obj in instances:
            records = records_of.get(obj.pk, [])[: limit + 1]
            entries.extend(_entries(obj, records, limit))
    return nlargest(limit, entries, key=lambda entry: entry["when"])


def _entries(obj: models.Model, records: list, limit: int) -> list[dict]:
    """Entries of one record from its history rows, newest first (``limit`` + 1 rows: the
    extra one is only compared against)."""
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in IGNORED_FIELDS:
                    continue
                label = obj._meta.get_field(change.field).verbose_name
                changes.append(Change(str(label), change.old, change.new))
        entries.append(
            {
                "when": record.history_date,
                "who": record.history_user.get_username() if record.history_user else None,
                "record": f"{obj._meta.verbose_name}: {obj}",
                "kind": KINDS.get(record.history_type, record.history_type),
                "changes": changes,
            }
        )
    return entries


def recent_changes(model_classes: list[type[models.Model]], limit: int = 10) -> list[dict]:
    """The latest changes across several models' histories, newest first."""
    rows = []
    for model in model_classes:
        history_model = model.history.model
        # The historical rows keep the foreign keys; load them in the same query and hand
        # them to the rebuilt instance so that str() needs no query per row.
        related = [
            field.name
            for field in history_model._meta.fields
            if field.many_to_one and field.name in {f.name for f in model._meta.fields}
        ]
        # One level further too: an extension's label names its obligation's state.
        nested = [
            f"{name}__{field.name}"
            for name in related
            for field in model._meta.get_field(name).related_model._meta.fields
            if field.many_to_one
        ]
        records = history_model.objects.select_related("history_user", *related, *nested).order_by(
            "-history_date"
        )[:limit]
        for record in records:
            instance = record.instance
            for name in related:
                setattr(instance, name, getattr(record, name))
            rows.append(
                {
                    "when": record.history_date,
                    "model": model._meta.verbose_name,
                    "label": str(instance),
                    "object": instance,
                    "kind": KINDS.get(record.history_type, record.history_type),
                    "who": record.history_user.get_username() if record.history_user else None,
                }
            )
    return nlargest(limit, rows, key=lambda row: row["when"])

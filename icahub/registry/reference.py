"""Load the public reference data in ``reference/`` (conventions, states, memberships,
organisations). Idempotent: rows are matched on their natural keys and updated in place.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from hdx.location.country import Country

from icahub.registry.models import Article, Convention, Organisation, State
from icahub.registry.services import membership_upsert

REFERENCE_DIR = Path(settings.BASE_DIR) / "reference"
MEMBERSHIP_FILES = {"CCM": "ccm_states.csv", "APMBC": "apmbc_states.csv"}


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool, changed: bool = True) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def read_csv(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _upsert(model, lookup: dict, values: dict, report: LoadReport, kind: str):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        report.count(kind, created=True)
        return obj
    changed = [key for key, value in values.items() if getattr(obj, key) != value]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.full_clean()
        obj.save()
    report.count(kind, created=False, changed=bool(changed))
    return obj


def load_conventions(report: LoadReport) -> None:
    data = json.loads((REFERENCE_DIR / "conventions.json").read_text(encoding="utf-8"))
    for item in data["conventions"]:
        values = {key: value for key, value in item.items() if key not in {"code", "articles"}}
        for key in ("adopted_on", "opened_for_signature", "entry_into_force"):
            values[key] = dt.date.fromisoformat(values[key])
        values["source"] = data["_source"]
        convention = _upsert(Convention, {"code": item["code"]}, values, report, "convention")
        for article in item["articles"]:
            number = article["number"]
            values = {key: value for key, value in article.items() if key != "number"}
            _upsert(
                Article, {"convention": convention, "number": number}, values, report, "article"
            )


def _country_row(iso3: str, countries: dict) -> dict:
    info = countries.get(iso3)
    if info is None:
        raise ValueError(f"iso3 '{iso3}' is not an ISO 3166-1 alpha-3 code known to M49")
    return info


def _m49(code: str | None) -> str:
    return f"{int(code):03d}" if code else ""


def load_states(report: LoadReport) -> None:
    """Every independent state in the UN's terminology list, plus any state in the files."""
    countries = Country.countriesdata(use_live=False)["countries"]
    wanted = {
        iso3
        for iso3, info in countries.items()
        if info.get("Independent") == "Y" and info.get("Appears in UNTERM list") == "Y"
    }
    for name in MEMBERSHIP_FILES.values():
        wanted |= {row["iso3"] for row in read_csv(name)}
    for iso3 in sorted(wanted):
        info = _country_row(iso3, countries)
        values = {
            "iso2": info["ISO 3166-1 Alpha 2-Codes"],
            "m49": _m49(info.get("m49 numerical code")),
            "name_en": info["English Short"] or info["Preferred Term"],
            "name_fr": info["French Short"] or info["Preferred Term"],
            "name_es": info["Spanish Short"] or info["Preferred Term"],
            "name_ar": info["Arabic Short"] or info["Preferred Term"],
            "region_code": _m49(info.get("Region Code")),
            "subregion_code": _m49(info.get("Sub-region Code")),
        }
        _upsert(State, {"iso3": iso3}, values, report, "state")


def load_memberships(report: LoadReport) -> None:
    states = {state.iso3: state for state in State.objects.all()}
    for code, name in MEMBERSHIP_FILES.items():
        convention = Convention.objects.get(code=code)
        for line, row in enumerate(read_csv(name), start=2):
            try:
                _, action = membership_upsert(
                    state=states[row["iso3"]],
                    convention=convention,
                    signed=_date(row["signed"]),
                    deposited=_date(row["deposited"]),
                    instrument=row["instrument"],
                    entry_into_force_stated=_date(row["entry_into_force_stated"]),
                    withdrawal_effective=_date(row["withdrawal_effective"]),
                    source=row["source"],
                )
            except Exception as error:
                raise ValueError(f"{name} line {line} ({row['iso3']}): {error}") from error
            report.count("membership", created=action == "created", changed=action == "updated")


def load_organisations(report: LoadReport) -> None:
    for row in read_csv("organisations.csv"):
        country = State.objects.get(iso3=row["country_iso3"]) if row["country_iso3"] else None
        values = {
            "acronym": row["acronym"],
            "kind": row["kind"],
            "country": country,
            "website": row["website"],
            "description": row["description"],
            "source": row["source"],
        }
        # The file only seeds: once an organisation exists, the ISU and its members own
        # its details, and a reload must not undo their edits.
        if not Organisation.objects.filter(name=row["name"]).exists():
            _upsert(Organisation, {"name": row["name"]}, values, report, "organisation")


@transaction.atomic
def load_registry(report: LoadReport) -> None:
    load_conventions(report)
    load_states(report)
    load_memberships(report)
    load_organisations(report)

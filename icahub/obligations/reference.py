"""Load ``reference/ccm_obligations.csv``: verified CCM obligations, extensions, completions.

A blank cell means "not confirmed": no extension or completion is invented for it. The
original deadline is never read from the file; it follows from entry into force.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from icahub.obligations.models import Obligation
from icahub.obligations.services import extension_record, obligation_create, obligation_update
from icahub.registry.models import Convention, State
from icahub.registry.reference import LoadReport, read_csv

OBLIGATION_FILES = {"CCM": "ccm_obligations.csv"}


@transaction.atomic
def load_obligations(report: LoadReport) -> None:
    for code, name in OBLIGATION_FILES.items():
        convention = Convention.objects.get(code=code)
        for line, row in enumerate(read_csv(name), start=2):
            try:
                _load_row(convention, row, report)
            except Exception as error:
                raise ValueError(f"{name} line {line} ({row['iso3']}): {error}") from error


def _load_row(convention: Convention, row: dict[str, str], report: LoadReport) -> None:
    state = State.objects.get(iso3=row["iso3"])
    obligation = Obligation.objects.filter(
        state=state, convention=convention, kind=row["kind"]
    ).first()
    if obligation is None:
        obligation = obligation_create(
            state=state, convention=convention, kind=row["kind"], source=row["source"]
        )
        report.count("obligation", created=True)
    if int(row["article"]) != obligation.article:
        raise ValueError(f"article {row['article']} does not match kind {row['kind']}")
    known = obligation.extensions.count()
    for sequence in (1, 2, 3):
        new_deadline = row.get(f"extension_{sequence}_to", "")
        if not new_deadline or sequence <= known:
            continue
        extension_record(
            obligation=obligation,
            new_deadline=dt.date.fromisoformat(new_deadline),
            decided_by=row.get(f"extension_{sequence}_decided", ""),
            # A second CCM Art. 3 extension can only have been granted in exceptional
            # circumstances (Art. 3(4)); recording it otherwise would be refused.
            exceptional_circumstances=row["kind"] == "stockpile_destruction" and sequence > 1,
            source=row["source"],
        )
        report.count("extension", created=True)
    obligation.refresh_from_db()
    # Fill what is blank; never overwrite what the ISU or the state recorded since.
    changes = {}
    if row["completion"] and not obligation.completion_declaration:
        changes["completion_declaration"] = row["completion"]
    if row["source"] and not obligation.source:
        changes["source"] = row["source"]
    if changes:
        obligation_update(obligation=obligation, data=changes)
        report.count("obligation", created=False)

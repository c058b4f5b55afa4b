"""Benchmark: import 1,000 filled Article 7 XLSX reports. Prints figures, asserts nothing.

Run standalone: `.venv/bin/python benchmarks/report_import.py [count]`.

On a fresh SQLite database in a temporary directory (reference data loaded), it generates
``count`` (1,000) filled workbooks in memory — annual CCM reports of States Parties taken
from the database, varied states and years, every form of the schema filled with 2-4 rows
per table (Arabic and French text, decimals) — then imports them one after the other with
``import_report`` as the ISU (each creates its report and fills its draft). It prints the
reports imported per second, the peak resident memory of the process (ru_maxrss, before
and after the import loop: the generated files are held in memory) and the
tracemalloc peak of a second, traced pass that re-imports 100 of the files (tracing slows
Python down, so the timed pass is not traced). Aim: 1,000 reports in under 2 minutes on 2
cores.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="icahub-bench-import-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("AXES_ENABLED", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from icahub.interchange import report_xlsx  # noqa: E402
from icahub.registry.models import Convention, Membership  # noqa: E402
from icahub.reports import forms_schema  # noqa: E402
from icahub.reports.models import Report, ReportVersion  # noqa: E402

AIM_SECONDS = 120
TEXTS = (
    "Stock M26 — dépôt n°2",
    "مخزونات الذخائر العنقودية في المنطقة الشمالية",
    "Programme d’éducation aux risques",
    "Survey of the northern provinces",
)
DECIMALS = ("1500.5", "0.25", "1234567.89", "250000", "98765.4321")


def _value(spec: forms_schema.Field, rng: random.Random) -> object:
    """A valid value of the field's kind (the test generator's idea, randomised)."""
    kind = spec.kind
    if kind == "text":
        return rng.choice(TEXTS)
    if kind == "int":
        return rng.randrange(0, 100_000)
    if kind == "year":
        return rng.randrange(2010, 2025)
    if kind == "decimal":
        return rng.choice(DECIMALS)
    if kind == "date":
        return (dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3000))).isoformat()
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "choice":
        return rng.choice(spec.choices)
    if kind == "currency":
        return rng.choice(("USD", "EUR", "CHF", "NOK"))
    raise ValueError(kind)


def filled_forms(convention: str, rng: random.Random) -> dict:
    forms = {}
    for form in forms_schema.schema_for(convention).forms:
        data: dict = {"narrative": rng.choice(TEXTS)}
        if not form.voluntary:
            data["status"] = "changed"
        if form.fields:
            data["fields"] = {spec.key: _value(spec, rng) for spec in form.fields}
        if form.tables:
            data["tables"] = {
                table.key: [
                    {spec.key: _value(spec, rng) for spec in table.columns}
                    for _ in range(rng.randrange(2, 5))
                ]
                for table in form.tables
            }
        cleaned, problems = forms_schema.clean_forms(convention, {form.key: data})
        assert not problems, problems  # noqa: S101 - a generator bug, not a measurement
        forms.update(cleaned)
    return forms


def generate(count: int, seed: int = 11) -> list[bytes]:
    """``count`` filled CCM workbooks, one per (state, year), never written to the DB."""
    rng = random.Random(seed)
    ccm = Convention.objects.get(code="CCM")
    last_year = timezone.localdate().year - 1
    slots = [
        (membership.state, year)
        for membership in Membership.objects.filter(
            convention=ccm, entry_into_force__isnull=False
        ).select_related("state")
        for year in range(membership.entry_into_force.year, last_year + 1)
    ]
    if len(slots) < count:
        raise SystemExit(f"only {len(slots)} (state, year) pairs for {count} reports")
    files = []
    for state, year in rng.sample(slots, count):
        report = Report(state=state, convention=ccm, kind="annual", reporting_year=year)
        version = ReportVersion(
            report=report,
            number=1,
            language=rng.choice(("en", "fr", "es", "ar")),
            contact_name="فاطمة الزهراء",
            contact_organisation="Autorité nationale",
            contact_email=f"focal.{state.iso3.lower()}@example.org",
            forms=filled_forms("CCM", rng),
        )
        files.append(report_xlsx.build_template("CCM", version, language=version.language))
    return files


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(
        f"icahub report import benchmark — {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}, "
        f"database {connection.vendor} ({TMP})\n"
    )
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from icahub.accounts.models import User

    isu = User.objects.create_user(username="bench-isu", role="isu")

    start = time.perf_counter()
    files = generate(count)
    generated = time.perf_counter() - start
    size = sum(len(data) for data in files)
    print(
        f"{'generate ' + format(count, ',') + ' filled workbooks (in memory)':<52} "
        f"{generated:8.1f} s  {count / generated:8.1f} files/s  {size / 2**20:6.1f} MiB"
    )

    rss_generated = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    failed = 0
    for data in files:
        result = report_xlsx.import_report(data, user=isu)
        if not result.written:
            failed += 1
            if failed <= 3:
                print("  refused:", [str(problem) for problem in result.problems[:3]])
    elapsed = time.perf_counter() - start
    print(
        f"{'import ' + format(count, ',') + ' reports (new reports)':<52} "
        f"{elapsed:8.1f} s  {count / elapsed:8.1f} reports/s  "
        f"{elapsed / count * 1000:6.1f} ms/report"
    )
    if failed:
        print(f"  {failed} files refused")
    print(f"{'reports in the database':<52} {Report.objects.count():8,d}")

    sample = files[:100]
    tracemalloc.start()
    start = time.perf_counter()
    for data in sample:
        report_xlsx.import_report(data, user=isu)  # updates the drafts written above
    traced = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{'re-import ' + str(len(sample)) + ' reports, traced (updates)':<52} "
        f"{traced:8.1f} s  tracemalloc peak {peak / 2**20:6.1f} MiB"
    )
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak resident memory, files generated (ru_maxrss)':<52} {rss_generated:8.1f} MiB")
    print(f"{'peak resident memory of the process (ru_maxrss)':<52} {maxrss:8.1f} MiB")
    scaled = elapsed * 1000 / count
    verdict = "met" if scaled < AIM_SECONDS else "NOT met"
    print(
        f"\naim: 1,000 reports imported in under {AIM_SECONDS} s on 2 cores — "
        f"{scaled:.1f} s for 1,000 at this rate: {verdict}"
    )


if __name__ == "__main__":
    main()

"""icahub benchmarks: print figures, assert nothing. Run with `make bench`.

Measures, on a fresh SQLite database in a temporary directory:
- loading the reference data (conventions, states, memberships, obligations);
- the treaty rules (entry into force and deadlines for every day from 1997 to 2100);
- the median and 95th-percentile time to serve the main pages and API lists in-process
  (Django test client, no network), and the number of queries each runs.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="icahub-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("AXES_ENABLED", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from icahub.obligations import rules  # noqa: E402

PAGES = [
    "/",
    "/states/",
    "/states/?convention=CCM&status=party",
    "/states/LAO/",
    "/obligations/",
    "/obligations/?format=xlsx",
    "/obligations/calculator/?convention=CCM&deposited=2016-04-19",
    "/api/v1/states/",
    "/api/v1/obligations/",
    "/api/v1/rules/deadlines/?convention=CCM&deposited=2016-04-19",
]


def timed(label: str, func) -> float:
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    print(f"{label:<58} {elapsed * 1000:10.1f} ms")
    return elapsed


def bench_rules() -> None:
    days = [dt.date(2008, 12, 3) + dt.timedelta(days=n) for n in range(0, 33000)]

    def run() -> None:
        for day in days:
            rules.deadlines_for_deposit("CCM", day)

    elapsed = timed(f"rules: deadlines for {len(days):,} deposit dates", run)
    print(f"{'':<58} {len(days) / elapsed:10,.0f} dates/s")


def bench_pages(repeat: int = 30) -> None:
    client = Client()
    title = f"page (in-process, {repeat} requests each)"
    print(f"\n{title:<58} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for url in PAGES:
        client.get(url)  # warm caches and templates
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(f"{url:<58} {statistics.median(samples):8.1f} {p95:8.1f} {len(queries):8d}")


def bench_statistics(years: int = 20, repeat: int = 20) -> None:
    """The assistance-request statistic over 20 years x 160 states of annual reports
    (generated rows, written in bulk: this measures the reading, not the services)."""
    import random

    from icahub.registry.models import Convention, State
    from icahub.reports.models import Report, ReportVersion
    from icahub.reports.statistics import assistance_request_statistics

    ccm = Convention.objects.get(code="CCM")
    # 160 states, as the brief asks (more than the CCM's 125 memberships: the benchmark is of
    # the query, so states are taken from the registry whatever their membership).
    states = list(State.objects.order_by("iso3")[:160])
    generator = random.Random(7)
    areas = ["stockpile_destruction", "clearance", "risk_education", "victim_assistance"]
    reports = [
        Report(
            state=state,
            convention=ccm,
            kind="annual",
            reporting_year=year,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            due_date=dt.date(year + 1, 4, 30),
        )
        for year in range(2025 - years, 2025)
        for state in states
    ]
    Report.objects.bulk_create(reports, batch_size=1000)
    versions = []
    for report in Report.objects.filter(convention=ccm):
        needs = [
            {"area": area, "modality": "financial", "title": area}
            for area in areas
            if generator.random() < 0.1
        ]
        versions.append(
            ReportVersion(
                report=report,
                number=1,
                status="submitted",
                submitted_on=dt.date(report.reporting_year + 1, 4, 15),
                forms={
                    "J": {"status": "changed", "narrative": "Generated for the benchmark."},
                    "needs": {"tables": {"needs": needs}},
                },
            )
        )
    ReportVersion.objects.bulk_create(versions, batch_size=1000)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        stats = assistance_request_statistics(
            convention="CCM", reporting_year=2017, as_of=dt.date(2018, 6, 27)
        )
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    label = f"statistics: {len(reports):,} reports, one year ({stats.reports_submitted} counted)"
    print(f"\n{label:<58} {statistics.median(samples):8.1f} ms p50 {samples[-1]:8.1f} ms max")


def main() -> None:
    print(
        f"icahub benchmarks — {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}, database {connection.vendor}\n"
    )
    call_command("migrate", verbosity=0)
    timed(
        "reference data: first load (fresh database)",
        lambda: call_command("load_reference_data", stdout=open(os.devnull, "w")),
    )  # noqa: SIM115
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'':<58} {peak:10.1f} MiB peak resident memory of the process")
    timed(
        "reference data: second load (nothing to change)",
        lambda: call_command("load_reference_data", stdout=open(os.devnull, "w")),
    )  # noqa: SIM115
    bench_rules()
    bench_pages()
    bench_statistics()


if __name__ == "__main__":
    main()

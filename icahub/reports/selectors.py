"""Reads of reports, honouring visibility:

- a draft is seen by the reporting state's focal points and the ISU;
- a submitted version by them, by coordinators and by signed-in users of States Parties
  of that convention (Article 7 reports are transmitted to all States Parties);
- a published version by everyone.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, Prefetch, Q, QuerySet

from icahub.obligations import rules
from icahub.obligations.models import Obligation
from icahub.registry.models import Convention, Membership
from icahub.reports.models import Report, ReportKind, ReportVersion, VersionStatus


def _party_conventions(user) -> set[int]:
    if not user.is_authenticated or user.state_id is None:
        return set()
    return {
        membership.convention_id
        for membership in Membership.objects.filter(
            state_id=user.state_id, entry_into_force__isnull=False, withdrawal_effective=None
        )
    }


def visible_statuses(user, report: Report, party_conventions: set[int] | None = None) -> set[str]:
    """The version statuses of ``report`` that ``user`` may read."""
    if user.has_perm("reports.view_drafts", report):
        return {VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.PUBLISHED}
    if party_conventions is None:
        party_conventions = _party_conventions(user)
    if user.has_perm("reports.view_all_reports") or report.convention_id in party_conventions:
        return {VersionStatus.SUBMITTED, VersionStatus.PUBLISHED}
    return {VersionStatus.PUBLISHED}


def report_list(
    *,
    user,
    state: str | None = None,
    convention: str | None = None,
    reporting_year: int | None = None,
) -> list[tuple[Report, ReportVersion]]:
    """Reports the user may see, each with the latest version visible to them."""
    reports = Report.objects.select_related("state", "convention").prefetch_related(
        Prefetch("versions", queryset=ReportVersion.objects.order_by("-number"))
    )
    if state:
        reports = reports.filter(state__iso3=state.upper())
    if convention:
        reports = reports.filter(convention__code=convention.upper())
    if reporting_year:
        reports = reports.filter(reporting_year=reporting_year)
    party_conventions = _party_conventions(user)
    rows = []
    for report in reports.order_by("-reporting_year", "state__name_en", "kind"):
        statuses = visible_statuses(user, report, party_conventions)
        versions = [v for v in report.versions.all() if v.status in statuses]
        if versions:
            # Oldest first, as report_versions_visible gives them: the API lists them
            # without a query per report.
            report.visible_versions = versions[::-1]
            rows.append((report, versions[0]))
    return rows


def obligation_kinds(reports: list[Report]) -> dict[tuple[int, int], set[str]]:
    """The kinds of obligation (clearance, stockpile destruction...) of each report's state
    under its convention, keyed by (state id, convention id), in one query."""
    kinds: dict[tuple[int, int], set[str]] = {
        (report.state_id, report.convention_id): set() for report in reports
    }
    if not kinds:
        return kinds
    rows = Obligation.objects.filter(
        state_id__in={state for state, _ in kinds},
        convention_id__in={convention for _, convention in kinds},
    ).values_list("state_id", "convention_id", "kind")
    for state, convention, kind in rows:
        if (state, convention) in kinds:
            kinds[(state, convention)].add(kind)
    return kinds


def report_versions_visible(user, report: Report) -> QuerySet[ReportVersion]:
    return report.versions.filter(status__in=visible_statuses(user, report)).order_by("number")


def reporting_compliance(*, convention: Convention, reporting_year: int, on: dt.date) -> list[dict]:
    """Who has reported: every State Party that owes an annual report for the year, with
    its first submission and whether it came on time, late, or is still missing.

    A state owes the annual report for year Y (Art. 7(2)) when the convention was in force
    for it during Y (entry into force on or before 31 December Y) and it had not withdrawn
    before the report fell due.
    """
    due = rules.annual_report_due(reporting_year)
    memberships = (
        Membership.objects.filter(
            convention=convention, entry_into_force__lte=dt.date(reporting_year, 12, 31)
        )
        .filter(Q(withdrawal_effective__isnull=True) | Q(withdrawal_effective__gt=due))
        .select_related("state")
        .order_by("state__name_en")
    )
    first_submissions = dict(
        ReportVersion.objects.filter(
            report__convention=convention,
            report__kind=ReportKind.ANNUAL,
            report__reporting_year=reporting_year,
            submitted_on__isnull=False,
        )
        .values_list("report__state_id")
        .annotate(first=Min("submitted_on"))
    )
    rows = []
    for membership in memberships:
        submitted = first_submissions.get(membership.state_id)
        if submitted is not None:
            status = "on_time" if submitted <= due else "late"
        else:
            status = "missing" if on > due else "not_yet_due"
        rows.append(
            {"state": membership.state, "submitted_on": submitted, "due": due, "status": status}
        )
    return rows

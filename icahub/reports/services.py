"""Writes to Article 7 reports: start a report, edit its draft, submit, amend, publish.

A submitted version is never edited in place (``version_update`` refuses it); an amendment
is a new draft copied from the latest submitted version. Every write is atomic.
"""

from __future__ import annotations

import copy
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icahub.errors import conflict
from icahub.obligations import rules
from icahub.registry.models import Convention, Membership, State
from icahub.reports import forms_schema
from icahub.reports.models import Report, ReportKind, ReportVersion, VersionStatus
from icahub.versioning import claim_version

CONTACT_FIELDS = ("contact_name", "contact_organisation", "contact_email", "contact_phone")
LANGUAGES = ("en", "fr", "es", "ar")


def problems_to_error(problems: list[forms_schema.Problem]) -> ValidationError:
    """One ValidationError naming every problem by its path in the forms."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.path, []).append(problem.message)
    return ValidationError(errors)


def _entry_into_force(state: State, convention: Convention) -> dt.date:
    membership = Membership.objects.filter(state=state, convention=convention).first()
    if membership is None or membership.entry_into_force is None:
        raise ValidationError(
            {"state": f"{state.iso3} is not a State Party of the {convention.code}."}
        )
    return membership.entry_into_force


def report_period(
    *, kind: str, reporting_year: int, entry_into_force: dt.date
) -> tuple[dt.date, dt.date, dt.date]:
    """Reporting period and due date (Art. 7): an initial report covers the state's
    position from entry into force and is due 180 days later; an annual report covers one
    calendar year and is due on 30 April of the next."""
    if kind == ReportKind.INITIAL:
        due = rules.initial_report_due(entry_into_force)
        return entry_into_force, due, due
    return (
        dt.date(reporting_year, 1, 1),
        dt.date(reporting_year, 12, 31),
        rules.annual_report_due(reporting_year),
    )


def _previous_forms(report: Report) -> dict:
    """The latest submitted forms of the state's previous report to the same convention,
    carried forward as "unchanged" with the year they were last reported."""
    previous = (
        ReportVersion.objects.filter(
            report__state=report.state,
            report__convention=report.convention,
            report__reporting_year__lt=report.reporting_year,
        )
        .exclude(status=VersionStatus.DRAFT)
        .select_related("report")
        .order_by("-report__reporting_year", "-number")
        .first()
    )
    if previous is None:
        return {}
    forms = copy.deepcopy(previous.forms)
    for key, form in forms.items():
        if key == forms_schema.NEEDS_FORM:
            continue
        if form.get("status") != "not_applicable":
            if form.get("status") != "unchanged":
                form["last_reported"] = previous.report.reporting_year
            form["status"] = "unchanged"
    # Needs are asked afresh each year: last year's requests are not this year's.
    forms.pop(forms_schema.NEEDS_FORM, None)
    return forms


@transaction.atomic
def report_start(
    *,
    state: State,
    convention: Convention,
    kind: str,
    reporting_year: int,
    language: str = "en",
    user=None,
) -> Report:
    """Open a report with its first draft. An annual report starts from the previous
    report's content, each form marked unchanged with the year it was last reported."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(ReportKind.values)}."})
    if language not in LANGUAGES:
        raise ValidationError({"language": f"Choose one of: {', '.join(LANGUAGES)}."})
    eif = _entry_into_force(state, convention)
    if kind == ReportKind.INITIAL:
        reporting_year = eif.year
    elif reporting_year < eif.year:
        raise ValidationError(
            {
                "reporting_year": f"The {convention.code} entered into force for {state.iso3} "
                f"in {eif.year}; there is no annual report for {reporting_year}."
            }
        )
    if reporting_year > timezone.localdate().year:
        raise ValidationError({"reporting_year": "A report cannot cover a future year."})
    if Report.objects.filter(
        state=state, convention=convention, kind=kind, reporting_year=reporting_year
    ).exists():
        raise conflict("reporting_year", f"{state.iso3} already has this report; amend it instead.")
    start, end, due = report_period(kind=kind, reporting_year=reporting_year, entry_into_force=eif)
    report = Report(
        state=state,
        convention=convention,
        kind=kind,
        reporting_year=reporting_year,
        period_start=start,
        period_end=end,
        due_date=due,
    )
    report.full_clean()
    report.save()
    forms = _previous_forms(report) if kind == ReportKind.ANNUAL else {}
    ReportVersion.objects.create(
        report=report, number=1, language=language, forms=forms, created_by=user
    )
    return report


def current_draft(report: Report) -> ReportVersion | None:
    return report.versions.filter(status=VersionStatus.DRAFT).first()


def latest_version(report: Report) -> ReportVersion:
    return report.versions.order_by("-number").first()


@transaction.atomic
def version_update(
    *,
    version: ReportVersion,
    forms: dict | None = None,
    data: dict | None = None,
    expected_version: int | None = None,
) -> ReportVersion:
    """Edit a draft: replace its forms (validated whole) and/or its contacts and language.

    Two people may work on one draft: a save naming a stale ``expected_version`` (someone
    saved any form of the draft, or submitted it, meanwhile) raises ConcurrentEditError."""
    claim_version(version, expected_version)
    version = (
        ReportVersion.objects.select_for_update()
        .select_related("report__convention")
        .get(pk=version.pk)
    )
    if version.is_frozen:
        raise conflict("status", "A submitted report is never edited in place: amend it instead.")
    data = data or {}
    unknown = set(data) - {*CONTACT_FIELDS, "language"}
    if unknown:
        raise ValidationError({field: "This field cannot be edited." for field in unknown})
    if "language" in data and data["language"] not in LANGUAGES:
        raise ValidationError({"language": f"Choose one of: {', '.join(LANGUAGES)}."})
    for field, value in data.items():
        setattr(version, field, value)
    if forms is not None:
        cleaned, problems = forms_schema.clean_forms(version.report.convention.code, forms)
        if problems:
            raise problems_to_error(problems)
        version.forms = cleaned
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def report_submit(
    *, report: Report, user=None, submitted_on: dt.date | None = None
) -> ReportVersion:
    """Submit the draft. Only the ISU may give an earlier date (a historical report)."""
    version = current_draft(report)
    if version is None:
        raise conflict("status", "There is no draft to submit.")
    # Anyone still editing the draft is told it was submitted when they save.
    claim_version(version, None)
    today = timezone.localdate()
    if submitted_on is None:
        submitted_on = today
    elif user is not None and not user.is_isu:
        raise ValidationError({"submitted_on": "Only the ISU records a past submission date."})
    if submitted_on > today:
        raise ValidationError({"submitted_on": "A submission date cannot be in the future."})
    if submitted_on < report.period_start:
        raise ValidationError(
            {"submitted_on": "A report cannot be submitted before its reporting period starts."}
        )
    previous = version.amends
    if previous is not None and submitted_on < previous.submitted_on:
        raise ValidationError(
            {"submitted_on": "An amendment cannot be submitted before the version it amends."}
        )
    cleaned, problems = forms_schema.clean_forms(report.convention.code, version.forms)
    if problems:
        raise problems_to_error(problems)
    version.forms = cleaned
    version.status = VersionStatus.SUBMITTED
    version.submitted_on = submitted_on
    version.full_clean()
    version.save()
    # The voluntary part becomes needs that donors can see and answer; a problem there
    # rolls the whole submission back.
    from icahub.assistance.services import needs_sync_from_report

    needs_sync_from_report(version=version)
    # Form I "assistance provided/received" rows become funding flows (one per real flow).
    from icahub.funding.services import flows_sync_from_report

    flows_sync_from_report(version=version)
    return version


@transaction.atomic
def report_amend(*, report: Report, user=None) -> ReportVersion:
    """Start an amendment: a new draft copied from the latest submitted version."""
    if current_draft(report) is not None:
        raise conflict("status", "This report already has a draft.")
    latest = latest_version(report)
    return ReportVersion.objects.create(
        report=report,
        number=latest.number + 1,
        language=latest.language,
        forms=copy.deepcopy(latest.forms),
        amends=latest,
        created_by=user,
        **{field: getattr(latest, field) for field in CONTACT_FIELDS},
    )


@transaction.atomic
def version_publish(*, version: ReportVersion) -> ReportVersion:
    """Publish a submitted version: from now on the public sees it."""
    version = ReportVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.SUBMITTED:
        raise conflict("status", "Only a submitted version can be published.")
    version.status = VersionStatus.PUBLISHED
    version.published_on = timezone.localdate()
    version.save(update_fields=["status", "published_on", "updated_at"])
    return version


def version_differences(older: ReportVersion, newer: ReportVersion) -> list[dict]:
    """Field-by-field differences between two versions' forms and contacts."""

    def flatten(prefix: str, value, out: dict) -> dict:
        if isinstance(value, dict):
            for key, inner in value.items():
                flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
        elif isinstance(value, list):
            for index, inner in enumerate(value, start=1):
                flatten(f"{prefix}[{index}]", inner, out)
        else:
            out[prefix] = value
        return out

    left = flatten("forms", older.forms, {})
    right = flatten("forms", newer.forms, {})
    for field in CONTACT_FIELDS:
        left[field] = getattr(older, field)
        right[field] = getattr(newer, field)
    return [
        {"path": path, "old": left.get(path), "new": right.get(path)}
        for path in sorted(set(left) | set(right))
        if left.get(path) != right.get(path)
    ]


def reminders_send(*, convention: Convention, reporting_year: int, on: dt.date) -> int:
    """E-mail the focal points of every State Party whose annual report for the year is
    missing or not yet submitted. Returns the number of messages sent.

    Each message is written in the recipient's preferred language (English by default).
    """
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext as _

    from icahub.accounts.models import Role, User
    from icahub.reports.selectors import reporting_compliance

    rows = reporting_compliance(convention=convention, reporting_year=reporting_year, on=on)
    pending = {row["state"].pk: row for row in rows if row["status"] in {"missing", "not_yet_due"}}
    recipients = User.objects.filter(
        role=Role.STATE_FOCAL_POINT, state_id__in=pending, is_active=True
    ).exclude(email="")
    sent = 0
    for user in recipients.select_related("state"):
        row = pending[user.state_id]
        with translation.override(user.preferred_language or "en"):
            subject = _("Article 7 report for %(year)s: reminder") % {"year": reporting_year}
            body = _(
                "Dear focal point,\n\nThe %(convention)s annual transparency report of "
                "%(state)s for %(year)s is due on %(due)s and has not been submitted yet. "
                "You can prepare and submit it in icahub.\n\nThe Implementation Support Unit"
            ) % {
                "convention": convention.code,
                "state": user.state.name,
                "year": reporting_year,
                "due": row["due"].isoformat(),
            }
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent

"""Pages that write reports: start one, edit its draft form by form (a task list),
submit, amend, publish. Every write goes through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from icahub.obligations.models import Obligation
from icahub.registry.models import Convention, State
from icahub.reports import forms_schema, services
from icahub.reports.editing import Step, clean_with_step
from icahub.reports.forms import ContactsForm, ReportStartForm, SubmitForm
from icahub.reports.models import Report
from icahub.versioning import ConcurrentEditError, is_concurrent_edit, page_status, posted_version
from icahub.web.views_support import denied_unless


def _report(pk: int) -> Report:
    return get_object_or_404(Report.objects.select_related("state", "convention"), pk=pk)


def _crumbs(report: Report, *extra):
    return [
        (_("Article 7 reports"), reverse("reports:list")),
        (
            f"{report.state.name} {report.convention.code} {report.reporting_year}",
            reverse("reports:detail", args=[report.pk]),
        ),
        *extra,
    ]


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {m}" for field, items in error.message_dict.items() for m in items]
    return error.messages


@require_http_methods(["GET", "POST"])
def report_start(request):
    if not request.user.is_authenticated:
        return denied_unless(request, "reports.add_report")
    if request.user.is_isu:
        states = State.objects.filter(memberships__entry_into_force__isnull=False).distinct()
    elif request.user.role == "state_focal_point" and request.user.state_id:
        states = State.objects.filter(pk=request.user.state_id)
    else:
        return denied_unless(request, "reports.add_report", Report())
    form = ReportStartForm(
        request.POST or None,
        states=states.order_by("name_en"),
        initial={"language": request.LANGUAGE_CODE[:2], "convention": "CCM"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        convention = Convention.objects.get(code=data["convention"])
        if denied := denied_unless(
            request, "reports.add_report", Report(state=data["state"], convention=convention)
        ):
            return denied
        try:
            report = services.report_start(
                state=data["state"],
                convention=convention,
                kind=data["kind"],
                reporting_year=data["reporting_year"],
                language=data["language"],
                user=request.user,
            )
        except ValidationError as error:
            for field, items in error.message_dict.items():
                for message in items:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("The report was started. Fill in each form below."))
            return redirect("reports:edit", pk=report.pk)
    return render(
        request,
        "reports/report_start.html",
        {
            "nav": "reports",
            "form": form,
            "breadcrumbs": [
                (_("Article 7 reports"), reverse("reports:list")),
                (_("Start a report"), None),
            ],
        },
    )


def _task_list(report: Report, draft) -> list[dict]:
    schema = forms_schema.schema_for(report.convention.code)
    kinds = set(
        Obligation.objects.filter(state=report.state, convention=report.convention).values_list(
            "kind", flat=True
        )
    )
    flagged = set(forms_schema.bare_not_applicable(report.convention.code, draft.forms, kinds))
    _cleaned, problems = forms_schema.clean_forms(report.convention.code, draft.forms)
    with_problems = {p.form for p in problems}
    tasks = []
    for form in schema.forms:
        data = draft.forms.get(form.key) or {}
        if form.key in with_problems:
            state, label = "problem", _("Has problems")
        elif form.key in flagged:
            state, label = "problem", _("Explain why it does not apply")
        elif not data:
            state, label = "todo", pgettext("task status", "Not started")
        elif data.get("status") == "unchanged":
            state, label = (
                "done",
                _("Unchanged since %(year)s") % {"year": data.get("last_reported", "—")},
            )
        elif data.get("status") == "not_applicable":
            state, label = "done", _("Not applicable")
        else:
            state, label = "done", pgettext("task status", "Completed")
        tasks.append({"form": form, "state": state, "label": label})
    return tasks


def report_edit(request, pk: int):
    report = _report(pk)
    if denied := denied_unless(request, "reports.change_report", report):
        return denied
    draft = services.current_draft(report)
    if draft is None:
        messages.info(request, _("This report has been submitted. Amend it to make changes."))
        return redirect("reports:detail", pk=report.pk)
    return render(
        request,
        "reports/report_edit.html",
        {
            "nav": "reports",
            "report": report,
            "draft": draft,
            "tasks": _task_list(report, draft),
            "submit_form": SubmitForm(),
            "can_backdate": request.user.is_isu,
            "breadcrumbs": _crumbs(report, (_("Edit the draft"), None)),
        },
    )


@require_http_methods(["GET", "POST"])
def report_edit_contacts(request, pk: int):
    report = _report(pk)
    if denied := denied_unless(request, "reports.change_report", report):
        return denied
    draft = services.current_draft(report)
    if draft is None:
        raise Http404
    initial = {field: getattr(draft, field) for field in services.CONTACT_FIELDS}
    initial["language"] = draft.language
    form = ContactsForm(request.POST or None, initial=initial, version=draft.lock_version)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update(
                version=draft, data=form.cleaned_data, expected_version=form.expected_version
            )
        except ConcurrentEditError as error:
            form.add_concurrent_edit_error(error)
        else:
            messages.success(request, _("The contact details were saved."))
            return redirect("reports:edit", pk=report.pk)
    return render(
        request,
        "reports/report_contacts.html",
        {
            "nav": "reports",
            "report": report,
            "form": form,
            "breadcrumbs": _crumbs(
                report,
                (_("Edit the draft"), reverse("reports:edit", args=[pk])),
                (_("Contact for this report"), None),
            ),
        },
        status=page_status(form),
    )


@require_http_methods(["GET", "POST"])
def report_edit_step(request, pk: int, form_key: str):
    report = _report(pk)
    if denied := denied_unless(request, "reports.change_report", report):
        return denied
    draft = services.current_draft(report)
    schema_form = forms_schema.schema_for(report.convention.code).form(form_key)
    if draft is None or schema_form is None:
        raise Http404
    step = Step(schema_form, draft.forms.get(form_key) or {}, request.POST or None)
    # The draft's version the page was built from: posted back, so that a save made by
    # someone else meanwhile refuses this one instead of being overwritten by it.
    shown_version = posted_version(request) if request.method == "POST" else draft.lock_version
    conflict = False
    if request.method == "POST" and step.is_valid_shape():
        cleaned, problems = clean_with_step(report.convention.code, draft.forms, step)
        if problems:
            step.add_problems(problems)
        else:
            forms_data = dict(draft.forms)
            value = step.value()
            if value:
                forms_data[form_key] = value
            else:
                forms_data.pop(form_key, None)
            try:
                services.version_update(
                    version=draft, forms=forms_data, expected_version=shown_version
                )
            except ValidationError as error:
                conflict = is_concurrent_edit(error)
                if conflict:
                    step.main.add_error(None, error.error_dict["lock_version"][0].messages[0])
                else:
                    for message in _messages_of(error):
                        step.main.add_error(None, message)
            else:
                messages.success(request, _("Form %(letter)s was saved.") % {"letter": form_key})
                return redirect("reports:edit", pk=report.pk)
    return render(
        request,
        "reports/report_step.html",
        {
            "nav": "reports",
            "report": report,
            "step": step,
            "lock_version": shown_version,
            "lock_conflict": conflict,
            "errors": step.all_errors() if request.method == "POST" else [],
            "breadcrumbs": _crumbs(
                report,
                (_("Edit the draft"), reverse("reports:edit", args=[pk])),
                (str(schema_form.title), None),
            ),
        },
        status=409 if conflict else 200,
    )


@require_POST
def report_submit(request, pk: int):
    report = _report(pk)
    if denied := denied_unless(request, "reports.submit_report", report):
        return denied
    form = SubmitForm(request.POST)
    submitted_on = form.cleaned_data.get("submitted_on") if form.is_valid() else None
    try:
        services.report_submit(report=report, user=request.user, submitted_on=submitted_on)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
        return redirect("reports:edit", pk=report.pk)
    messages.success(request, _("The report was submitted. Thank you."))
    return redirect("reports:detail", pk=report.pk)


@require_POST
def report_amend(request, pk: int):
    report = _report(pk)
    if denied := denied_unless(request, "reports.change_report", report):
        return denied
    try:
        services.report_amend(report=report, user=request.user)
    except ValidationError:
        pass  # a draft exists already: edit it
    return redirect("reports:edit", pk=report.pk)


@require_POST
def report_publish(request, pk: int):
    report = _report(pk)
    if denied := denied_unless(request, "reports.publish_report", report):
        return denied
    version = report.versions.filter(status="submitted").order_by("-number").first()
    if version is None:
        messages.error(request, _("There is no submitted version to publish."))
    else:
        services.version_publish(version=version)
        messages.success(request, _("The report was published."))
    return redirect("reports:detail", pk=report.pk)

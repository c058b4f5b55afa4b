from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from icahub.interchange.tables import csv_response, xlsx_response
from icahub.obligations import rules, selectors, services
from icahub.obligations.forms import (
    CalculatorForm,
    ExtensionForm,
    ObligationCreateForm,
    ObligationEditForm,
    ObligationFilterForm,
)
from icahub.obligations.models import Obligation
from icahub.versioning import page_status
from icahub.web.history import history_entries
from icahub.web.views_support import (
    add_service_errors,
    denied_unless,
    querystring_without_page,
    today,
)

PAGE_SIZE = 50


def _filtered(request):
    form = ObligationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    obligations = selectors.obligation_list(
        on=today(),
        state=filters.get("state") or None,
        convention=filters.get("convention") or None,
        kind=filters.get("kind") or None,
        status=filters.get("status") or None,
    )
    return form, obligations


def _export_rows(obligations):
    headers = [
        _("State"),
        _("ISO code"),
        _("Convention"),
        _("Article"),
        _("Kind"),
        _("Original deadline"),
        _("Current deadline"),
        _("Extensions"),
        _("Status"),
        _("Completion"),
        _("Source"),
    ]
    rows = []
    for o in obligations:
        extensions = "; ".join(
            f"{e.new_deadline.isoformat()} ({e.decided_by or _('decision not confirmed')})"
            for e in o.extensions.all()
        )
        completion = " ".join(
            part
            for part in [
                o.completed_on.isoformat() if o.completed_on else "",
                o.completion_declaration,
            ]
            if part
        )
        rows.append(
            [
                o.state.name,
                o.state.iso3,
                o.convention.code,
                o.article,
                o.get_kind_display(),
                o.original_deadline,
                o.current_deadline,
                extensions,
                o.get_status_display(),
                completion,
                o.source,
            ]
        )
    return headers, rows


def obligation_list(request):
    form, obligations = _filtered(request)
    download = request.GET.get("format")
    if download in {"csv", "xlsx"}:
        headers, rows = _export_rows(obligations)
        name = f"icahub-obligations-{today().isoformat()}"
        if download == "csv":
            return csv_response(name, headers, rows)
        return xlsx_response(name, _("Obligations"), headers, rows)
    page = Paginator(obligations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = querystring_without_page(request)
    return render(
        request,
        "obligations/obligation_list.html#results"
        if request.htmx
        else "obligations/obligation_list.html",
        {
            "nav": "obligations",
            "form": form,
            "page_obj": page,
            "obligations": page.object_list,
            "querystring_without_page": query,
            "can_add": request.user.has_perm("obligations.add_obligation"),
            "breadcrumbs": [(_("Obligations"), None)],
        },
    )


def _obligation(pk: int) -> Obligation:
    return get_object_or_404(
        Obligation.objects.select_related("state", "convention").prefetch_related("extensions"),
        pk=pk,
    )


def _crumbs(obligation: Obligation, *extra):
    return [
        (_("Obligations"), reverse("obligations:list")),
        (
            str(obligation.state.name),
            reverse("registry:state_detail", args=[obligation.state.iso3]),
        ),
        *extra,
    ]


def obligation_detail(request, pk: int):
    obligation = _obligation(pk)
    limit = rules.extension_limit(obligation.convention.code, obligation.kind)
    return render(
        request,
        "obligations/obligation_detail.html",
        {
            "nav": "obligations",
            "obligation": obligation,
            "extensions": obligation.extensions.all(),
            "limit": limit,
            "can_extend": request.user.has_perm("obligations.add_extension", obligation),
            "can_edit": request.user.has_perm("obligations.change_obligation", obligation),
            "history_entries": history_entries(obligation, *obligation.extensions.all())
            if request.user.has_perm("accounts.view_history")
            else [],
            "breadcrumbs": _crumbs(obligation, (obligation.get_kind_display(), None)),
        },
    )


@require_http_methods(["GET", "POST"])
def extension_create(request, pk: int):
    obligation = _obligation(pk)
    if denied := denied_unless(request, "obligations.add_extension", obligation):
        return denied
    form = ExtensionForm(request.POST or None, version=obligation.lock_version)
    if request.method == "POST" and form.is_valid():
        try:
            services.extension_record(
                obligation=obligation,
                expected_version=form.expected_version,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The extension was recorded."))
            return redirect("obligations:detail", pk=obligation.pk)
    return render(
        request,
        "obligations/extension_form.html",
        {
            "nav": "obligations",
            "obligation": obligation,
            "form": form,
            "limit": rules.extension_limit(obligation.convention.code, obligation.kind),
            "breadcrumbs": _crumbs(
                obligation,
                (obligation.get_kind_display(), reverse("obligations:detail", args=[pk])),
                (_("Record an extension"), None),
            ),
        },
        status=page_status(form),
    )


@require_http_methods(["GET", "POST"])
def obligation_edit(request, pk: int):
    obligation = _obligation(pk)
    if denied := denied_unless(request, "obligations.change_obligation", obligation):
        return denied
    initial = {
        "completed_on": obligation.completed_on,
        "completion_declaration": obligation.completion_declaration,
        "source": obligation.source,
        "notes": obligation.notes,
    }
    form = ObligationEditForm(
        request.POST or None, initial=initial, version=obligation.lock_version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.obligation_update(
                obligation=obligation,
                data=form.cleaned_data,
                expected_version=form.expected_version,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The obligation was saved."))
            return redirect("obligations:detail", pk=obligation.pk)
    return render(
        request,
        "obligations/obligation_form.html",
        {
            "nav": "obligations",
            "obligation": obligation,
            "form": form,
            "title": _("Edit the obligation"),
            "breadcrumbs": _crumbs(
                obligation,
                (obligation.get_kind_display(), reverse("obligations:detail", args=[pk])),
                (_("Edit"), None),
            ),
        },
        status=page_status(form),
    )


@require_http_methods(["GET", "POST"])
def obligation_create(request):
    if denied := denied_unless(request, "obligations.add_obligation"):
        return denied
    form = ObligationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            obligation = services.obligation_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The obligation was recorded."))
            return redirect("obligations:detail", pk=obligation.pk)
    return render(
        request,
        "obligations/obligation_form.html",
        {
            "nav": "obligations",
            "form": form,
            "title": _("Record an obligation"),
            "breadcrumbs": [
                (_("Obligations"), reverse("obligations:list")),
                (_("Record an obligation"), None),
            ],
        },
    )


def calculator(request):
    form = CalculatorForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        convention = form.cleaned_data["convention"]
        try:
            result = rules.deadlines_for_deposit(convention.code, form.cleaned_data["deposited"])
        except rules.RuleError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            result["convention"] = convention
            result["stockpile_years"] = rules.convention_rules(convention.code).stockpile_years
            result["clearance_years"] = rules.convention_rules(convention.code).clearance_years
    return render(
        request,
        "obligations/calculator.html",
        {
            "nav": "calculator",
            "form": form,
            "result": result,
            "breadcrumbs": [(_("Deadline calculator"), None)],
        },
    )

"""Pages of funding flows: the list with its downloads, totals by donor, recipient, area
and year (chart and table), a flow's page and forms, imports, and the exchange rates.

Every read goes through the selectors with the user, so a flow the user may not see is
left out of lists, totals and downloads and answers 404 on its own page. Every write goes
through the services, whose validation errors come back beside the field they name.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from icahub.assistance.forms import VISIBILITY_LABELS
from icahub.funding import exports, imports, rules, selectors, services
from icahub.funding.forms import (
    ExchangeRateForm,
    FlowFilterForm,
    FlowForm,
    MergeForm,
    UploadForm,
)
from icahub.funding.models import Flow
from icahub.imports.models import ImportKind
from icahub.imports.services import import_job_create
from icahub.interchange.tables import csv_response, xlsx_response
from icahub.versioning import ConcurrentEditError, page_status, posted_version
from icahub.web.history import history_entries
from icahub.web.views_support import (
    add_service_errors,
    denied_unless,
    querystring_without_page,
    today,
)

PAGE_SIZE = 50
DIMENSION_TITLES = {
    "donor": gettext_lazy("Funding by donor"),
    "recipient": gettext_lazy("Funding by recipient"),
    "area": gettext_lazy("Funding by area"),
    "year": gettext_lazy("Funding by year"),
}
DIMENSION_HEADINGS = {
    "donor": gettext_lazy("Donor"),
    "recipient": gettext_lazy("Recipient"),
    "area": gettext_lazy("Area"),
    "year": gettext_lazy("Year"),
}
BAR_HEIGHT = 22
BAR_STEP = 34


def _spreadsheet(rows: list[list]) -> list[list]:
    """Amounts as numbers a spreadsheet can sum (the shared table writer keeps decimals as
    text, which suits CSV)."""
    return [[float(v) if isinstance(v, Decimal) else v for v in row] for row in rows]


def _filters(form) -> dict:
    """The valid filters the user gave; an invalid one is shown with its error and left out."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value}


def _decorate(flow: Flow) -> Flow:
    flow.visibility_label = VISIBILITY_LABELS.get(flow.visibility, flow.visibility)
    return flow


def _download(request, flows):
    """The download the ``format`` parameter asks for, or None."""
    download = request.GET.get("format")
    name = f"icahub-flows-{today().isoformat()}"
    if download in {"csv", "xlsx"}:
        headers, rows = exports.flow_table(flows)
        if download == "csv":
            return csv_response(name, headers, rows)
        return xlsx_response(name, _("Funding flows"), headers, _spreadsheet(rows))
    if download == "hxl":
        return exports.hxl_response(name, flows)
    if download == "iati":
        return exports.iati_response(name, flows)
    return None


def flow_list(request):
    form = FlowFilterForm(request.GET or None)
    flows = selectors.flow_list(user=request.user, **_filters(form))
    if response := _download(request, flows):
        return response
    page = Paginator(flows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/flow_list.html#results" if request.htmx else "funding/flow_list.html",
        {
            "nav": "funding",
            "form": form,
            "page_obj": page,
            "flows": [_decorate(flow) for flow in page.object_list],
            "querystring_without_page": querystring_without_page(request),
            "can_add": request.user.has_perm("funding.record_flows"),
            "can_import": request.user.has_perm("funding.import_flows"),
            "dimensions": DIMENSION_TITLES,
            "breadcrumbs": [(_("Funding flows"), None)],
        },
    )


def _bars(rows: list[selectors.TotalRow]) -> list[dict]:
    """Two bars per group (funding, and pledges apart), drawn like the statistics chart."""
    widths = rules.bar_widths([value for row in rows for value in (row.funded, row.pledged)])
    bars = []
    for index, row in enumerate(rows):
        y = 10 + index * 2 * BAR_STEP
        bars.append(
            {
                "label": row.label,
                "funded": row.funded,
                "pledged": row.pledged,
                "funded_width": widths[2 * index],
                "pledged_width": widths[2 * index + 1],
                "y": y,
                "pledged_y": y + BAR_STEP - 6,
            }
        )
    return bars


def flow_totals(request, dimension: str):
    if dimension not in DIMENSION_TITLES:
        raise Http404
    form = FlowFilterForm(request.GET or None)
    flows = selectors.flow_list(user=request.user, **_filters(form))
    rows = selectors.flow_totals(flows, dimension)
    download = request.GET.get("format")
    if download in {"csv", "xlsx"}:
        headers = [
            str(DIMENSION_HEADINGS[dimension]),
            _("Code"),
            _("Funding (USD, no pledges)"),
            _("Disbursed (USD)"),
            _("Pledged (USD)"),
            _("Flows"),
            _("Flows not valued (no rate)"),
        ]
        table = [
            [r.label, r.key, r.funded, r.disbursed, r.pledged, r.flows, r.unvalued] for r in rows
        ]
        name = f"icahub-funding-by-{dimension}-{today().isoformat()}"
        if download == "csv":
            return csv_response(name, headers, table)
        return xlsx_response(name, str(DIMENSION_TITLES[dimension]), headers, _spreadsheet(table))
    bars = _bars(rows)
    return render(
        request,
        "funding/flow_totals.html",
        {
            "nav": "funding",
            "form": form,
            "dimension": dimension,
            "title": DIMENSION_TITLES[dimension],
            "heading": DIMENSION_HEADINGS[dimension],
            "dimensions": DIMENSION_TITLES,
            "rows": rows,
            "total": selectors.flow_grand_total(rows),
            "bars": bars,
            "chart_height": 20 + 2 * BAR_STEP * len(bars),
            "querystring_without_page": querystring_without_page(request),
            "breadcrumbs": [
                (_("Funding flows"), reverse("funding:flow_list")),
                (DIMENSION_TITLES[dimension], None),
            ],
        },
    )


def _crumbs(flow: Flow, *extra):
    return [
        (_("Funding flows"), reverse("funding:flow_list")),
        (
            _("Flow %(id)s") % {"id": flow.pk},
            reverse("funding:flow_detail", args=[flow.pk]) if extra else None,
        ),
        *extra,
    ]


def flow_detail(request, pk: int):
    flow = _decorate(selectors.flow_get(user=request.user, pk=pk))
    return render(
        request,
        "funding/flow_detail.html",
        {
            "nav": "funding",
            "flow": flow,
            "can_edit": request.user.has_perm("funding.change_flow", flow),
            "can_delete": request.user.has_perm("funding.delete_flow", flow),
            "merge_form": MergeForm() if request.user.has_perm("funding.merge_flows") else None,
            "history_entries": history_entries(flow)
            if request.user.has_perm("accounts.view_history")
            else [],
            "breadcrumbs": _crumbs(flow),
        },
    )


def _sign_in_first(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _save(form, request, write) -> Flow | None:
    """Run a service write; its errors (and a refusal) come back on the form."""
    try:
        return write()
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied:
        form.add_error(
            None,
            _(
                "Your account records the flows of its own state or organisation: name it "
                "as the giver or the recipient."
            ),
        )
    return None


def _own_party(user) -> dict:
    """A donor gives: their state or organisation is proposed as the giver."""
    if user.role != "donor_focal_point":
        return {}
    if user.state_id is not None:
        return {"giver_state": user.state.iso3}
    if user.organisation_id is not None:
        return {"giver_organisation": user.organisation_id}
    return {}


@require_http_methods(["GET", "POST"])
def flow_create(request):
    if denied := denied_unless(request, "funding.record_flows"):
        return denied
    initial = _own_party(request.user)
    if request.GET.get("need", "").isdigit():
        initial["need"] = int(request.GET["need"])
    form = FlowForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        flow = _save(
            form,
            request,
            lambda: services.flow_create(**form.service_values(), user=request.user),
        )
        if flow is not None:
            messages.success(request, _("The flow was recorded."))
            return redirect("funding:flow_detail", pk=flow.pk)
    return render(
        request,
        "funding/flow_form.html",
        {
            "nav": "funding",
            "form": form,
            "title": _("Record a funding flow"),
            "breadcrumbs": [
                (_("Funding flows"), reverse("funding:flow_list")),
                (_("Record a flow"), None),
            ],
        },
    )


def _editable(request, pk: int, perm: str):
    if denied := _sign_in_first(request):
        return None, denied
    flow = selectors.flow_get(user=request.user, pk=pk)
    if denied := denied_unless(request, perm, flow):
        return None, denied
    return flow, None


def _initial(flow: Flow) -> dict:
    values = {name: getattr(flow, name) for name in services.FLOW_EDITABLE}
    for name in ("giver_state", "recipient_state"):
        values[name] = values[name].iso3 if values[name] else None
    return values


@require_http_methods(["GET", "POST"])
def flow_edit(request, pk: int):
    flow, denied = _editable(request, pk, "funding.change_flow")
    if denied:
        return denied
    form = FlowForm(
        request.POST or None, user=request.user, initial=_initial(flow), version=flow.lock_version
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            request,
            lambda: services.flow_update(
                flow=flow,
                data=form.service_values(),
                user=request.user,
                expected_version=form.expected_version,
            ),
        )
        if saved is not None:
            messages.success(request, _("The flow was saved."))
            return redirect("funding:flow_detail", pk=flow.pk)
    return render(
        request,
        "funding/flow_form.html",
        {
            "nav": "funding",
            "form": form,
            "flow": flow,
            "title": _("Edit the flow"),
            "breadcrumbs": _crumbs(flow, (_("Edit"), None)),
        },
        status=page_status(form),
    )


@require_POST
def flow_delete(request, pk: int):
    flow, denied = _editable(request, pk, "funding.delete_flow")
    if denied:
        return denied
    try:
        services.flow_delete(flow=flow, user=request.user, expected_version=posted_version(request))
    except ConcurrentEditError as error:
        # The detail page shows the flow as it is now, with why nothing was deleted.
        messages.error(request, error.error_dict["lock_version"][0].messages[0])
        return redirect("funding:flow_detail", pk=flow.pk)
    messages.success(request, _("The flow was deleted."))
    return redirect("funding:flow_list")


@require_POST
def flow_merge(request, pk: int):
    if denied := _sign_in_first(request):
        return denied
    keep = selectors.flow_get(user=request.user, pk=pk)
    if denied := denied_unless(request, "funding.merge_flows"):
        return denied
    form = MergeForm(request.POST)
    if form.is_valid():
        duplicate = Flow.objects.filter(pk=form.cleaned_data["duplicate"]).first()
        if duplicate is None:
            form.add_error("duplicate", _("There is no flow with this id."))
        else:
            try:
                services.flow_merge(keep=keep, duplicate=duplicate, user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The two flows are now one."))
                return redirect("funding:flow_detail", pk=keep.pk)
    keep = _decorate(keep)
    return render(
        request,
        "funding/flow_detail.html",
        {
            "nav": "funding",
            "flow": keep,
            "can_edit": True,
            "can_delete": True,
            "merge_form": form,
            "history_entries": history_entries(keep),
            "breadcrumbs": _crumbs(keep),
        },
        status=400,
    )


@require_http_methods(["GET", "POST"])
def flow_import(request):
    if denied := denied_unless(request, "funding.import_flows"):
        return denied
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        # The file is checked now (type, columns); its rows are imported in the background
        # and the job's page follows them.
        upload = form.cleaned_data["file"]
        try:
            imports.check_file(upload, "flows")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            job = import_job_create(kind=ImportKind.FUNDING_FLOWS, upload=upload, user=request.user)
            return redirect("imports:detail", pk=job.pk)
    return render(
        request,
        "funding/flow_import.html",
        {
            "nav": "funding",
            "form": form,
            "row_errors": errors,
            "columns": imports.FLOW_COLUMNS,
            "required_columns": imports.REQUIRED_FLOW_COLUMNS,
            "breadcrumbs": [
                (_("Funding flows"), reverse("funding:flow_list")),
                (_("Import flows"), None),
            ],
        },
        status=400 if errors or form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def exchange_rates(request):
    can_add = request.user.has_perm("funding.add_exchangerate")
    form = ExchangeRateForm(request.POST or None) if can_add else None
    upload = UploadForm() if can_add else None
    row_errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if denied := denied_unless(request, "funding.add_exchangerate"):
            return denied
        if "file" in request.FILES or request.POST.get("action") == "import":
            form = ExchangeRateForm()
            upload = UploadForm(request.POST, request.FILES)
            if upload.is_valid():
                try:
                    imports.check_file(upload.cleaned_data["file"], "rates")
                except ValidationError as error:
                    add_service_errors(upload, error)
                else:
                    job = import_job_create(
                        kind=ImportKind.EXCHANGE_RATES,
                        upload=upload.cleaned_data["file"],
                        user=request.user,
                    )
                    return redirect("imports:detail", pk=job.pk)
        elif form.is_valid():
            try:
                services.exchange_rate_create(**form.cleaned_data, user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The rate was added."))
                return redirect("funding:exchange_rates")
    rates = selectors.exchange_rate_list(currency=request.GET.get("currency") or None)
    page = Paginator(rates, PAGE_SIZE).get_page(request.GET.get("page"))
    failed = bool(row_errors or (form and form.errors) or (upload and upload.errors))
    return render(
        request,
        "funding/exchange_rates.html",
        {
            "nav": "funding",
            "form": form,
            "upload": upload,
            "row_errors": row_errors,
            "page_obj": page,
            "rates": page.object_list,
            "querystring_without_page": querystring_without_page(request),
            "breadcrumbs": [
                (_("Funding flows"), reverse("funding:flow_list")),
                (_("Exchange rates"), None),
            ],
        },
        status=400 if request.method == "POST" and failed else 200,
    )

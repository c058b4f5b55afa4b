from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from icahub.assistance.models import AREA_LABELS
from icahub.interchange.tables import XLSX_TYPE
from icahub.obligations.models import Obligation
from icahub.registry.models import Convention
from icahub.reports import forms_schema, selectors, services
from icahub.reports.forms import ConventionYearForm, ReportFilterForm, StatisticsForm
from icahub.reports.models import Report
from icahub.reports.statistics import assistance_request_statistics
from icahub.web.views_support import denied_unless, today

COMPLIANCE_LABELS = {
    "on_time": gettext_lazy("Submitted on time"),
    "late": gettext_lazy("Submitted late"),
    "missing": gettext_lazy("Missing"),
    "not_yet_due": gettext_lazy("Not yet due"),
}


def _default_year() -> int:
    return today().year - 1


def statistics(request):
    initial = {"convention": "CCM", "reporting_year": _default_year()}
    form = StatisticsForm(request.GET or None, initial=initial)
    stats = None
    if form.is_valid():
        stats = assistance_request_statistics(
            convention=form.cleaned_data["convention"],
            reporting_year=form.cleaned_data["reporting_year"],
            as_of=form.cleaned_data["as_of"],
        )
    elif not request.GET:
        stats = assistance_request_statistics(
            convention="CCM", reporting_year=_default_year(), as_of=today()
        )
    bars = []
    if stats is not None:
        top = max([*stats.by_area.values(), 1])
        for index, (area, count) in enumerate(stats.by_area.items()):
            bars.append(
                {
                    "label": AREA_LABELS[area],
                    "count": count,
                    "width": round(300 * count / top),
                    "y": 10 + index * 34,
                }
            )
    return render(
        request,
        "reports/statistics.html",
        {
            "nav": "reports",
            "form": form,
            "stats": stats,
            "sentence": stats.sentence(translation.get_language() or "en") if stats else "",
            "bars": bars,
            "chart_height": 20 + 34 * len(bars),
            "breadcrumbs": [(_("Assistance statistics"), None)],
        },
    )


def compliance(request):
    form = ConventionYearForm(
        request.GET or None, initial={"convention": "CCM", "reporting_year": _default_year()}
    )
    convention_code, year = "CCM", _default_year()
    if form.is_valid():
        convention_code = form.cleaned_data["convention"]
        year = form.cleaned_data["reporting_year"]
    convention = get_object_or_404(Convention, code=convention_code)
    rows = selectors.reporting_compliance(convention=convention, reporting_year=year, on=today())
    counts = {key: sum(1 for row in rows if row["status"] == key) for key in COMPLIANCE_LABELS}
    for row in rows:
        row["label"] = COMPLIANCE_LABELS[row["status"]]
    return render(
        request,
        "reports/compliance.html",
        {
            "nav": "reports",
            "form": form,
            "convention": convention,
            "year": year,
            "rows": rows,
            "counts": [(COMPLIANCE_LABELS[key], value) for key, value in counts.items()],
            "can_remind": request.user.has_perm("reports.publish_report"),
            "breadcrumbs": [(_("Who has reported"), None)],
        },
    )


@require_POST
def compliance_remind(request):
    if denied := denied_unless(request, "reports.publish_report"):
        return denied
    form = ConventionYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a convention and a reporting year."))
        return redirect("reports:compliance")
    convention = get_object_or_404(Convention, code=form.cleaned_data["convention"])
    year = form.cleaned_data["reporting_year"]
    sent = services.reminders_send(convention=convention, reporting_year=year, on=today())
    messages.success(
        request,
        ngettext(
            "%(count)d reminder sent to a focal point.",
            "%(count)d reminders sent to focal points.",
            sent,
        )
        % {"count": sent},
    )
    return redirect(
        f"{reverse('reports:compliance')}?convention={convention.code}&reporting_year={year}"
    )


def report_list(request):
    form = ReportFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.report_list(
        user=request.user,
        state=filters.get("state") or None,
        convention=filters.get("convention") or None,
        reporting_year=filters.get("reporting_year") or None,
    )
    return render(
        request,
        "reports/report_list.html",
        {
            "nav": "reports",
            "form": form,
            "rows": rows,
            "breadcrumbs": [(_("Article 7 reports"), None)],
        },
    )


def _render_forms(report: Report, version) -> list[dict]:
    schema = forms_schema.schema_for(report.convention.code)
    rendered = []
    for form in schema.forms:
        data = version.forms.get(form.key) or {}
        fields = [
            {"label": spec.label, "value": data.get("fields", {}).get(spec.key)}
            for spec in form.fields
            if data.get("fields", {}).get(spec.key) not in (None, "")
        ]
        tables = []
        for table in form.tables:
            rows = data.get("tables", {}).get(table.key, [])
            if rows:
                tables.append(
                    {
                        "label": table.label,
                        "columns": [c.label for c in table.columns],
                        "numeric": [c.kind in {"int", "decimal", "year"} for c in table.columns],
                        "rows": [[row.get(c.key, "") for c in table.columns] for row in rows],
                    }
                )
        rendered.append(
            {
                "key": form.key,
                "title": form.title,
                "status": data.get("status", ""),
                "status_label": forms_schema.FORM_STATUS_LABELS.get(data.get("status", ""), ""),
                "last_reported": data.get("last_reported"),
                "narrative": data.get("narrative", ""),
                "fields": fields,
                "tables": tables,
                "voluntary": form.voluntary,
                "empty": not data,
            }
        )
    return rendered


def report_detail(request, pk: int):
    report = get_object_or_404(Report.objects.select_related("state", "convention"), pk=pk)
    versions = list(selectors.report_versions_visible(request.user, report))
    if not versions:
        raise Http404
    wanted = request.GET.get("version")
    version = next((v for v in versions if str(v.number) == wanted), versions[-1])
    kinds = set(
        Obligation.objects.filter(state=report.state, convention=report.convention).values_list(
            "kind", flat=True
        )
    )
    can_edit = request.user.has_perm("reports.change_report", report)
    has_draft = any(v.status == "draft" for v in versions)
    actions = {
        "edit": can_edit and has_draft,
        "amend": can_edit and not has_draft,
        "publish": request.user.has_perm("reports.publish_report", report)
        and any(v.status == "submitted" for v in versions),
    }
    return render(
        request,
        "reports/report_detail.html",
        {
            "nav": "reports",
            "report": report,
            "version": version,
            "versions": versions,
            "forms": _render_forms(report, version),
            "flagged": forms_schema.bare_not_applicable(
                report.convention.code, version.forms, kinds
            )
            if can_edit
            else [],
            "can_edit": can_edit,
            "actions": actions if any(actions.values()) else None,
            "breadcrumbs": [
                (_("Article 7 reports"), reverse("reports:list")),
                (f"{report.state.name} {report.convention.code} {report.reporting_year}", None),
            ],
        },
    )


def report_diff(request, pk: int):
    report = get_object_or_404(Report.objects.select_related("state", "convention"), pk=pk)
    versions = {v.number: v for v in selectors.report_versions_visible(request.user, report)}
    try:
        older = versions[int(request.GET.get("from", 0))]
        newer = versions[int(request.GET.get("to", 0))]
    except (KeyError, ValueError) as error:
        raise Http404 from error
    return render(
        request,
        "reports/report_diff.html",
        {
            "nav": "reports",
            "report": report,
            "older": older,
            "newer": newer,
            "differences": services.version_differences(older, newer),
            "breadcrumbs": [
                (_("Article 7 reports"), reverse("reports:list")),
                (
                    f"{report.state.name} {report.convention.code} {report.reporting_year}",
                    reverse("reports:detail", args=[report.pk]),
                ),
                (_("Differences"), None),
            ],
        },
    )


def report_download(request, pk: int, fmt: str):
    """The report (any version the user may see) as DOCX, PDF or the XLSX template."""
    from icahub.interchange import report_document, report_xlsx

    report = get_object_or_404(Report.objects.select_related("state", "convention"), pk=pk)
    versions = list(selectors.report_versions_visible(request.user, report))
    if not versions:
        raise Http404
    wanted = request.GET.get("version")
    version = next((v for v in versions if str(v.number) == wanted), versions[-1])
    language = translation.get_language() or "en"
    if fmt == "docx":
        body = report_document.render_docx(report, version, language=language)
        content_type, name = (
            report_document.DOCX_CONTENT_TYPE,
            report_document.document_filename(report, version, "docx"),
        )
    elif fmt == "pdf":
        body = report_document.render_pdf(report, version, language=language)
        content_type, name = (
            report_document.PDF_CONTENT_TYPE,
            report_document.document_filename(report, version, "pdf"),
        )
    elif fmt == "xlsx":
        body = report_xlsx.build_template(
            report.convention.code, version, report=report, language=language
        )
        content_type = XLSX_TYPE
        name = report_xlsx.filename(report.convention.code, report)
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""XLSX pages: download the blank template of a convention, import a filled one."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from icahub.interchange import report_xlsx
from icahub.interchange.tables import XLSX_TYPE
from icahub.reports.forms import ImportForm
from icahub.web.views_support import denied_unless


def template_download(request, convention: str):
    convention = convention.upper()
    if convention not in {"CCM", "APMBC"}:
        raise Http404
    body = report_xlsx.build_template(convention, language=translation.get_language() or "en")
    response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{report_xlsx.filename(convention)}"'
    return response


@require_http_methods(["GET", "POST"])
def report_import(request):
    if not request.user.is_authenticated:
        return denied_unless(request, "reports.add_report")
    if not (request.user.is_isu or request.user.role == "state_focal_point"):
        return denied_unless(request, "reports.add_report", None)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        # The form has checked the size and the archive (uploads.UploadField).
        upload = form.cleaned_data["file"]
        result = report_xlsx.import_report(
            upload.read(),
            user=request.user,
            permit=lambda report: request.user.has_perm(
                "reports.change_report" if report.pk else "reports.add_report", report
            ),
        )
        if result.written:
            counts = {
                action: sum(1 for row in result.rows if row.action == action)
                for action in ("add", "update", "remove")
            }
            messages.success(
                request,
                _(
                    "The report was imported: %(add)s rows added, %(update)s updated, "
                    "%(remove)s removed."
                )
                % counts,
            )
            return redirect("reports:edit", pk=result.report.pk)
    return render(
        request,
        "reports/report_import.html",
        {
            "nav": "reports",
            "form": form,
            "result": result,
            "breadcrumbs": [
                (_("Article 7 reports"), reverse("reports:list")),
                (_("Import a report from XLSX"), None),
            ],
        },
    )

"""XLSX pages: download the blank template of a convention, import a filled one."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from icahub.imports.models import ImportKind
from icahub.imports.services import import_job_create
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
        # A file that is not a workbook is refused now; the workbook itself is read,
        # checked and written in the background, and the job's page follows it.
        problem = report_xlsx.unreadable_problem(upload.read())
        if problem is not None:
            result = report_xlsx.ImportResult([problem], [], None, False)
        else:
            job = import_job_create(kind=ImportKind.REPORT_XLSX, upload=upload, user=request.user)
            return redirect("imports:detail", pk=job.pk)
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

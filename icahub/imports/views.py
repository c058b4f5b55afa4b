"""The page of one import job: its progress while it runs, then what it did or every
problem found. HTMX polls the status panel while the job is queued or running; without
JavaScript the page offers a refresh link."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from icahub.imports import selectors
from icahub.imports.models import ImportKind
from icahub.web.views_support import denied_unless

# Where to upload a corrected file.
AGAIN = {
    ImportKind.FUNDING_FLOWS: "funding:flow_import",
    ImportKind.EXCHANGE_RATES: "funding:exchange_rates",
    ImportKind.REPORT_XLSX: "reports:import",
}
# HTMX stops polling when the answer has this status (the job is finished).
STOP_POLLING = 286


@require_GET
def import_job_detail(request, pk: int):
    job = selectors.import_job_get(pk=pk)
    if denied := denied_unless(request, "imports.view_importjob", job):
        return denied
    context = {
        "job": job,
        "progress": selectors.import_job_progress(job),
        "again_url": reverse(AGAIN[job.kind]),
        "poll": not job.finished,
        "breadcrumbs": [(_("Import of %(name)s") % {"name": job.file_name}, None)],
    }
    if request.htmx:
        return render(
            request,
            "imports/job_detail.html#status",
            context,
            status=STOP_POLLING if job.finished else 200,
        )
    return render(request, "imports/job_detail.html", context)

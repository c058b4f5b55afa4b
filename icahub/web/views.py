from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render

from icahub.obligations.models import Extension, Obligation
from icahub.obligations.selectors import overdue_obligations, upcoming_deadlines
from icahub.registry.models import Membership, Organisation, State
from icahub.registry.selectors import convention_counts
from icahub.web.history import recent_changes
from icahub.web.views_support import today


def home(request):
    on = today()
    return render(
        request,
        "web/home.html",
        {
            "nav": "home",
            "today": on,
            "counts": convention_counts(on=on),
            "upcoming": upcoming_deadlines(on=on, months=settings.ICAHUB_UPCOMING_MONTHS),
            "months": settings.ICAHUB_UPCOMING_MONTHS,
            "overdue": overdue_obligations(on=on),
            "recent": recent_changes([Obligation, Extension, Membership, State, Organisation]),
        },
    )


def bench_minimal(request):
    """The framework's limit for the load test (benchmarks/load.py): the whole middleware
    stack, no template, no query. It exists only where ICAHUB_BENCH_MINIMAL_VIEW is on."""
    if not settings.ICAHUB_BENCH_MINIMAL_VIEW:
        raise Http404
    return HttpResponse("ok", content_type="text/plain")


def error_404(request, exception=None):
    """JSON for the API (clients parse it), the page for everyone else."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)

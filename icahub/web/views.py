from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language

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
            "months": settings.ICAHUB_UPCOMING_MONTHS,
            **_dashboard(on),
        },
    )


def _dashboard(on) -> dict:
    """The dashboard's figures and lists: the same for every reader (public records only).
    Kept ICAHUB_CACHE_SECONDS in the cache (0: computed on every request) per day and
    language, so a change shows on the dashboard within that time (docs/performance.md)."""

    def compute() -> dict:
        return {
            "counts": convention_counts(on=on),
            "upcoming": list(upcoming_deadlines(on=on, months=settings.ICAHUB_UPCOMING_MONTHS)),
            "overdue": list(overdue_obligations(on=on)),
            "recent": recent_changes([Obligation, Extension, Membership, State, Organisation]),
        }

    seconds = settings.ICAHUB_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = f"icahub:dashboard:{on.isoformat()}:{get_language()}"
    data = cache.get(key)
    if data is None:
        data = compute()
        cache.set(key, data, seconds)
    return data


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

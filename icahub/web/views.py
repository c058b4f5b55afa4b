import sys

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.defaults import server_error

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


# Seconds a client is asked to wait before retrying while the database is unreachable.
RETRY_AFTER_SECONDS = 30


def _database_unavailable(error: BaseException | None) -> bool:
    """Whether the error (or one it was raised from) says the database cannot be reached."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def service_unavailable(request):
    """503 while the database is unreachable: JSON for the API, a page for everyone else.

    Rendered without the request's context processors, which would query the database
    (the signed-in user, the unread notifications).
    """
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("The service is temporarily unavailable. Try again in a minute.")},
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def error_500(request):
    """handler500: an unreachable database is an outage (503, try again), not a bug (500)."""
    if _database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return server_error(request)


@never_cache
def health_live(request):
    """The process answers (no database query): for a supervisor's liveness probe."""
    return JsonResponse({"status": "ok"})


@never_cache
def health_ready(request):
    """The process can reach the database: for a load balancer's readiness probe."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (OperationalError, InterfaceError):
        response = JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})

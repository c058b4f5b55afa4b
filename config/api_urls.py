from django.urls import re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from icahub.accounts.api import TokenCreateApi
from icahub.assistance.api import API_ROUTES as ASSISTANCE_ROUTES
from icahub.coalitions.api import API_ROUTES as COALITION_ROUTES
from icahub.funding.api import API_ROUTES as FUNDING_ROUTES
from icahub.imports.api import API_ROUTES as IMPORT_ROUTES
from icahub.notifications.api import API_ROUTES as NOTIFICATION_ROUTES
from icahub.obligations.api import (
    DeadlinesApi,
    ExtensionCreateApi,
    ObligationDetailApi,
    ObligationListApi,
)
from icahub.registry.api import (
    ConventionListApi,
    OrganisationListApi,
    StateDetailApi,
    StateListApi,
)
from icahub.relays.api import API_ROUTES as RELAY_ROUTES
from icahub.reports.api import (
    AssistanceRequestStatisticsApi,
    ReportAmendApi,
    ReportDetailApi,
    ReportListApi,
    ReportPublishApi,
    ReportSubmitApi,
)


def api_path(route: str, view, name: str):
    """A route whose trailing slash is optional: a script that POSTs to /obligations gets
    the same answer as /obligations/ (Django's slash redirect cannot carry a body)."""
    return re_path(rf"^{route}/?$", view, name=name)


ISO3 = r"(?P<iso3>[A-Za-z]{3})"
PK = r"(?P<pk>[0-9]+)"

urlpatterns = [
    api_path("auth/token", TokenCreateApi.as_view(), "api-token"),
    api_path("conventions", ConventionListApi.as_view(), "api-conventions"),
    api_path("states", StateListApi.as_view(), "api-states"),
    api_path(f"states/{ISO3}", StateDetailApi.as_view(), "api-state"),
    api_path("organisations", OrganisationListApi.as_view(), "api-organisations"),
    api_path("obligations", ObligationListApi.as_view(), "api-obligations"),
    api_path(f"obligations/{PK}", ObligationDetailApi.as_view(), "api-obligation"),
    api_path(
        f"obligations/{PK}/extensions", ExtensionCreateApi.as_view(), "api-obligation-extensions"
    ),
    api_path("rules/deadlines", DeadlinesApi.as_view(), "api-rules-deadlines"),
    api_path("reports", ReportListApi.as_view(), "api-reports"),
    api_path(f"reports/{PK}", ReportDetailApi.as_view(), "api-report"),
    api_path(f"reports/{PK}/submit", ReportSubmitApi.as_view(), "api-report-submit"),
    api_path(f"reports/{PK}/amend", ReportAmendApi.as_view(), "api-report-amend"),
    api_path(f"reports/{PK}/publish", ReportPublishApi.as_view(), "api-report-publish"),
    api_path(
        "statistics/assistance-requests",
        AssistanceRequestStatisticsApi.as_view(),
        "api-statistics-assistance-requests",
    ),
    *(api_path(route, view, name) for route, view, name in ASSISTANCE_ROUTES),
    *(api_path(route, view, name) for route, view, name in FUNDING_ROUTES),
    *(api_path(route, view, name) for route, view, name in COALITION_ROUTES),
    *(api_path(route, view, name) for route, view, name in NOTIFICATION_ROUTES),
    *(api_path(route, view, name) for route, view, name in RELAY_ROUTES),
    *(api_path(route, view, name) for route, view, name in IMPORT_ROUTES),
    api_path("schema", SpectacularAPIView.as_view(), "api-schema"),
    # The split view serves its start-up script from a URL of its own: no inline script
    # under the Content-Security-Policy (and no inline style: the page is ours).
    api_path(
        "docs",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="web/api_docs.html"
        ),
        "api-docs",
    ),
]

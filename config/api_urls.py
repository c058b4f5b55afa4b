from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from icahub.accounts.api import TokenCreateApi
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

urlpatterns = [
    path("auth/token/", TokenCreateApi.as_view(), name="api-token"),
    path("conventions/", ConventionListApi.as_view(), name="api-conventions"),
    path("states/", StateListApi.as_view(), name="api-states"),
    path("states/<str:iso3>/", StateDetailApi.as_view(), name="api-state"),
    path("organisations/", OrganisationListApi.as_view(), name="api-organisations"),
    path("obligations/", ObligationListApi.as_view(), name="api-obligations"),
    path("obligations/<int:pk>/", ObligationDetailApi.as_view(), name="api-obligation"),
    path(
        "obligations/<int:pk>/extensions/",
        ExtensionCreateApi.as_view(),
        name="api-obligation-extensions",
    ),
    path("rules/deadlines/", DeadlinesApi.as_view(), name="api-rules-deadlines"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

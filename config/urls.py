from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from icahub.web import views as web_views

urlpatterns = [
    path("health/live", web_views.health_live, name="health-live"),
    path("health/ready", web_views.health_ready, name="health-ready"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("icahub.accounts.urls")),
    path("obligations/", include("icahub.obligations.urls")),
    path("reports/", include("icahub.reports.urls")),
    path("assistance/", include("icahub.assistance.urls")),
    path("funding/", include("icahub.funding.urls")),
    path("coalitions/", include("icahub.coalitions.urls")),
    path("notifications/", include("icahub.notifications.urls")),
    path("relays/", include("icahub.relays.urls")),
    path("imports/", include("icahub.imports.urls")),
    path("", include("icahub.registry.urls")),
    path("", include("icahub.web.urls")),
    prefix_default_language=False,
)

handler404 = "icahub.web.views.error_404"
handler500 = "icahub.web.views.error_500"
# Uploaded files are never served from MEDIA_URL, not even in development: evidence and
# coalition documents go out only through their permission-checked download views.

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "icahub.reports"
    verbose_name = _("Article 7 reports")

    def ready(self) -> None:
        # Register this app's django-rules permissions (permissions.py) at start-up.
        from icahub.reports import permissions  # noqa: F401

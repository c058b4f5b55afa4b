from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "icahub.imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        # Permissions (django-rules) and the receiver that records a task's failure on its
        # import job.
        from icahub.imports import permissions, signals  # noqa: F401

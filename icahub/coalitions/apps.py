from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoalitionsConfig(AppConfig):
    name = "icahub.coalitions"
    verbose_name = _("Country Coalitions")

    def ready(self) -> None:
        # Register this app's django-rules permissions (permissions.py) at start-up.
        from icahub.coalitions import permissions  # noqa: F401

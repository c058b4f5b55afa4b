from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "icahub.funding"
    verbose_name = _("Funding flows")

    def ready(self) -> None:
        # Register this app's django-rules permissions (permissions.py) at start-up.
        from icahub.funding import permissions  # noqa: F401

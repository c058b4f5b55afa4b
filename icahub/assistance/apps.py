from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "icahub.assistance"
    verbose_name = _("Needs and offers")

    def ready(self) -> None:
        # Register this app's django-rules permissions (permissions.py) at start-up.
        from icahub.assistance import (
            permissions,  # noqa: F401
            signals,
        )

        # Recompute matches when needs, offers, flows or the weights change.
        signals.connect_flow_signals()

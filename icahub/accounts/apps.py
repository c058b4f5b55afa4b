from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "icahub.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Register this app's django-rules permissions (permissions.py) at start-up.
        from icahub.accounts import permissions, signals  # noqa: F401

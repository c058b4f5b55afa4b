from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from icahub.accounts.models import User


@admin.register(User)
class IcahubUserAdmin(UserAdmin):
    """ISU staff create accounts here and give each its role and state or organisation."""

    list_display = ["username", "email", "role", "state", "organisation", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    list_select_related = ["state", "organisation"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Role in icahub"), {"fields": ["role", "state", "organisation"]}),
    ]
    add_fieldsets = [
        *UserAdmin.add_fieldsets,
        (_("Role in icahub"), {"fields": ["email", "role", "state", "organisation"]}),
    ]
    autocomplete_fields = ["state", "organisation"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from icahub.accounts.models import LoginEvent, User


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


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    """The sign-in audit, read-only: events are written by the sign-in signals only."""

    list_display = ["at", "kind", "username", "ip_address", "channel", "user_agent"]
    list_filter = ["kind", "channel", "at"]
    search_fields = ["username", "ip_address", "user_agent"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in LoginEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from icahub.obligations.models import Extension, Obligation


class ExtensionInline(admin.TabularInline):
    model = Extension
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Extension._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Obligation)
class ObligationAdmin(SimpleHistoryAdmin):
    """Read-only here: obligations and extensions are recorded through the site's pages and
    API, whose services compute deadlines by the treaty rules."""

    list_display = ["state", "convention", "kind", "original_deadline", "current_deadline"]
    list_filter = ["convention", "kind"]
    list_select_related = ["state", "convention"]
    inlines = [ExtensionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

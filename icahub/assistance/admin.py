from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from icahub.assistance.models import Need, NeedEvidence, NeedTranslation, Offer


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class NeedTranslationInline(ReadOnlyInline):
    model = NeedTranslation
    fields = ["language", "title", "description"]


class NeedEvidenceInline(ReadOnlyInline):
    model = NeedEvidence
    fields = ["original_name", "content_type", "size", "file", "created_at"]


@admin.register(Need)
class NeedAdmin(SimpleHistoryAdmin):
    """Read-only here: needs are written through the site's pages, the API and report
    submission, whose services check budgets, links and evidence files."""

    list_display = ["title", "state", "convention", "area", "modality", "status", "visibility"]
    list_filter = ["convention", "area", "modality", "status", "visibility"]
    list_select_related = ["state", "convention"]
    search_fields = ["title", "state__name_en", "state__iso3"]
    inlines = [NeedTranslationInline, NeedEvidenceInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin):
    """Read-only here: offers are written through the site's pages and the API."""

    list_display = ["title", "provider_state", "provider_organisation", "status", "visibility"]
    list_filter = ["status", "visibility"]
    list_select_related = ["provider_state", "provider_organisation"]
    search_fields = ["title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

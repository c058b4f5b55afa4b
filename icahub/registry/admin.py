from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from icahub.registry.models import Contact, Convention, Membership, Organisation, State


@admin.register(Convention)
class ConventionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "short_name", "opened_for_signature", "entry_into_force"]


@admin.register(State)
class StateAdmin(SimpleHistoryAdmin):
    list_display = ["iso3", "iso2", "name_en", "region_code", "subregion_code"]
    search_fields = ["iso3", "iso2", "name_en", "name_fr", "name_es", "name_ar"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    """Read-only here: memberships come from the depositary's records (load_reference_data),
    which compute entry into force by the treaty rule."""

    list_display = ["state", "convention", "signed", "deposited", "entry_into_force"]
    list_filter = ["convention", "instrument"]
    list_select_related = ["state", "convention"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym"]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "role", "email", "state", "organisation"]
    search_fields = ["name", "email"]

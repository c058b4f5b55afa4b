from django import forms
from django.utils.translation import gettext_lazy as _

from icahub.registry.models import Contact, Convention, MembershipStatus, Organisation, State
from icahub.registry.regions import REGIONS, SUBREGIONS
from icahub.versioning import VersionedFormMixin


class StateFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False)
    convention = forms.ChoiceField(label=_("Convention"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))]
        + [(value, label) for value, label in MembershipStatus.choices if value != "none"],
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    on = forms.DateField(
        label=_("Status on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for today."),
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convention"].choices = [("", _("Any convention"))] + [
            (code, code) for code in Convention.objects.values_list("code", flat=True)
        ]
        self.fields["region"].choices = (
            [("", _("Any region"))]
            + [(code, name) for code, name in REGIONS.items()]
            + [(code, name) for code, name in SUBREGIONS.items()]
        )


def _website_field() -> forms.URLField:
    return forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        help_text=_("A full web address, for example https://www.example.org"),
    )


class StateEditForm(VersionedFormMixin, forms.ModelForm):
    website = _website_field()

    class Meta:
        model = State
        fields = ["mine_action_authority", "website", "notes"]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "role", "email", "phone"]


class OrganisationEditForm(VersionedFormMixin, forms.ModelForm):
    website = _website_field()

    class Meta:
        model = Organisation
        fields = ["acronym", "kind", "country", "website", "description"]

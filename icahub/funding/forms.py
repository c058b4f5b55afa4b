"""Forms of the funding pages. They shape and check the input; the services write it and
the model's own rules come back from them as errors named by field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from icahub.assistance.forms import VISIBILITY_CHOICES, DateInput, StateChoiceField
from icahub.assistance.models import AREA_CHOICES, MODALITY_CHOICES, Visibility
from icahub.assistance.selectors import need_list
from icahub.coalitions.models import Coalition
from icahub.funding.models import CooperationModel, FlowStatus
from icahub.interchange import uploads
from icahub.registry.models import Organisation, State
from icahub.versioning import VersionedFormMixin


def _any(label) -> list:
    return [("", label)]


class NeedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.state.name}: {obj.title}"


class FlowForm(VersionedFormMixin, forms.Form):
    """A flow's fields: exactly one giver and one recipient (the model says which is
    missing or doubled, naming the field)."""

    giver_state = StateChoiceField(
        label=_("Giver state"),
        required=False,
        queryset=State.objects.order_by("name_en"),
        to_field_name="iso3",
        empty_label=_("None"),
        help_text=_("A state or an organisation gives: fill in one of the two."),
    )
    giver_organisation = forms.ModelChoiceField(
        label=_("Giver organisation"),
        required=False,
        queryset=Organisation.objects.order_by("name"),
        empty_label=_("None"),
    )
    recipient_state = StateChoiceField(
        label=_("Recipient state"),
        required=False,
        queryset=State.objects.order_by("name_en"),
        to_field_name="iso3",
        empty_label=_("None"),
        help_text=_(
            "A state, an organisation or a Country Coalition receives: fill in one. For a "
            "need, left empty it is the need's state."
        ),
    )
    recipient_organisation = forms.ModelChoiceField(
        label=_("Recipient organisation"),
        required=False,
        queryset=Organisation.objects.order_by("name"),
        empty_label=_("None"),
    )
    recipient_coalition = forms.ModelChoiceField(
        label=_("Recipient Country Coalition"),
        required=False,
        queryset=Coalition.objects.order_by("name"),
        empty_label=_("None"),
    )
    need = NeedChoiceField(
        label=_("Need"),
        required=False,
        queryset=None,
        empty_label=_("None: funding for an area"),
        help_text=_("The need this money serves, if any; its area is then the flow's."),
    )
    area = forms.ChoiceField(
        label=_("Area"),
        required=False,
        choices=_any(_("The need's area")) + AREA_CHOICES,
        help_text=_("Required when the flow is not for a need."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=FlowStatus.choices,
        help_text=_(
            "A pledge is a promise: it is shown apart and never counted as funding. "
            "Commitments, disbursements and expenditure are."
        ),
    )
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=16, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        help_text=_("ISO 4217 code, for example EUR, NOK or USD."),
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )
    value_date = forms.DateField(
        label=_("Value date"),
        widget=DateInput(),
        help_text=_("The date of the amount (year-month-day); it selects the exchange rate."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1997,
        max_value=2100,
        help_text=_("The year the flow counts for; empty: the value date's year."),
    )
    modality = forms.ChoiceField(
        label=_("Modality"), required=False, choices=_any(_("Not given")) + MODALITY_CHOICES
    )
    cooperation_model = forms.ChoiceField(
        label=_("Cooperation model"),
        required=False,
        choices=_any(_("Not given")) + CooperationModel.choices,
    )
    notes_on_use = forms.CharField(
        label=_("Use of funds"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the money was used for (accountability)."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"),
        choices=VISIBILITY_CHOICES,
        initial=Visibility.PUBLIC,
        help_text=_(
            "Public: everyone. States Parties only: signed-in users of States Parties, "
            "coordinators and the ISU. Coalition only: the recipient coalition's members. "
            "The giver, the recipient and the ISU always see it."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = need_list(user=user).select_related("state")

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def service_values(self) -> dict:
        """The cleaned data as the services take it (empty choices left to the model)."""
        values = dict(self.cleaned_data)
        for name in ("area", "modality", "cooperation_model"):
            values[name] = values.get(name) or ""
        return values


class FlowFilterForm(forms.Form):
    giver = forms.CharField(
        label=_("Giver"),
        required=False,
        help_text=_("ISO code of a state (NOR), or organisation:<id>."),
    )
    recipient = forms.CharField(
        label=_("Recipient"),
        required=False,
        help_text=_("ISO code of a state (LAO), organisation:<id> or coalition:<id>."),
    )
    area = forms.ChoiceField(label=_("Area"), required=False, choices=_any(_("Any")) + AREA_CHOICES)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1997, max_value=2100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(_("Any")) + FlowStatus.choices
    )
    need = forms.IntegerField(label=_("Need (id)"), required=False, min_value=1)


class ExchangeRateForm(forms.Form):
    currency = forms.CharField(
        label=_("Currency"), max_length=3, help_text=_("ISO 4217 code, for example EUR.")
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=DateInput(),
        help_text=_("Year-month-day; the rate holds until the next rate of the currency."),
    )
    usd_per_unit = forms.DecimalField(
        label=_("US dollars per unit"), max_digits=20, decimal_places=10, min_value=0
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Where the rate comes from, e.g. UN operational rates of exchange."),
    )

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()


class UploadForm(forms.Form):
    file = uploads.UploadField(
        label=_("File"),
        accepted=uploads.TABLE_TYPES,
        stored=False,
        help_text=format_lazy(
            "{} {}",
            _("A .csv (UTF-8) or .xlsx file whose first row names the columns."),
            uploads.upload_help(uploads.TABLE_TYPES),
        ),
    )


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(
        label=_("Id of the duplicate flow"),
        min_value=1,
        help_text=_("The same real flow recorded twice: it is merged into this one and deleted."),
    )

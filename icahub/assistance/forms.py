"""Forms of the needs and offers pages. They only shape and check the input; the services
write it (and the model's own rules come back from them as errors named by field)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from icahub.assistance import scoring
from icahub.assistance.models import (
    AREA_CHOICES,
    LANGUAGE_CHOICES,
    MODALITY_CHOICES,
    NeedStatus,
    OfferStatus,
    Visibility,
)
from icahub.interchange import uploads
from icahub.obligations.models import Obligation
from icahub.registry.models import Convention, Organisation, State
from icahub.registry.regions import REGIONS, SUBREGIONS
from icahub.versioning import VersionedFormMixin

# Visibility in words, as the pages show it (tags, choices, downloads).
VISIBILITY_LABELS = {
    Visibility.PUBLIC: _("Public"),
    Visibility.STATES_PARTIES: _("States Parties only"),
    Visibility.COALITION: _("Coalition only"),
    Visibility.PRIVATE: _("Private"),
}
VISIBILITY_CHOICES = [(value, VISIBILITY_LABELS[value]) for value in Visibility.values]
REGION_CHOICES = [*REGIONS.items(), *SUBREGIONS.items()]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CheckboxGroup(forms.CheckboxSelectMultiple):
    """Checkboxes shown in a fieldset whose legend names the field. The field's "label" is
    its first box, so that the error summary links to the group."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


def _any(label) -> list:
    return [("", label)]


def _date(label, help_text=None, required=False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text or _("Year-month-day, for example 2026-03-31."),
    )


def _amount(label, help_text=None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_digits=16,
        decimal_places=2,
        help_text=help_text,
    )


def _count(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0)


def _currency() -> forms.CharField:
    return forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        help_text=_("Three capital letters (ISO 4217), e.g. USD; required when a budget is given."),
        widget=forms.TextInput(attrs={"size": 4, "autocomplete": "off"}),
    )


def _region_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Region"), required=False, choices=_any(_("Any region")) + REGION_CHOICES
    )


def _state_code_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"size": 4, "autocomplete": "off"}),
    )


class StateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class StateMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ObligationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        deadline = obj.current_deadline.isoformat() if obj.current_deadline else _("no deadline")
        return f"{obj.state.name}: {obj.get_kind_display()} ({obj.convention.code}, {deadline})"


# --- filters -------------------------------------------------------------------------------


class NeedFilterForm(forms.Form):
    area = forms.ChoiceField(
        label=_("Area"), required=False, choices=_any(_("Any area")) + AREA_CHOICES
    )
    state = _state_code_field(_("State (ISO code)"))
    region = _region_field()
    convention = forms.ChoiceField(label=_("Convention"), required=False)
    modality = forms.ChoiceField(
        label=_("Modality"), required=False, choices=_any(_("Any modality")) + MODALITY_CHOICES
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(_("Any status")) + NeedStatus.choices
    )
    deadline_before = forms.DateField(
        label=_("Deadline on or before"), required=False, widget=DateInput()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convention"].choices = _any(_("Any convention")) + [
            (code, code)
            for code in Convention.objects.order_by("code").values_list("code", flat=True)
        ]


class OfferFilterForm(forms.Form):
    area = forms.ChoiceField(
        label=_("Area"), required=False, choices=_any(_("Any area")) + AREA_CHOICES
    )
    modality = forms.ChoiceField(
        label=_("Modality"), required=False, choices=_any(_("Any modality")) + MODALITY_CHOICES
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(_("Any status")) + OfferStatus.choices
    )
    provider_state = _state_code_field(_("Provider state (ISO code)"))
    region = _region_field()


# --- needs ---------------------------------------------------------------------------------


class NeedForm(VersionedFormMixin, forms.Form):
    """A need's fields. Creating: the state (fixed to their own for a focal point) and the
    convention too. Editing: neither, they are not changed once recorded."""

    state = StateChoiceField(
        label=_("State"),
        queryset=State.objects.order_by("name_en"),
        to_field_name="iso3",
        empty_label=_("Choose a state"),
    )
    convention = forms.ModelChoiceField(
        label=_("Convention"),
        queryset=Convention.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("Choose a convention"),
        help_text=_("The state must be a State Party of it."),
    )
    area = forms.ChoiceField(label=_("Area"), choices=_any(_("Choose an area")) + AREA_CHOICES)
    modality = forms.ChoiceField(
        label=_("Modality"), choices=_any(_("Choose a modality")) + MODALITY_CHOICES
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    language = forms.ChoiceField(
        label=_("Language of the title and description"),
        choices=LANGUAGE_CHOICES,
        initial="en",
        help_text=_("A translation into another language can be added once the need is saved."),
    )
    area_m2 = _amount(_("Area (square metres)"), _("For clearance: the area to survey or clear."))
    stockpiled_munitions = _count(_("Stockpiled munitions"))
    survivors_to_reach = _count(_("Survivors to reach"))
    budget_required = _amount(_("Budget required"))
    budget_secured = _amount(
        _("Budget already secured"),
        _("From national or other sources; at most the budget required."),
    )
    currency = _currency()
    value_date = _date(
        _("Value date"), _("The date at which the amounts are valued (year-month-day).")
    )
    period_start = _date(_("Period from"))
    period_end = _date(_("Period to"))
    obligation = ObligationChoiceField(
        label=_("Linked obligation"),
        required=False,
        queryset=Obligation.objects.none(),
        empty_label=_("None"),
        help_text=_(
            "The treaty obligation this need helps to meet; its deadline is shown with the need."
        ),
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"),
        choices=VISIBILITY_CHOICES,
        initial=Visibility.STATES_PARTIES,
        help_text=_(
            "Public: everyone. States Parties only: signed-in users of States Parties, "
            "coordinators and the ISU. Coalition only: also the members of Country "
            "Coalitions led by your state or whose plan links the need. Private: your state "
            "and the ISU."
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=NeedStatus.choices, initial=NeedStatus.OPEN
    )

    # Fields shown together, each group in a fieldset with its legend.
    GROUPS = [
        (
            _("The need"),
            ["state", "convention", "area", "modality", "title", "description", "language"],
        ),
        (_("Quantities"), ["area_m2", "stockpiled_munitions", "survivors_to_reach"]),
        (_("Budget"), ["budget_required", "budget_secured", "currency", "value_date"]),
        (_("Period and deadline"), ["period_start", "period_end", "obligation"]),
        (_("Visibility and status"), ["visibility", "status"]),
    ]

    def __init__(self, *args, user, need=None, **kwargs):
        super().__init__(*args, **kwargs)
        obligations = Obligation.objects.select_related("state", "convention").order_by(
            "state__name_en", "convention__code", "kind"
        )
        if need is not None:
            del self.fields["state"]
            del self.fields["convention"]
            obligations = obligations.filter(state=need.state, convention=need.convention)
        elif not user.is_isu:
            # A focal point records needs of its own state only.
            state = self.fields["state"]
            state.queryset = State.objects.filter(pk=user.state_id)
            state.initial = user.state
            state.disabled = True
            state.help_text = _("Your account records needs for this state.")
            obligations = obligations.filter(state_id=user.state_id)
        self.fields["obligation"].queryset = obligations

    def groups(self):
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.GROUPS
        ]


class NeedTranslationForm(VersionedFormMixin, forms.Form):
    """A translation to add, or (opened from one, ``version=`` its lock_version) to change."""

    language = forms.ChoiceField(label=_("Language"))
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, need, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _any(_("Choose a language")) + [
            (code, label) for code, label in LANGUAGE_CHOICES if code != need.language
        ]
        self.fields["language"].help_text = _(
            "To change a translation already given, use its change link on the need's page."
        )


class EvidenceForm(forms.Form):
    file = uploads.UploadField(label=_("File"), accepted=uploads.DOCUMENT_TYPES)


# --- offers --------------------------------------------------------------------------------


class OfferForm(VersionedFormMixin, forms.Form):
    """An offer's fields. Creating: the provider too (the ISU chooses it; anyone else
    offers for their own state or organisation). Editing: the provider is not changed."""

    provider_state = StateChoiceField(
        label=_("Provider state"),
        required=False,
        queryset=State.objects.order_by("name_en"),
        to_field_name="iso3",
        empty_label=_("None"),
    )
    provider_organisation = forms.ModelChoiceField(
        label=_("Provider organisation"),
        required=False,
        queryset=Organisation.objects.order_by("name"),
        empty_label=_("None"),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas"),
        choices=AREA_CHOICES,
        widget=CheckboxGroup,
        error_messages={"required": _("Choose at least one area.")},
    )
    modalities = forms.MultipleChoiceField(
        label=_("Modalities"), required=False, choices=MODALITY_CHOICES, widget=CheckboxGroup
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        required=False,
        choices=LANGUAGE_CHOICES,
        widget=CheckboxGroup,
    )
    priority_regions = forms.MultipleChoiceField(
        label=_("Priority regions"),
        required=False,
        choices=REGION_CHOICES,
        widget=CheckboxGroup,
        help_text=_("UN M49 regions and sub-regions."),
    )
    priority_countries = StateMultipleChoiceField(
        label=_("Priority countries"),
        required=False,
        queryset=State.objects.order_by("name_en"),
        to_field_name="iso3",
        widget=CheckboxGroup,
    )
    budget_envelope = _amount(_("Budget envelope"))
    currency = _currency()
    period_start = _date(_("Period from"))
    period_end = _date(_("Period to"))
    visibility = forms.ChoiceField(
        label=_("Who may see it"),
        choices=VISIBILITY_CHOICES,
        initial=Visibility.STATES_PARTIES,
        help_text=_(
            "Public: everyone. States Parties only: signed-in users of States Parties, "
            "coordinators and the ISU. Coalition only: also the members of Country "
            "Coalitions the provider belongs to. Private: the provider and the ISU."
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=OfferStatus.choices, initial=OfferStatus.OPEN
    )

    GROUPS = [
        (_("Provider"), ["provider_state", "provider_organisation"]),
        (_("The offer"), ["title", "description"]),
        (_("What is offered"), ["areas", "modalities", "languages"]),
        (_("Priorities"), ["priority_regions", "priority_countries"]),
        (_("Budget and period"), ["budget_envelope", "currency", "period_start", "period_end"]),
        (_("Visibility and status"), ["visibility", "status"]),
    ]

    def __init__(self, *args, user, offer=None, own_provider=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offer is not None:
            del self.fields["provider_state"]
            del self.fields["provider_organisation"]
        elif not user.is_isu:
            # Anyone but the ISU offers for their own state or organisation.
            fixed = "provider_state" if isinstance(own_provider, State) else "provider_organisation"
            other = "provider_organisation" if fixed == "provider_state" else "provider_state"
            del self.fields[other]
            field = self.fields[fixed]
            field.queryset = field.queryset.filter(pk=getattr(own_provider, "pk", None))
            field.initial = own_provider
            field.disabled = True
            field.required = True
            field.help_text = _("Your account records offers for this provider.")
        else:
            self.fields["provider_state"].help_text = _(
                "Give a state or an organisation, not both."
            )

    def groups(self):
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.GROUPS
        ]


# --- matching ------------------------------------------------------------------------------


class MatchingWeightsForm(VersionedFormMixin, forms.Form):
    """One weight per factor; labels and help texts come from ``FACTOR_HELP``; the
    weights' version (another ISU member's save since the page opened is refused)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in scoring.FACTORS:
            label, help_text = FACTOR_HELP[name]
            self.fields[name] = forms.FloatField(
                label=label, help_text=help_text, min_value=0, max_value=1000
            )


FACTOR_HELP = {
    "area": (
        _("Area"),
        _(
            "1 when the offer or partner works in the need's area, else 0. Outside the area "
            "the whole score is also halved."
        ),
    ),
    "modality": (
        _("Modality"),
        _("1 when it gives the kind of assistance asked for, 0.5 when it names none, else 0."),
    ),
    "geography": (
        _("Geographic priority"),
        _(
            "1 for the need's country among its priority countries, 0.7 for the need's region, "
            "0.3 when it states no priority, else 0."
        ),
    ),
    "language": (
        _("Language"),
        _("1 when it works in the need's language, 0.5 when it names none, else 0."),
    ),
    "budget": (
        _("Budget"),
        _(
            "The share of the need's budget still to be found that its envelope covers "
            "(in US dollars); 0.5 when either is unknown."
        ),
    ),
    "urgency": (
        _("Urgency"),
        _(
            "1 when the linked treaty deadline is within a year or passed, falling to 0 at "
            "five years; 0.3 with no deadline."
        ),
    ),
    "past_cooperation": (
        _("Past cooperation"),
        _("Rises with the funding flows already between the partner and the need's state."),
    ),
    "text": (
        _("Text similarity"),
        _(
            "How alike the descriptions are in meaning, across English, French, Spanish and "
            "Arabic (multilingual sentence embeddings)."
        ),
    ),
}

from django import forms
from django.utils.translation import gettext_lazy as _

from icahub.obligations.models import ObligationKind, ObligationStatus
from icahub.registry.models import Convention, State
from icahub.versioning import VersionedFormMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ObligationFilterForm(forms.Form):
    state = forms.CharField(label=_("State (ISO code)"), required=False, max_length=3)
    convention = forms.ChoiceField(label=_("Convention"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind"))] + ObligationKind.choices
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))] + ObligationStatus.choices,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convention"].choices = [("", _("Any convention"))] + [
            (code, code) for code in Convention.objects.values_list("code", flat=True)
        ]


class ObligationCreateForm(forms.Form):
    state = forms.ModelChoiceField(label=_("State"), queryset=State.objects.order_by("name_en"))
    convention = forms.ModelChoiceField(label=_("Convention"), queryset=Convention.objects.all())
    kind = forms.ChoiceField(label=_("Kind"), choices=ObligationKind.choices)
    source = forms.CharField(
        label=_("Source"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where this obligation is documented, e.g. the state's Article 7 report."),
    )


class ExtensionForm(VersionedFormMixin, forms.Form):
    """Carries the obligation's version: two people recording the same extension at once
    record it once."""

    new_deadline = forms.DateField(
        label=_("New deadline"),
        widget=DateInput(),
        help_text=_("As granted by the meeting, for example 2025-08-01 (year-month-day)."),
    )
    decided_by = forms.CharField(
        label=_("Decided by"),
        max_length=200,
        required=False,
        help_text=_("The meeting that granted it, e.g. 9MSP (September 2019)."),
    )
    decided_on = forms.DateField(
        label=_("Decided on"),
        required=False,
        widget=DateInput(),
        help_text=_("Date of the decision (year-month-day)."),
    )
    exceptional_circumstances = forms.BooleanField(
        label=_("Granted in exceptional circumstances"),
        required=False,
        help_text=_("Needed for a further extension of a CCM Article 3 deadline."),
    )
    source = forms.CharField(
        label=_("Source"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObligationEditForm(VersionedFormMixin, forms.Form):
    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty while the work goes on (year-month-day)."),
    )
    completion_declaration = forms.CharField(
        label=_("Completion declaration"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How completion was declared or reported, e.g. at which meeting."),
    )
    source = forms.CharField(
        label=_("Source"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CalculatorForm(forms.Form):
    convention = forms.ModelChoiceField(
        label=_("Convention"), queryset=Convention.objects.order_by("code"), to_field_name="code"
    )
    deposited = forms.DateField(
        label=_("Date the instrument is deposited"),
        widget=DateInput(),
        help_text=_("Ratification or accession date, for example 2016-04-19 (year-month-day)."),
    )

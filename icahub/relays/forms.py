"""Forms of the relay pages: they shape and check input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from icahub.assistance.forms import CheckboxGroup
from icahub.registry.models import Organisation, State
from icahub.relays.models import Answer, Outcome


class RadioGroup(forms.RadioSelect):
    """Radio buttons in a fieldset; the error summary links to the first one."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class StateChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class RelayForm(forms.Form):
    """Choose partners (states and organisations), with a search that narrows the lists
    without losing the boxes already ticked (the search posts the same form)."""

    q = forms.CharField(
        label=_("Search partners"),
        required=False,
        max_length=100,
        help_text=_("Part of a name, an acronym or an ISO code; then press “Search”."),
    )
    states = StateChoices(
        label=_("Partner states"),
        queryset=State.objects.none(),
        required=False,
        widget=CheckboxGroup,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=CheckboxGroup,
    )
    note = forms.CharField(
        label=_("Note to the partners"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why these partners were chosen, or what is asked of them."),
    )

    def __init__(self, *args, need, **kwargs):
        super().__init__(*args, **kwargs)
        self.need = need
        states = State.objects.exclude(pk=need.state_id).order_by("name_en")
        organisations = Organisation.objects.order_by("name")
        self.fields["states"].queryset = states
        self.fields["organisations"].queryset = organisations
        query = (self.data.get("q") or "").strip() if self.is_bound else ""
        ticked_states = set(self.data.getlist("states")) if self.is_bound else set()
        ticked_orgs = set(self.data.getlist("organisations")) if self.is_bound else set()
        if query:
            # Only the matching partners and those ticked already are shown.
            states = states.filter(
                Q(name_en__icontains=query)
                | Q(iso3__iexact=query)
                | Q(pk__in=[pk for pk in ticked_states if pk.isdigit()])
            )
            organisations = organisations.filter(
                Q(name__icontains=query)
                | Q(acronym__icontains=query)
                | Q(pk__in=[pk for pk in ticked_orgs if pk.isdigit()])
            )
        self.fields["states"].choices = [(s.pk, s.name) for s in states]
        self.fields["organisations"].choices = [(o.pk, str(o)) for o in organisations]
        self.query = query

    def partners(self) -> list:
        return [*self.cleaned_data["states"], *self.cleaned_data["organisations"]]


class ObjectionForm(forms.Form):
    objection_reason = forms.CharField(
        label=_("Reason for the objection"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The ISU and the coordinator who relayed the need will read it."),
    )


ANSWER_CHOICES = [(value, label) for value, label in Answer.choices if value != Answer.NONE]


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Your answer"), choices=ANSWER_CHOICES, widget=RadioGroup)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    pledge_amount = forms.DecimalField(
        label=_("Amount pledged"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=16,
        decimal_places=2,
        help_text=_("Only with a pledge."),
    )
    pledge_currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        help_text=_("Three capital letters (ISO 4217), e.g. USD; only with a pledge."),
        widget=forms.TextInput(attrs={"size": 4, "autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == Answer.PLEDGED:
            if cleaned.get("pledge_amount") is None and "pledge_amount" not in self.errors:
                self.add_error("pledge_amount", _("Give the amount pledged."))
            if not (cleaned.get("pledge_currency") or "").strip():
                self.add_error("pledge_currency", _("Give the currency of the pledge (e.g. USD)."))
        return cleaned


class FollowUpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Was the need met?"),
        choices=[(value, label) for value, label in Outcome.choices if value],
        widget=RadioGroup,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReportYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1997, max_value=2200)

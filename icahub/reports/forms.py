from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from icahub.registry.models import Convention


def _conventions():
    return [
        (code, code) for code in Convention.objects.order_by("code").values_list("code", flat=True)
    ]


class ConventionYearForm(forms.Form):
    convention = forms.ChoiceField(label=_("Convention"))
    reporting_year = forms.IntegerField(
        label=_("Reporting year"),
        min_value=1999,
        max_value=2100,
        help_text=_("The calendar year the reports cover, for example 2017."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convention"].choices = _conventions()


class StatisticsForm(ConventionYearForm):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Count the reports submitted on or before this date. Leave empty for today."),
    )

    def clean_as_of(self):
        return self.cleaned_data.get("as_of") or timezone.localdate()


class ReportFilterForm(forms.Form):
    state = forms.CharField(label=_("State (ISO code)"), required=False, max_length=3)
    convention = forms.ChoiceField(label=_("Convention"), required=False)
    reporting_year = forms.IntegerField(
        label=_("Reporting year"), required=False, min_value=1999, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convention"].choices = [("", _("Any convention")), *_conventions()]

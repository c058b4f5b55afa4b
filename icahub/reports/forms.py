from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from icahub.interchange import uploads
from icahub.registry.models import Convention
from icahub.versioning import VersionedFormMixin


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


class ReportStartForm(forms.Form):
    state = forms.ModelChoiceField(
        label=_("State"), queryset=None, to_field_name="iso3", empty_label=None
    )
    convention = forms.ChoiceField(label=_("Convention"))
    kind = forms.ChoiceField(
        label=_("Kind of report"),
        choices=[("annual", _("Annual report")), ("initial", _("Initial report"))],
    )
    reporting_year = forms.IntegerField(
        label=_("Reporting year"),
        min_value=1999,
        max_value=2100,
        help_text=_("The calendar year the report covers (for an initial report, ignored)."),
    )
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=[("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية")],
    )

    def __init__(self, *args, states=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = states
        self.fields["convention"].choices = _conventions()


class ContactsForm(VersionedFormMixin, forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=[("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية")],
    )
    contact_name = forms.CharField(label=_("Contact name"), required=False, max_length=200)
    contact_organisation = forms.CharField(
        label=_("Contact organisation"), required=False, max_length=200
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact telephone"), required=False, max_length=50)


class SubmitForm(forms.Form):
    submitted_on = forms.DateField(
        label=_("Date of submission"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("ISU only, for a report received earlier. Leave empty for today."),
    )


class ImportForm(forms.Form):
    file = uploads.UploadField(
        label=_("Filled report template (XLSX)"),
        accepted=uploads.SPREADSHEET_TYPES,
        stored=False,
        help_text=format_lazy(
            "{} {}",
            _(
                "The file downloaded from icahub, filled in. Every problem is listed at once; "
                "nothing is saved unless the whole file is correct."
            ),
            uploads.upload_help(uploads.SPREADSHEET_TYPES),
        ),
    )

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from icahub.accounts.models import LoginEventKind

PASSWORD_RULES = _(
    "At least 12 characters. Not a commonly used password, not only digits, and not too "
    "similar to your username, name or e-mail address."
)


class IcahubPasswordChangeForm(PasswordChangeForm):
    """Django's form, with the password rules as one plain sentence (its own help text is
    an HTML list, which cannot sit inside the hint paragraph of our field layout)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_RULES
        for name, autocomplete in (
            ("old_password", "current-password"),
            ("new_password1", "new-password"),
            ("new_password2", "new-password"),
        ):
            self.fields[name].widget.attrs.pop("autofocus", None)
            self.fields[name].widget.attrs["autocomplete"] = autocomplete


class LoginEventFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("Any event")), *LoginEventKind.choices],
    )
    username = forms.CharField(label=_("Username"), required=False, max_length=150)
    ip_address = forms.GenericIPAddressField(label=_("IP address"), required=False)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        help_text=_("For example 2026-01-31"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        help_text=_("For example 2026-01-31"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data

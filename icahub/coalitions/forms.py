"""Forms of the coalition pages. They shape and check the input; the services write it
(their errors come back beside the field they name)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from icahub.assistance.forms import CheckboxGroup, DateInput, StateChoiceField
from icahub.assistance.models import Need
from icahub.coalitions.models import (
    CoalitionMember,
    CoalitionStatus,
    CommitmentStatus,
    MemberRole,
)
from icahub.coalitions.services import INVITABLE_ROLES
from icahub.funding.models import Flow
from icahub.interchange import uploads
from icahub.obligations.models import Obligation
from icahub.registry.models import Convention, Organisation, State
from icahub.versioning import VersionedFormMixin

ROLE_CHOICES = [(role.value, role.label) for role in INVITABLE_ROLES]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CoalitionMember) -> str:
        return f"{obj.party} ({obj.get_role_display()})"


class ObligationLinkField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Obligation) -> str:
        deadline = obj.current_deadline.isoformat() if obj.current_deadline else _("no deadline")
        return f"{obj.get_kind_display()} ({obj.convention.code}, {deadline})"


class NeedLinkField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Need) -> str:
        return f"{obj.title} ({obj.convention.code})"


class CoalitionCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    lead_state = StateChoiceField(
        label=_("Lead state"),
        queryset=State.objects.order_by("name_en"),
        to_field_name="iso3",
        empty_label=_("Choose a state"),
        help_text=_("The affected state that leads the coalition."),
    )
    convention = forms.ModelChoiceField(
        label=_("Convention"),
        queryset=Convention.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("Choose a convention"),
        help_text=_("The lead state must be a State Party of it."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to everyone, with the name, the lead state and the active members."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.is_isu and user.state_id is not None:
            # A focal point creates a coalition led by their own state.
            self.fields["lead_state"].queryset = State.objects.filter(pk=user.state_id)
            self.fields["lead_state"].initial = user.state.iso3
            self.fields["lead_state"].empty_label = None


class CoalitionEditForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to everyone, with the name, the lead state and the active members."),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=CoalitionStatus.choices,
        help_text=_("A closed coalition takes no new invitations or commitments."),
    )


class InviteForm(forms.Form):
    state = StateChoiceField(
        label=_("State"),
        required=False,
        queryset=State.objects.order_by("name_en"),
        to_field_name="iso3",
        empty_label=_("No state: an organisation"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.order_by("name"),
        empty_label=_("No organisation: a state"),
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=MemberRole.MEMBER)

    def clean(self):
        data = super().clean()
        if bool(data.get("state")) == bool(data.get("organisation")):
            self.add_error("state", _("Choose either a state or an organisation."))
        return data


class RoleForm(VersionedFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


class ObjectiveForm(VersionedFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=DateInput(),
        help_text=_("Year-month-day, for example 2026-03-31."),
    )
    obligations = ObligationLinkField(
        label=_("Linked obligations"),
        required=False,
        queryset=Obligation.objects.none(),
        widget=CheckboxGroup,
        help_text=_("The lead state's obligations this objective serves."),
    )
    needs = NeedLinkField(
        label=_("Linked needs"),
        required=False,
        queryset=Need.objects.none(),
        widget=CheckboxGroup,
        help_text=_("The lead state's needs this objective answers."),
    )

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligations"].queryset = (
            Obligation.objects.filter(state_id=coalition.lead_state_id)
            .select_related("convention")
            .order_by("convention__code", "article", "kind")
        )
        self.fields["needs"].queryset = (
            Need.objects.filter(state_id=coalition.lead_state_id)
            .select_related("convention")
            .order_by("title", "pk")
        )


class MeetingForm(VersionedFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=DateTimeInput(),
        help_text=_("In UTC, for example 2026-03-31 14:00."),
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        help_text=_("Give the place, the online link, or both."),
    )
    online_link = forms.URLField(
        label=_("Online link"), required=False, max_length=500, assume_scheme="https"
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = MemberChoiceField(
        label=_("Owner"),
        queryset=CoalitionMember.objects.none(),
        empty_label=_("Choose a member"),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=DateInput(),
        help_text=_("Year-month-day, for example 2026-03-31."),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    file = uploads.UploadField(
        label=_("File"),
        accepted=uploads.DOCUMENT_TYPES,
        help_text=format_lazy(
            "{} {}",
            uploads.upload_help(uploads.DOCUMENT_TYPES),
            _("Seen by members and the ISU only."),
        ),
    )


class FlowChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Flow) -> str:
        status = obj.get_status_display()
        return f"{obj.giver}: {obj.amount} {obj.currency} ({status}, {obj.value_date})"


class CommitmentForm(VersionedFormMixin, forms.Form):
    member = MemberChoiceField(
        label=_("Member"), queryset=CoalitionMember.objects.none(), empty_label=None
    )
    need = forms.ModelChoiceField(
        label=_("Need of the plan"), queryset=Need.objects.none(), empty_label=_("Choose a need")
    )
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=16, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        help_text=_("ISO 4217 code, for example USD, EUR, NOK."),
    )
    value_date = forms.DateField(
        label=_("Value date"),
        widget=DateInput(),
        help_text=_("The date at which the amount is valued in US dollars (year-month-day)."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=CommitmentStatus.choices,
        initial=CommitmentStatus.COMMITTED,
        help_text=_(
            "Committed money counts in the gap view until a funding flow fulfils it; then "
            "choose Fulfilled and the flow, and the flow counts instead."
        ),
    )
    flow = FlowChoiceField(
        label=_("Funding flow that fulfils it"),
        required=False,
        queryset=Flow.objects.none(),
        empty_label=_("None"),
    )

    def __init__(self, *args, members, needs, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["need"].queryset = needs
        self.fields["flow"].queryset = Flow.objects.filter(need__in=needs).select_related(
            "giver_state", "giver_organisation", "need"
        )
        if editing:
            del self.fields["member"]
            del self.fields["need"]

"""Country Coalitions: one affected state and its partners around one plan.

A coalition is led by one affected state (``lead_state``) under one convention; its members
are states or organisations (exactly one of the two per membership) with a role. Membership
starts as an invitation and becomes active when the invited party accepts it. The ISU
facilitates every coalition without being a member.

The workspace belongs to the coalition: the lead state's plan (``Objective``), meetings and
their action items, private documents and members' commitments towards the plan's needs.
Who may see what is in ``permissions.py``; what counts in the gap view in ``gap.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from icahub.registry.models import Convention, Organisation, State, TimeStamped
from icahub.versioning import Versioned


class CoalitionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Coalition(Versioned, TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    lead_state = models.ForeignKey(
        State, verbose_name=_("lead state"), on_delete=models.PROTECT, related_name="coalitions"
    )
    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CoalitionStatus.choices, default=CoalitionStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["lead_state__name_en", "name"]
        verbose_name = _("Country Coalition")
        verbose_name_plural = _("Country Coalitions")

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    COORDINATING_PARTNER = "coordinating_partner", _("Coordinating partner")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


class MemberStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    LEFT = "left", _("Left")


class CoalitionMember(Versioned, TimeStamped):
    coalition = models.ForeignKey(
        Coalition, verbose_name=_("coalition"), on_delete=models.CASCADE, related_name="members"
    )
    state = models.ForeignKey(
        State,
        verbose_name=_("state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coalition_memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coalition_memberships",
    )
    role = models.CharField(
        _("role"), max_length=30, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["coalition", "role", "pk"]
        verbose_name = _("coalition member")
        verbose_name_plural = _("coalition members")
        constraints = [
            models.CheckConstraint(
                condition=(Q(state__isnull=False) & Q(organisation__isnull=True))
                | (Q(state__isnull=True) & Q(organisation__isnull=False)),
                name="coalition_member_state_xor_organisation",
            ),
            models.UniqueConstraint(
                fields=["coalition", "state"],
                condition=Q(state__isnull=False),
                name="coalition_member_unique_state",
            ),
            models.UniqueConstraint(
                fields=["coalition", "organisation"],
                condition=Q(organisation__isnull=False),
                name="coalition_member_unique_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coalition}: {self.party}"

    @property
    def party(self):
        return self.state if self.state_id else self.organisation


# --- the workspace: plan, meetings, documents, commitments --------------------------------


def documents_root() -> Path:
    """Where coalition documents are kept: ``COALITION_DOCUMENTS_ROOT`` when set, otherwise
    a directory beside ``MEDIA_ROOT`` (``<MEDIA_ROOT>-private``). Never under ``MEDIA_ROOT``:
    what is there may be served at ``/media/`` without any permission check."""
    configured = getattr(settings, "COALITION_DOCUMENTS_ROOT", None)
    if configured:
        return Path(configured)
    media = Path(settings.MEDIA_ROOT)
    return media.with_name(f"{media.name}-private")


class PrivateDocumentStorage(FileSystemStorage):
    """A file system storage with no URL: a coalition document is only ever sent by the
    permission-checked download view. Its root is read from the settings at each use, so a
    test (or an administrator) can move it."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(documents_root())

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Coalition documents have no public URL.")


def private_storage() -> PrivateDocumentStorage:
    return PrivateDocumentStorage()


class Objective(Versioned, TimeStamped):
    """One objective of the lead state's plan, tied to the lead state's own obligations and
    needs."""

    coalition = models.ForeignKey(
        Coalition, verbose_name=_("coalition"), on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    obligations = models.ManyToManyField(
        "obligations.Obligation", verbose_name=_("linked obligations"), blank=True, related_name="+"
    )
    needs = models.ManyToManyField(
        "assistance.Need", verbose_name=_("linked needs"), blank=True, related_name="objectives"
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["coalition", "target_date", "pk"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.title


class Meeting(Versioned, TimeStamped):
    coalition = models.ForeignKey(
        Coalition, verbose_name=_("coalition"), on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["coalition", "-starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_link=""), name="meeting_place_or_link"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.place.strip() and not self.online_link.strip():
            raise ValidationError({"place": _("Give the place of the meeting or its online link.")})


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class ActionItem(Versioned, TimeStamped):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="action_items"
    )
    text = models.TextField(_("action"))
    owner = models.ForeignKey(
        CoalitionMember,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="action_items",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "due_date", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        if (
            self.owner_id
            and self.meeting_id
            and self.owner.coalition_id != self.meeting.coalition_id
        ):
            raise ValidationError({"owner": _("The owner must be a member of this coalition.")})


class Document(TimeStamped):
    """A file private to the coalition, kept outside MEDIA_ROOT (see ``documents_root``)."""

    coalition = models.ForeignKey(
        Coalition, verbose_name=_("coalition"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="coalitions/%Y/", max_length=255
    )
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["coalition", "-created_at", "pk"]
        verbose_name = _("coalition document")
        verbose_name_plural = _("coalition documents")

    def __str__(self) -> str:
        return self.title


class CommitmentStatus(models.TextChoices):
    """How firm a member's commitment is. Only *committed* counts as committed money in the
    gap view, and only until it is *fulfilled* by a recorded funding flow, which then counts
    instead (see ``gap.py``)."""

    PLEDGED = "pledged", _("Pledged (intention)")
    COMMITTED = "committed", _("Committed")
    FULFILLED = "fulfilled", _("Fulfilled by a funding flow")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Commitment(Versioned, TimeStamped):
    """What a member undertakes to give towards one need of the plan."""

    coalition = models.ForeignKey(
        Coalition, verbose_name=_("coalition"), on_delete=models.CASCADE, related_name="commitments"
    )
    member = models.ForeignKey(
        CoalitionMember,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    need = models.ForeignKey(
        "assistance.Need",
        verbose_name=_("need"),
        on_delete=models.PROTECT,
        related_name="coalition_commitments",
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3)
    value_date = models.DateField(_("value date"))
    usd_value = models.DecimalField(
        _("value in USD"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty while no exchange rate is known for the currency at the value date."),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.COMMITTED,
    )
    flow = models.ForeignKey(
        "funding.Flow",
        verbose_name=_("funding flow"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coalition_commitments",
        help_text=_("The recorded flow that fulfils this commitment."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["coalition", "need", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="commitment_amount_positive"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="commitment_currency_code"
            ),
            models.CheckConstraint(
                condition=Q(status="fulfilled", flow__isnull=False)
                | (~Q(status="fulfilled") & Q(flow__isnull=True)),
                name="commitment_fulfilled_has_flow",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.party}: {self.amount} {self.currency}"

    def clean(self) -> None:
        errors = {}
        if self.member_id and self.coalition_id and self.member.coalition_id != self.coalition_id:
            errors["member"] = _("The member must belong to this coalition.")
        if self.status == CommitmentStatus.FULFILLED and self.flow_id is None:
            errors["flow"] = _("A fulfilled commitment names the funding flow that fulfils it.")
        if self.status != CommitmentStatus.FULFILLED and self.flow_id is not None:
            errors["status"] = _("A commitment linked to a funding flow is fulfilled.")
        if errors:
            raise ValidationError(errors)

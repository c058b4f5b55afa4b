"""Country Coalitions: one affected state and its partners around one plan.

A coalition is led by one affected state (``lead_state``) under one convention; its members
are states or organisations (exactly one of the two per membership) with a role. Membership
starts as an invitation and becomes active when the invited party accepts it. The ISU
facilitates every coalition without being a member.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from icahub.registry.models import Convention, Organisation, State, TimeStamped


class CoalitionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Coalition(TimeStamped):
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


class CoalitionMember(TimeStamped):
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

"""Users and their roles. A user belongs to a state or an organisation (or to the ISU)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from icahub.registry.models import Organisation, State


class Role(models.TextChoices):
    ISU = "isu", _("ISU staff")
    COORDINATOR = "coordinator", _("Coordinator")
    STATE_FOCAL_POINT = "state_focal_point", _("State focal point")
    DONOR_FOCAL_POINT = "donor_focal_point", _("Donor focal point")
    PARTNER = "partner", _("Partner organisation member")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    state = models.ForeignKey(
        State,
        verbose_name=_("state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    preferred_language = models.CharField(_("preferred language"), max_length=5, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="state_focal_point") | Q(state__isnull=False),
                name="user_focal_point_has_state",
            ),
            models.CheckConstraint(
                condition=~Q(role="partner") | Q(organisation__isnull=False),
                name="user_partner_has_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(role="donor_focal_point")
                | Q(state__isnull=False)
                | Q(organisation__isnull=False),
                name="user_donor_belongs_somewhere",
            ),
        ]

    @property
    def is_isu(self) -> bool:
        """Superusers have every ISU permission."""
        return self.is_superuser or self.role == Role.ISU

    @property
    def role_label(self) -> str:
        if self.is_superuser and not self.role:
            return str(Role.ISU.label)
        return self.get_role_display()

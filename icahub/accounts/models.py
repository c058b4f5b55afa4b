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


class LoginEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    FAILED = "failed", _("Failed attempt")
    LOCKED_OUT = "locked_out", _("Locked out")
    SIGNED_OUT = "signed_out", _("Signed out")
    EXPIRED = "expired", _("Session expired")


class LoginEvent(models.Model):
    """One sign-in, failed attempt, lock-out, sign-out or expired session, kept for the ISU's
    audit. Written by the signal receivers of ``signals.py``; never changed afterwards."""

    kind = models.CharField(_("event"), max_length=20, choices=LoginEventKind.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # The name as typed: a failed attempt may name no account at all.
    username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="login_events",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    # "web" (the sign-in page) or "api" (the token endpoint).
    channel = models.CharField(_("channel"), max_length=10, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        indexes = [models.Index(fields=["kind", "-at"], name="loginevent_kind_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M}"

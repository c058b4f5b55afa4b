"""Conventions, states, their memberships in each convention, and organisations.

Entry into force of a membership is *computed* from the deposit date by the treaty rule
(``icahub.obligations.rules.entry_into_force``) and stored so that lists can filter and sort
on it; only successions carry a stated date. Writes go through ``services.py``, which keeps
the stored value equal to the rule's.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from icahub.obligations import rules
from icahub.versioning import Versioned


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Convention(TimeStamped):
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100)
    place_adopted = models.CharField(_("place of adoption"), max_length=100)
    adopted_on = models.DateField(_("adopted on"))
    opened_for_signature = models.DateField(_("opened for signature"))
    entry_into_force = models.DateField(_("entry into force"))
    depositary = models.CharField(_("depositary"), max_length=200)
    treaty_reference = models.CharField(_("treaty reference"), max_length=100)
    source = models.TextField(_("source"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["adopted_on"]
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")

    def __str__(self) -> str:
        return self.code

    @property
    def display_name(self) -> str:
        """The official name in the active language (the treaty's authentic texts)."""
        from icahub.registry.articles import convention_name

        return convention_name(self.code) or self.name

    @property
    def display_short_name(self) -> str:
        from icahub.registry.articles import convention_name

        return convention_name(self.code, short=True) or self.short_name


class Article(TimeStamped):
    """An article of a convention that carries obligations for States Parties."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="articles")
    number = models.CharField(_("article"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    obligation_kind = models.CharField(_("obligation kind"), max_length=40, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["convention", "number"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="article_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.convention.code} Art. {self.number}"

    @property
    def display_title(self) -> str:
        """The article's title in the active language (the treaty's own headings)."""
        from icahub.registry.articles import article_title

        return article_title(self.convention.code, self.number) or self.title


class State(Versioned, TimeStamped):
    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)
    iso2 = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    m49 = models.CharField(_("M49 code"), max_length=3, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_es = models.CharField(_("name (Spanish)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    region_code = models.CharField(_("M49 region code"), max_length=3, blank=True)
    subregion_code = models.CharField(_("M49 sub-region code"), max_length=3, blank=True)
    mine_action_authority = models.CharField(
        _("national mine action authority"), max_length=300, blank=True
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("state")
        verbose_name_plural = _("states")
        constraints = [
            models.CheckConstraint(
                condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="state_iso3_format"
            ),
            models.CheckConstraint(
                condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="state_iso2_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The UN short name in the active language (English when none is active)."""
        language = (get_language() or "en")[:2]
        return getattr(self, f"name_{language}", "") or self.name_en

    @property
    def region(self) -> str:
        from icahub.registry.regions import region_name

        return region_name(self.region_code)

    @property
    def subregion(self) -> str:
        from icahub.registry.regions import region_name

        return region_name(self.subregion_code)


class Instrument(models.TextChoices):
    RATIFICATION = "ratification", _("Ratification")
    ACCESSION = "accession", _("Accession")
    ACCEPTANCE = "acceptance", _("Acceptance")
    APPROVAL = "approval", _("Approval")
    SUCCESSION = "succession", _("Succession")


class MembershipStatus(models.TextChoices):
    PARTY = "party", _("State Party")
    PARTY_NOT_IN_FORCE = "party_not_in_force", _("State Party (not yet in force)")
    SIGNATORY = "signatory", _("Signatory")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NONE = "none", _("Not a party")


class Membership(TimeStamped):
    """A state's position in one convention, from the depositary's record."""

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="memberships")
    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="memberships")
    signed = models.DateField(_("signed"), null=True, blank=True)
    deposited = models.DateField(_("instrument deposited"), null=True, blank=True)
    instrument = models.CharField(
        _("instrument"), max_length=20, choices=Instrument.choices, blank=True
    )
    entry_into_force_stated = models.DateField(
        _("entry into force (stated by the source)"),
        null=True,
        blank=True,
        help_text=_("Only where a source states a date the Article 17 rule would not give."),
    )
    entry_into_force = models.DateField(_("entry into force"), null=True, blank=True)
    withdrawal_effective = models.DateField(_("withdrawal effective"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["convention", "state__name_en"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["state", "convention"], name="membership_unique_state_convention"
            ),
            models.CheckConstraint(
                condition=Q(deposited__isnull=True) | ~Q(instrument=""),
                name="membership_deposit_has_instrument",
            ),
            models.CheckConstraint(
                condition=Q(deposited__isnull=True) | Q(entry_into_force__isnull=False),
                name="membership_deposit_has_entry_into_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state.iso3} / {self.convention.code}"

    def status_on(self, on: dt.date | None = None) -> str:
        return rules.membership_status(
            on=on or timezone.localdate(),
            signed=self.signed,
            deposited=self.deposited,
            entry_into_force=self.entry_into_force,
            withdrawal_effective=self.withdrawal_effective,
        )

    @property
    def status(self) -> str:
        return self.status_on()

    def get_status_display(self) -> str:
        return MembershipStatus(self.status).label


class OrganisationKind(models.TextChoices):
    GOVERNMENT_AGENCY = "government_agency", _("Government agency")
    OPERATOR = "operator", _("Operator")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    NGO = "ngo", _("Non-governmental organisation")
    SURVIVOR_OR_DPO = "survivor_or_dpo", _("Survivor or disabled persons' organisation")
    DONOR_AGENCY = "donor_agency", _("Donor agency")
    REGIONAL_ORGANISATION = "regional_organisation", _("Regional organisation")


class Organisation(Versioned, TimeStamped):
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("type"), max_length=40, choices=OrganisationKind.choices)
    country = models.ForeignKey(
        State,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("Where the organisation is headquartered."),
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Contact(TimeStamped):
    """A named person or office to reach at a state or an organisation."""

    state = models.ForeignKey(
        State, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=(Q(state__isnull=False) & Q(organisation__isnull=True))
                | (Q(state__isnull=True) & Q(organisation__isnull=False)),
                name="contact_belongs_to_one",
            )
        ]

    def __str__(self) -> str:
        return self.name

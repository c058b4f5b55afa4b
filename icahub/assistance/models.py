"""Needs (requests for assistance) and offers of assistance.

A need belongs to one state and one convention. It is entered directly or comes from the
voluntary part of an Article 7 report: then it keeps its report version and row
(``source_report_version`` / ``source_row``) and the version lists it (``version.needs``).
An offer comes from a state or an organisation. Both carry a visibility (see
``permissions.py``). Rules a single record must obey are checked in ``clean()`` with the
field named, and the invariants the data must never break are also database constraints.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from icahub.assistance import scoring
from icahub.obligations.models import Obligation
from icahub.registry.models import Convention, Organisation, State, TimeStamped
from icahub.registry.regions import REGIONS, SUBREGIONS
from icahub.reports.forms_schema import AREAS, MODALITIES
from icahub.reports.models import ReportVersion
from icahub.versioning import Versioned

AREA_LABELS = {
    "stockpile_destruction": _("Stockpile destruction"),
    "clearance": _("Clearance"),
    "risk_education": _("Risk reduction education"),
    "victim_assistance": _("Victim assistance"),
    "national_legislation": _("National legislation"),
    "transparency_reporting": _("Transparency reporting"),
    "other": _("Other"),
}
AREA_CHOICES = [(area, AREA_LABELS[area]) for area in AREAS]

MODALITY_LABELS = {
    "financial": _("Financial"),
    "technical": _("Technical"),
    "material": _("Material"),
    "training": _("Training"),
    "legal": _("Legal"),
}
MODALITY_CHOICES = [(modality, MODALITY_LABELS[modality]) for modality in MODALITIES]

# The languages of the conventions' meetings that icahub serves.
LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
]
LANGUAGES = tuple(code for code, _label in LANGUAGE_CHOICES)
M49_CODES = frozenset(REGIONS) | frozenset(SUBREGIONS)
CURRENCY_PATTERN = r"^[A-Z]{3}$"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    STATES_PARTIES = "states_parties", _("States Parties")
    COALITION = "coalition", _("Country Coalition")
    PRIVATE = "private", _("Private")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTLY_MET = "partly_met", _("Partly met")
    MET = "met", _("Met")
    WITHDRAWN = "withdrawn", pgettext_lazy("need or offer status", "Withdrawn")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("need or offer status", "Withdrawn")


def _period_errors(start, end) -> dict:
    if start and end and start > end:
        return {"period_end": _("The period cannot end before it starts.")}
    return {}


class Need(Versioned, TimeStamped):
    state = models.ForeignKey(
        State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="needs"
    )
    convention = models.ForeignKey(
        Convention, verbose_name=_("convention"), on_delete=models.PROTECT, related_name="needs"
    )
    area = models.CharField(_("area"), max_length=30, choices=AREA_CHOICES)
    modality = models.CharField(_("modality"), max_length=20, choices=MODALITY_CHOICES)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=LANGUAGE_CHOICES,
        default="en",
        help_text=_("The language of the original title and description."),
    )
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    stockpiled_munitions = models.PositiveIntegerField(
        _("stockpiled munitions"), null=True, blank=True
    )
    survivors_to_reach = models.PositiveIntegerField(_("survivors to reach"), null=True, blank=True)
    budget_required = models.DecimalField(
        _("budget required"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_secured = models.DecimalField(
        _("budget already secured"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency (ISO 4217)"),
        max_length=3,
        blank=True,
        help_text=_("Three capital letters, e.g. USD; required when a budget is given."),
    )
    value_date = models.DateField(
        _("value date"),
        null=True,
        blank=True,
        help_text=_("The date at which the amounts are valued."),
    )
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    obligation = models.ForeignKey(
        Obligation,
        verbose_name=_("obligation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.STATES_PARTIES,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    source_report_version = models.ForeignKey(
        ReportVersion,
        verbose_name=_("source report version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
    )
    source_row = models.PositiveIntegerField(
        _("source row"),
        null=True,
        blank=True,
        help_text=_("The row number in the report version's voluntary part."),
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
        ordering = ["state__name_en", "convention", "area", "pk"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_required__isnull=True) | Q(budget_required__gte=0),
                name="need_budget_required_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(budget_secured__isnull=True) | Q(budget_secured__gte=0),
                name="need_budget_secured_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(budget_secured__isnull=True)
                | Q(budget_required__isnull=True)
                | Q(budget_secured__lte=F("budget_required")),
                name="need_budget_secured_within_required",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=CURRENCY_PATTERN)
                | (
                    Q(currency="")
                    & Q(budget_required__isnull=True)
                    & Q(budget_secured__isnull=True)
                ),
                name="need_currency_with_budget",
            ),
            models.CheckConstraint(
                condition=Q(area_m2__isnull=True) | Q(area_m2__gte=0),
                name="need_area_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=F("period_end")),
                name="need_period_in_order",
            ),
            models.UniqueConstraint(
                fields=["source_report_version", "source_row"],
                condition=Q(source_report_version__isnull=False),
                name="need_unique_source_row",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def budget_gap(self):
        """What is still to be found: required minus secured (None without a budget)."""
        if self.budget_required is None:
            return None
        return self.budget_required - (self.budget_secured or 0)

    @property
    def deadline(self):
        return self.obligation.current_deadline if self.obligation_id else None

    def clean(self) -> None:
        errors: dict = {}
        if self.currency and not _is_currency(self.currency):
            errors["currency"] = _("Enter a three-letter ISO 4217 code in capitals, e.g. USD.")
        elif not self.currency and (
            self.budget_required is not None or self.budget_secured is not None
        ):
            errors["currency"] = _("Give the currency of the budget (ISO 4217, e.g. USD).")
        for field in ("budget_required", "budget_secured", "area_m2"):
            if _finite(getattr(self, field)) and getattr(self, field) < 0:
                errors[field] = _("Enter an amount of zero or more.")
        if (
            "budget_secured" not in errors
            and _finite(self.budget_secured)
            and _finite(self.budget_required)
            and self.budget_secured > self.budget_required
        ):
            errors["budget_secured"] = _("The budget secured cannot exceed the budget required.")
        errors.update(_period_errors(self.period_start, self.period_end))
        if self.obligation_id and self.state_id and self.convention_id:
            obligation = self.obligation
            if (
                obligation.state_id != self.state_id
                or obligation.convention_id != self.convention_id
            ):
                errors["obligation"] = _(
                    "The obligation must be one of this state's obligations under the same "
                    "convention."
                )
        if errors:
            raise ValidationError(errors)


def _finite(value) -> bool:
    """A number to compare; a malformed one is reported by its field's own validation."""
    return isinstance(value, int | Decimal) and (isinstance(value, int) or value.is_finite())


def _is_currency(value: str) -> bool:
    return len(value) == 3 and value.isascii() and value.isalpha() and value.isupper()


class NeedTranslation(Versioned, TimeStamped):
    """The need's title and description in another of the four languages."""

    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["need", "language"]
        verbose_name = _("need translation")
        verbose_name_plural = _("need translations")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "language"], name="need_translation_unique_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.need_id} [{self.language}] {self.title}"

    def clean(self) -> None:
        if self.need_id and self.language and self.language == self.need.language:
            raise ValidationError(
                {"language": _("The need is written in this language already: choose another one.")}
            )


class NeedEvidence(TimeStamped):
    """A file supporting a need (a survey, a plan, a budget). Its type is detected from its
    content, never trusted from its name (see ``icahub/interchange/uploads.py``)."""

    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="evidence/%Y/", max_length=255)
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
        ordering = ["need", "created_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name


class Offer(Versioned, TimeStamped):
    provider_state = models.ForeignKey(
        State,
        verbose_name=_("provider state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
    )
    provider_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("provider organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offers",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    areas = models.JSONField(
        _("areas"), default=list, blank=True, help_text=_("At least one thematic area.")
    )
    modalities = models.JSONField(_("modalities"), default=list, blank=True)
    priority_regions = models.JSONField(
        _("priority regions"),
        default=list,
        blank=True,
        help_text=_("UN M49 region or sub-region codes."),
    )
    priority_countries = models.ManyToManyField(
        State, verbose_name=_("priority countries"), blank=True, related_name="+"
    )
    languages = models.JSONField(
        _("working languages"), default=list, blank=True, help_text=_("en, fr, es or ar.")
    )
    budget_envelope = models.DecimalField(
        _("budget envelope"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency (ISO 4217)"), max_length=3, blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.STATES_PARTIES,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords(m2m_fields=[priority_countries])

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(
                condition=(Q(provider_state__isnull=False) & Q(provider_organisation__isnull=True))
                | (Q(provider_state__isnull=True) & Q(provider_organisation__isnull=False)),
                name="offer_has_one_provider",
            ),
            models.CheckConstraint(
                condition=Q(budget_envelope__isnull=True) | Q(budget_envelope__gte=0),
                name="offer_budget_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=CURRENCY_PATTERN)
                | (Q(currency="") & Q(budget_envelope__isnull=True)),
                name="offer_currency_with_budget",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_start__lte=F("period_end")),
                name="offer_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def provider(self) -> State | Organisation | None:
        return self.provider_state or self.provider_organisation

    def clean(self) -> None:
        errors: dict = {}
        if (self.provider_state_id is None) == (self.provider_organisation_id is None):
            errors["provider_state"] = _(
                "Give exactly one provider: a state or an organisation, not both."
            )
        errors.update(_list_errors("areas", self.areas, set(AREAS), _("Choose at least one area.")))
        errors.update(_list_errors("modalities", self.modalities, set(MODALITIES)))
        errors.update(_list_errors("priority_regions", self.priority_regions, M49_CODES))
        errors.update(_list_errors("languages", self.languages, set(LANGUAGES)))
        if self.currency and not _is_currency(self.currency):
            errors["currency"] = _("Enter a three-letter ISO 4217 code in capitals, e.g. USD.")
        elif not self.currency and self.budget_envelope is not None:
            errors["currency"] = _("Give the currency of the budget (ISO 4217, e.g. USD).")
        if _finite(self.budget_envelope) and self.budget_envelope < 0:
            errors["budget_envelope"] = _("Enter an amount of zero or more.")
        errors.update(_period_errors(self.period_start, self.period_end))
        if errors:
            raise ValidationError(errors)


def _list_errors(field: str, value, allowed: set[str], empty_message=None) -> dict:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return {field: _("Give a list of codes.")}
    if not value and empty_message is not None:
        return {field: empty_message}
    unknown = sorted(set(value) - allowed)
    if unknown:
        return {
            field: ValidationError(
                _("Unknown value(s): %(values)s. Choose from: %(allowed)s."),
                params={"values": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))},
            )
        }
    if len(set(value)) != len(value):
        return {field: _("Each value may appear only once.")}
    return {}


class MatchingWeights(Versioned, TimeStamped):
    """The weight of each matching factor, set by the ISU (one row; see ``scoring.py``).
    A weight of 0 leaves a factor out; the weights are normalised to add up to 1."""

    area = models.FloatField(_("area"), default=scoring.DEFAULT_WEIGHTS["area"])
    modality = models.FloatField(_("modality"), default=scoring.DEFAULT_WEIGHTS["modality"])
    geography = models.FloatField(_("geography"), default=scoring.DEFAULT_WEIGHTS["geography"])
    language = models.FloatField(_("language"), default=scoring.DEFAULT_WEIGHTS["language"])
    budget = models.FloatField(_("budget"), default=scoring.DEFAULT_WEIGHTS["budget"])
    urgency = models.FloatField(_("urgency"), default=scoring.DEFAULT_WEIGHTS["urgency"])
    past_cooperation = models.FloatField(
        _("past cooperation"), default=scoring.DEFAULT_WEIGHTS["past_cooperation"]
    )
    text = models.FloatField(_("text similarity"), default=scoring.DEFAULT_WEIGHTS["text"])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matching weights")
        verbose_name_plural = _("matching weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(area__gte=0)
                & Q(modality__gte=0)
                & Q(geography__gte=0)
                & Q(language__gte=0)
                & Q(budget__gte=0)
                & Q(urgency__gte=0)
                & Q(past_cooperation__gte=0)
                & Q(text__gte=0),
                name="matching_weights_not_negative",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(f"{name}={value:g}" for name, value in self.as_dict().items())

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in scoring.FACTORS}

    def clean(self) -> None:
        errors = {}
        for name in scoring.FACTORS:
            value = getattr(self, name)
            if value is None or value < 0 or value != value or value > 1000:
                errors[name] = _("Enter a weight between 0 and 1000.")
        if not errors and sum(self.as_dict().values()) <= 0:
            errors["area"] = _("At least one weight must be above zero.")
        if errors:
            raise ValidationError(errors)


class TextEmbedding(models.Model):
    """A cached embedding of one text: the key is the SHA-256 of the backend name and the
    text, so an unchanged description is never encoded twice."""

    key = models.CharField(max_length=64, primary_key=True)
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("text embedding")
        verbose_name_plural = _("text embeddings")

    def __str__(self) -> str:
        return self.key


class MatchSide(models.TextChoices):
    NEED = "need", _("Candidates for a need")
    OFFER = "offer", _("Needs for an offer")


class Match(models.Model):
    """One line of a stored ranked list. ``side`` says whose list it belongs to: a need's
    list of offers and potential partners (a partner without an offer has ``offer`` empty),
    or an offer's list of needs. ``values`` are the factor values in [0, 1] and
    ``contributions`` their weighted parts (adding up to ``score``), in ``scoring.FACTORS``
    order; the explanation text is written from them when read, in the reader's language."""

    side = models.CharField(max_length=5, choices=MatchSide.choices)
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, null=True, blank=True, related_name="matches"
    )
    partner_state = models.ForeignKey(
        State, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partner_organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    values = models.JSONField()
    contributions = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["side", "rank"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        indexes = [
            models.Index(fields=["need", "side", "rank"], name="match_need_side_rank"),
            models.Index(fields=["offer", "side", "rank"], name="match_offer_side_rank"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(offer__isnull=False)
                | Q(partner_state__isnull=False)
                | Q(partner_organisation__isnull=False),
                name="match_has_candidate",
            ),
            models.CheckConstraint(
                condition=Q(side="need") | Q(offer__isnull=False), name="match_offer_side_offer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.need_id}/{self.offer_id} #{self.rank} {self.score:.3f}"

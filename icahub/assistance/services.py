"""Writes to needs and offers. Every write is atomic and validated (``full_clean``) before
it is saved; every error names the field it is about.

Needs come from two doors: entered directly (``need_create``) or taken from the voluntary
part of a submitted Article 7 report (``needs_sync_from_report``, called on submission).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from icahub.assistance import scoring
from icahub.assistance.models import (
    LANGUAGES,
    MatchingWeights,
    Need,
    NeedEvidence,
    NeedStatus,
    NeedTranslation,
    Offer,
    OfferStatus,
    Visibility,
)
from icahub.interchange import uploads
from icahub.obligations.models import Obligation
from icahub.registry.models import Convention, Membership, Organisation, State
from icahub.reports.forms_schema import NEEDS_FORM
from icahub.reports.models import ReportVersion, VersionStatus
from icahub.versioning import ConcurrentEditError, claim_version

NEED_EDITABLE = frozenset(
    {
        "area",
        "modality",
        "title",
        "description",
        "language",
        "area_m2",
        "stockpiled_munitions",
        "survivors_to_reach",
        "budget_required",
        "budget_secured",
        "currency",
        "value_date",
        "period_start",
        "period_end",
        "obligation",
        "visibility",
        "status",
    }
)
OFFER_EDITABLE = frozenset(
    {
        "title",
        "description",
        "areas",
        "modalities",
        "priority_regions",
        "priority_countries",
        "languages",
        "budget_envelope",
        "currency",
        "period_start",
        "period_end",
        "visibility",
        "status",
    }
)


def _refuse_unknown(data: dict, editable: frozenset[str]) -> None:
    unknown = sorted(set(data) - editable)
    if unknown:
        raise ValidationError({field: _("This field cannot be edited here.") for field in unknown})


def _currency(value: str | None) -> str:
    return (value or "").strip().upper()


def _require_party(state: State, convention: Convention) -> None:
    """Assistance is requested by States Parties (CCM Art. 6, APMBC Art. 6)."""
    if not Membership.objects.filter(
        state=state,
        convention=convention,
        entry_into_force__isnull=False,
        withdrawal_effective__isnull=True,
    ).exists():
        raise ValidationError(
            {
                "convention": ValidationError(
                    _("%(state)s is not a State Party of the %(convention)s."),
                    code="not_a_party",
                    params={"state": state.iso3, "convention": convention.code},
                )
            }
        )


# --- needs -------------------------------------------------------------------------------


@transaction.atomic
def need_create(
    *,
    state: State,
    convention: Convention,
    area: str,
    modality: str,
    title: str,
    description: str = "",
    language: str = "en",
    area_m2: Decimal | None = None,
    stockpiled_munitions: int | None = None,
    survivors_to_reach: int | None = None,
    budget_required: Decimal | None = None,
    budget_secured: Decimal | None = None,
    currency: str = "",
    value_date: dt.date | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    obligation: Obligation | None = None,
    visibility: str = Visibility.STATES_PARTIES,
    status: str = NeedStatus.OPEN,
    user=None,
) -> Need:
    """Record a need entered directly (not from a report). The state must be a State Party
    of the convention; a linked obligation must be that state's under that convention."""
    _require_party(state, convention)
    need = Need(
        state=state,
        convention=convention,
        area=area,
        modality=modality,
        title=title,
        description=description,
        language=language,
        area_m2=area_m2,
        stockpiled_munitions=stockpiled_munitions,
        survivors_to_reach=survivors_to_reach,
        budget_required=budget_required,
        budget_secured=budget_secured,
        currency=_currency(currency),
        value_date=value_date,
        period_start=period_start,
        period_end=period_end,
        obligation=obligation,
        visibility=visibility,
        status=status,
        created_by=user,
    )
    need.full_clean()
    need.save()
    return need


@transaction.atomic
def need_update(*, need: Need, data: dict, expected_version: int | None = None) -> Need:
    """Change a need's content, budget, link, visibility or status. Its state and
    convention, and its link to a report, are not edited here. A stale
    ``expected_version`` (someone saved the need meanwhile) raises ConcurrentEditError."""
    _refuse_unknown(data, NEED_EDITABLE)
    claim_version(need, expected_version)
    need = Need.objects.select_for_update().get(pk=need.pk)
    data = dict(data)
    if "currency" in data:
        data["currency"] = _currency(data["currency"])
    for field, value in data.items():
        setattr(need, field, value)
    if "language" in data and need.translations.filter(language=need.language).exists():
        raise ValidationError(
            {
                "language": _(
                    "A translation in this language exists already: the original cannot be "
                    "in the same language."
                )
            }
        )
    need.full_clean()
    need.save()
    return need


# The version an editor names when adding a language they believe the need has no
# translation in: no translation has it, so one saved meanwhile is not overwritten.
NEW_TRANSLATION = -1

TRANSLATION_EXISTS = _(
    "A translation in this language has been saved already: open it from the need's page "
    "to change it; yours was not saved."
)


@transaction.atomic
def need_add_translation(
    *,
    need: Need,
    language: str,
    title: str,
    description: str = "",
    expected_version: int | None = None,
) -> NeedTranslation:
    """Add the need's title and description in another language, or replace the
    translation already given in that language.

    ``expected_version``: the lock_version of the translation the editor changes, or
    ``NEW_TRANSLATION`` when they add a language (pages and the API always say which);
    a translation saved since, or already there, is then refused with ConcurrentEditError,
    never silently replaced. ``None`` (imports, commands) replaces without checking."""
    if language not in LANGUAGES:
        raise ValidationError(
            {
                "language": ValidationError(
                    _("Choose one of: %(languages)s."), params={"languages": ", ".join(LANGUAGES)}
                )
            }
        )
    translation = (
        NeedTranslation.objects.select_for_update().filter(need=need, language=language).first()
    )
    if translation is None:
        translation = NeedTranslation(need=need, language=language)
    elif expected_version == NEW_TRANSLATION:
        raise ConcurrentEditError(TRANSLATION_EXISTS)
    else:
        claim_version(translation, expected_version)
    translation.title = title
    translation.description = description
    translation.full_clean()
    try:
        with transaction.atomic():
            translation.save()
    except IntegrityError:
        # Two editors adding the same language at the same moment: the first one wins.
        raise ConcurrentEditError(TRANSLATION_EXISTS) from None
    return translation


@transaction.atomic
def need_attach_evidence(*, need: Need, file, user=None) -> NeedEvidence:
    """Attach a supporting file: PDF, PNG, JPEG, DOCX or XLSX, at most
    ``ICAHUB_MAX_UPLOAD_MB``, its type read from its content (a renamed executable, a zip
    posing as a document, a zip bomb or a damaged file is refused: ``uploads.check``)."""
    file_type = uploads.check(file, accepted=uploads.DOCUMENT_TYPES)
    size = file.size
    original_name = uploads.original_name(file)
    # Stored under a generated name: the original name is kept for display only.
    stored_name = f"{uuid.uuid4().hex}{file_type.extensions[0]}"
    evidence = NeedEvidence(
        need=need,
        file=File(file, name=stored_name),
        original_name=original_name[:255] or stored_name,
        content_type=file_type.content_type,
        size=size,
        created_by=user,
    )
    evidence.full_clean()
    evidence.save()
    return evidence


# --- needs from Article 7 reports ----------------------------------------------------------


def _normalised(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _row_decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        # Left for full_clean to refuse, naming the field ("Enter a number").
        return Decimal("NaN")


def _claim(candidates: list[Need], row: dict) -> Need | None:
    """Take from ``candidates`` the first need with the row's area and title."""
    key = (row.get("area"), _normalised(row.get("title", "")))
    for index, need in enumerate(candidates):
        if (need.area, _normalised(need.title)) == key:
            return candidates.pop(index)
    return None


@transaction.atomic
def needs_sync_from_report(*, version: ReportVersion) -> list[Need]:
    """Make the needs of a submitted report version match the rows of its voluntary part.

    One need per row of ``forms["needs"]["tables"]["needs"]``, found again by
    (version, row) so a repeated call changes nothing. For an amendment, a need of the
    amended version with the same area and title is the same real need: it is carried
    over (re-pointed to the new version, keeping its quantities, secured budget, link,
    visibility and translations) rather than duplicated, and needs of the amended version
    that the amendment no longer lists are withdrawn. Problems are named by their path in
    the forms (``forms.needs.tables.needs[2].currency``). Returns the needs in row order.
    """
    version = ReportVersion.objects.select_related(
        "report__state", "report__convention", "created_by"
    ).get(pk=version.pk)
    if version.status == VersionStatus.DRAFT:
        raise ValidationError(
            {"status": _("Needs are taken from a submitted report, not from a draft.")},
            code="conflict",
        )
    report = version.report
    rows = ((version.forms or {}).get(NEEDS_FORM) or {}).get("tables", {}).get("needs") or []
    own = {
        need.source_row: need
        for need in Need.objects.select_for_update().filter(source_report_version=version)
    }
    carried = (
        list(
            Need.objects.select_for_update()
            .filter(source_report_version_id=version.amends_id)
            .order_by("source_row", "pk")
        )
        if version.amends_id
        else []
    )
    synced: list[Need] = []
    errors: dict[str, list[str]] = {}
    for number, row in enumerate(rows, start=1):
        need = own.pop(number, None)
        if need is None:
            need = _claim(carried, row)
            if need is None:
                need = Need(
                    state=report.state,
                    convention=report.convention,
                    visibility=Visibility.STATES_PARTIES,
                    created_by=version.created_by,
                )
            elif need.status == NeedStatus.WITHDRAWN:
                # The amendment states the need again.
                need.status = NeedStatus.OPEN
        language_changed = need.pk is not None and need.language != version.language
        need.source_report_version = version
        need.source_row = number
        need.area = row.get("area", "")
        need.modality = row.get("modality", "")
        need.title = row.get("title", "")
        need.description = row.get("description", "")
        need.budget_required = _row_decimal(row.get("budget_required"))
        need.currency = _currency(row.get("currency"))
        need.language = version.language
        try:
            need.full_clean()
        except ValidationError as error:
            prefix = f"forms.{NEEDS_FORM}.tables.needs[{number}]"
            for field, messages in error.message_dict.items():
                errors.setdefault(f"{prefix}.{field}", []).extend(messages)
            continue
        if language_changed:
            # The original text is now in this language: a translation into it is stale.
            need.translations.filter(language=need.language).delete()
        need.save()
        synced.append(need)
    if errors:
        raise ValidationError(errors)
    for need in [*own.values(), *carried]:
        if need.status != NeedStatus.WITHDRAWN:
            need.status = NeedStatus.WITHDRAWN
            need.save(update_fields=["status", "updated_at"])
    return synced


# --- offers --------------------------------------------------------------------------------


def _codes(values: Iterable[str] | None) -> list:
    """A list of codes without repeats, in the order given."""
    if values is None:
        return []
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        return values  # refused by Offer.clean, which names the field
    return list(dict.fromkeys(str(value).strip() for value in values))


def _states(values: Iterable[State] | None) -> list[State]:
    states = list(dict.fromkeys(values or []))
    if not all(isinstance(state, State) for state in states):
        raise ValidationError({"priority_countries": _("Give states from the registry.")})
    return states


@transaction.atomic
def offer_create(
    *,
    title: str,
    areas: Iterable[str],
    provider_state: State | None = None,
    provider_organisation: Organisation | None = None,
    description: str = "",
    modalities: Iterable[str] = (),
    priority_regions: Iterable[str] = (),
    priority_countries: Iterable[State] = (),
    languages: Iterable[str] = (),
    budget_envelope: Decimal | None = None,
    currency: str = "",
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    visibility: str = Visibility.STATES_PARTIES,
    status: str = OfferStatus.OPEN,
    user=None,
) -> Offer:
    """Record an offer of assistance by exactly one provider (a state or an organisation)."""
    countries = _states(priority_countries)
    offer = Offer(
        provider_state=provider_state,
        provider_organisation=provider_organisation,
        title=title,
        description=description,
        areas=_codes(areas),
        modalities=_codes(modalities),
        priority_regions=_codes(priority_regions),
        languages=_codes(languages),
        budget_envelope=budget_envelope,
        currency=_currency(currency),
        period_start=period_start,
        period_end=period_end,
        visibility=visibility,
        status=status,
        created_by=user,
    )
    offer.full_clean()
    offer.save()
    offer.priority_countries.set(countries)
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, data: dict, expected_version: int | None = None) -> Offer:
    """Change an offer. Its provider is not changed here (it decides who owns it). A stale
    ``expected_version`` (someone saved the offer meanwhile) raises ConcurrentEditError."""
    _refuse_unknown(data, OFFER_EDITABLE)
    claim_version(offer, expected_version)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    data = dict(data)
    countries = _states(data.pop("priority_countries")) if "priority_countries" in data else None
    for field in ("areas", "modalities", "priority_regions", "languages"):
        if field in data:
            data[field] = _codes(data[field])
    if "currency" in data:
        data["currency"] = _currency(data["currency"])
    for field, value in data.items():
        setattr(offer, field, value)
    offer.full_clean()
    offer.save()
    if countries is not None:
        offer.priority_countries.set(countries)
    return offer


@transaction.atomic
def matching_weights_update(
    *, data: dict, user=None, expected_version: int | None = None
) -> MatchingWeights:
    """Set the weights of the matching factors (the ISU). Saving schedules a full
    recompute of the matches (``signals.py``). ``expected_version`` is the version the
    editor read (0 while the defaults were never changed); another ISU member's save since
    raises ConcurrentEditError."""
    _refuse_unknown(data, frozenset(scoring.FACTORS))
    weights = MatchingWeights.objects.select_for_update().order_by("pk").first()
    if weights is None:
        # The first change: the one row is made with the defaults (a fixed id, so that two
        # first changes at once make one row and the second is refused below).
        weights, _created = MatchingWeights.objects.get_or_create(pk=1)
    claim_version(weights, expected_version)
    for name, value in data.items():
        setattr(weights, name, value)
    weights.updated_by = user if user is not None and user.is_authenticated else None
    weights.full_clean()
    weights.save()
    return weights

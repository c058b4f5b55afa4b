"""Writes to obligations: creation with the computed deadline, extensions, completion.

Stored deadlines (original and current) are always recomputed here from the state's entry
into force and the extensions, so they can never drift from the treaty rule.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icahub.obligations import rules
from icahub.obligations.models import Extension, Obligation, ObligationKind
from icahub.registry.models import Convention, Membership, State
from icahub.registry.services import rule_error_to_validation_error
from icahub.versioning import claim_version


def _entry_into_force(state: State, convention: Convention) -> dt.date:
    membership = Membership.objects.filter(state=state, convention=convention).first()
    if membership is None or membership.entry_into_force is None:
        raise ValidationError(
            {
                "state": ValidationError(
                    "%(state)s is not a State Party of the %(convention)s: it has no entry "
                    "into force from which to compute a deadline.",
                    code="not_a_party",
                    params={"state": state.iso3, "convention": convention.code},
                )
            }
        )
    return membership.entry_into_force


def _refresh_current_deadline(obligation: Obligation) -> None:
    latest = obligation.extensions.order_by("-sequence").first()
    obligation.current_deadline = latest.new_deadline if latest else obligation.original_deadline


@transaction.atomic
def obligation_create(
    *,
    state: State,
    convention: Convention,
    kind: str,
    source: str = "",
    notes: str = "",
) -> Obligation:
    """Record that a State Party has an obligation; the article and deadline follow the rules."""
    if kind not in ObligationKind.values:
        raise ValidationError({"kind": f"Unknown obligation kind '{kind}'."})
    eif = _entry_into_force(state, convention)
    try:
        article = rules.obligation_article(convention.code, kind)
        deadline = rules.original_deadline(convention.code, kind, eif)
    except rules.RuleError as error:
        raise rule_error_to_validation_error(error) from error
    if Obligation.objects.filter(state=state, convention=convention, kind=kind).exists():
        raise ValidationError(
            {"kind": f"{state.iso3} already has a {kind} obligation under the {convention.code}."}
        )
    obligation = Obligation(
        state=state,
        convention=convention,
        kind=kind,
        article=article,
        original_deadline=deadline,
        current_deadline=deadline,
        source=source,
        notes=notes,
    )
    obligation.full_clean()
    obligation.save()
    return obligation


@transaction.atomic
def obligation_update(
    *, obligation: Obligation, data: dict, expected_version: int | None = None
) -> Obligation:
    """Update free fields and completion; deadlines are never set by hand.

    A stale ``expected_version`` raises ConcurrentEditError and nothing is written."""
    editable = {"completed_on", "completion_declaration", "source", "notes"}
    unknown = set(data) - editable
    if unknown:
        raise ValidationError(
            {field: "This field is computed or cannot be edited." for field in sorted(unknown)}
        )
    claim_version(obligation, expected_version)
    for field, value in data.items():
        setattr(obligation, field, value)
    if obligation.completed_on and obligation.completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "A completion date cannot be in the future."})
    obligation.full_clean()
    obligation.save()
    return obligation


@transaction.atomic
def extension_record(
    *,
    obligation: Obligation,
    new_deadline: dt.date,
    decided_by: str = "",
    decided_on: dt.date | None = None,
    exceptional_circumstances: bool = False,
    source: str = "",
    expected_version: int | None = None,
) -> Extension:
    """Record an extension granted by a meeting, checked against the treaty's limits.

    The new deadline must lie after the current one and within the article's limit per
    request (CCM Art. 3: 4 years, further requests only in exceptional circumstances;
    CCM Art. 4: 5 years; APMBC Art. 5: 10 years).

    The obligation's version moves on (its current deadline changes); a stale
    ``expected_version`` (someone recorded an extension meanwhile) is refused.
    """
    claim_version(obligation, expected_version)
    obligation = Obligation.objects.select_for_update().get(pk=obligation.pk)
    previous = obligation.current_deadline
    if previous is None:
        raise ValidationError({"new_deadline": "This obligation has no deadline to extend."})
    sequence = obligation.extensions.count() + 1
    try:
        rules.validate_extension(
            obligation.convention.code,
            obligation.kind,
            previous,
            new_deadline,
            sequence,
            exceptional_circumstances,
        )
    except rules.RuleError as error:
        raise rule_error_to_validation_error(error) from error
    if decided_on and decided_on > timezone.localdate():
        raise ValidationError({"decided_on": "A decision date cannot be in the future."})
    extension = Extension(
        obligation=obligation,
        sequence=sequence,
        new_deadline=new_deadline,
        decided_by=decided_by,
        decided_on=decided_on,
        exceptional_circumstances=exceptional_circumstances,
        source=source,
    )
    extension.full_clean()
    extension.save()
    _refresh_current_deadline(obligation)
    obligation.save(update_fields=["current_deadline", "updated_at"])
    return extension


@transaction.atomic
def obligation_recompute_deadlines(*, obligation: Obligation) -> Obligation:
    """Bring stored deadlines back in line with the rule (after a membership change)."""
    eif = _entry_into_force(obligation.state, obligation.convention)
    obligation.original_deadline = rules.original_deadline(
        obligation.convention.code, obligation.kind, eif
    )
    _refresh_current_deadline(obligation)
    # Someone editing the obligation meanwhile is told its deadlines moved.
    claim_version(obligation, None)
    obligation.save(update_fields=["original_deadline", "current_deadline", "updated_at"])
    return obligation

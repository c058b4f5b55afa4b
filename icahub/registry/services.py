"""Writes to the registry. Every multi-row write is atomic; every save is validated."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from icahub.obligations import rules
from icahub.registry.models import Contact, Convention, Membership, Organisation, State
from icahub.versioning import claim_version


def rule_error_to_validation_error(error: rules.RuleError) -> ValidationError:
    """Map a treaty-rule error to a Django ValidationError naming the same field."""
    return ValidationError({error.field: ValidationError(str(error), code=error.code)})


def membership_entry_into_force(
    *, convention_code: str, deposited: dt.date | None, stated: dt.date | None
) -> dt.date | None:
    """The stated date where a source gives one (successions), else the Art. 17 rule's."""
    if stated is not None:
        return stated
    if deposited is None:
        return None
    try:
        return rules.entry_into_force(convention_code, deposited)
    except rules.RuleError as error:
        raise rule_error_to_validation_error(error) from error


@transaction.atomic
def membership_upsert(
    *,
    state: State,
    convention: Convention,
    signed: dt.date | None,
    deposited: dt.date | None,
    instrument: str,
    entry_into_force_stated: dt.date | None = None,
    withdrawal_effective: dt.date | None = None,
    source: str = "",
) -> tuple[Membership, str]:
    """Create or update a state's membership, computing entry into force by the rule.

    Returns the membership and what happened: "created", "updated" or "unchanged".
    """
    eif = membership_entry_into_force(
        convention_code=convention.code, deposited=deposited, stated=entry_into_force_stated
    )
    values = {
        "signed": signed,
        "deposited": deposited,
        "instrument": instrument,
        "entry_into_force_stated": entry_into_force_stated,
        "entry_into_force": eif,
        "withdrawal_effective": withdrawal_effective,
        "source": source,
    }
    membership = Membership.objects.filter(state=state, convention=convention).first()
    previous_eif = membership.entry_into_force if membership else None
    action = "updated"
    if membership is None:
        membership = Membership(state=state, convention=convention, **values)
        action = "created"
    elif all(getattr(membership, key) == value for key, value in values.items()):
        return membership, "unchanged"
    else:
        for key, value in values.items():
            setattr(membership, key, value)
    if signed and signed < convention.opened_for_signature:
        raise ValidationError(
            {"signed": "The signature date is before the convention opened for signature."}
        )
    try:
        rules.membership_status(
            on=convention.opened_for_signature,
            signed=signed,
            deposited=deposited,
            entry_into_force=eif,
            withdrawal_effective=withdrawal_effective,
        )
    except rules.RuleError as error:
        raise rule_error_to_validation_error(error) from error
    eif_changed = action == "updated" and previous_eif != eif
    membership.full_clean()
    membership.save()
    if eif_changed and eif is not None:
        # Deadlines follow entry into force: keep the state's obligations in step.
        from icahub.obligations.services import obligation_recompute_deadlines

        for obligation in membership.state.obligations.filter(convention=convention):
            obligation_recompute_deadlines(obligation=obligation)
    return membership, action


@transaction.atomic
def state_update(*, state: State, data: dict, expected_version: int | None = None) -> State:
    """Update the editable details of a state (authority, website, notes).

    ``expected_version`` is the state's ``lock_version`` the editor read; a stale one
    raises ConcurrentEditError and nothing is written."""
    editable = {"mine_action_authority", "website", "notes"}
    unknown = set(data) - editable
    if unknown:
        raise ValidationError({field: "This field cannot be edited." for field in unknown})
    claim_version(state, expected_version)
    for field, value in data.items():
        setattr(state, field, value)
    state.full_clean()
    state.save(update_fields=[*data.keys(), "updated_at"])
    return state


@transaction.atomic
def contact_create(
    *,
    name: str,
    state: State | None = None,
    organisation: Organisation | None = None,
    role: str = "",
    email: str = "",
    phone: str = "",
) -> Contact:
    contact = Contact(
        state=state, organisation=organisation, name=name, role=role, email=email, phone=phone
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, data: dict, expected_version: int | None = None
) -> Organisation:
    """Update an organisation's public details; its name is its key and stays.

    A stale ``expected_version`` raises ConcurrentEditError and nothing is written."""
    editable = {"acronym", "kind", "country", "website", "description"}
    unknown = set(data) - editable
    if unknown:
        raise ValidationError({field: "This field cannot be edited." for field in unknown})
    claim_version(organisation, expected_version)
    for field, value in data.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save(update_fields=[*data.keys(), "updated_at"])
    return organisation

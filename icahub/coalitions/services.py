"""Writes to Country Coalitions and their workspace. Every write is atomic and validated
(``full_clean``) before it is saved; every error names the field it is about. Permission
checks are the callers' (views and API, with ``permissions.py``); these functions enforce
the data's own rules (who can be a member, what a plan may link, which need a commitment
may name).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from icahub.assistance.models import Need
from icahub.coalitions.models import (
    ActionItem,
    ActionStatus,
    Coalition,
    CoalitionMember,
    CoalitionStatus,
    Commitment,
    CommitmentStatus,
    Document,
    Meeting,
    MemberRole,
    MemberStatus,
    Objective,
)
from icahub.errors import conflict
from icahub.funding.models import Flow
from icahub.funding.services import usd_value_for
from icahub.interchange import uploads
from icahub.obligations.models import Obligation
from icahub.registry.models import Convention, Membership, Organisation, State
from icahub.versioning import claim_version

COALITION_EDITABLE = frozenset({"name", "description", "status"})
MEETING_EDITABLE = frozenset(
    {"title", "starts_at", "place", "online_link", "agenda", "minutes", "decisions"}
)
INVITABLE_ROLES = (MemberRole.COORDINATING_PARTNER, MemberRole.MEMBER, MemberRole.OBSERVER)


def _refuse_unknown(data: dict, editable: frozenset[str]) -> None:
    unknown = sorted(set(data) - editable)
    if unknown:
        raise ValidationError({field: _("This field cannot be edited here.") for field in unknown})


def _user_or_none(user):
    return user if user is not None and user.is_authenticated else None


# --- coalitions and members ---------------------------------------------------------------


@transaction.atomic
def coalition_create(
    *,
    lead_state: State,
    convention: Convention,
    name: str,
    description: str = "",
    user=None,
) -> Coalition:
    """A new coalition led by ``lead_state``, a State Party of ``convention``. The lead
    state becomes an active member with the role "lead" at once."""
    if not Membership.objects.filter(
        state=lead_state,
        convention=convention,
        entry_into_force__isnull=False,
        withdrawal_effective__isnull=True,
    ).exists():
        raise ValidationError(
            {
                "lead_state": ValidationError(
                    _("%(state)s is not a State Party of the %(convention)s."),
                    code="not_a_party",
                    params={"state": lead_state.iso3, "convention": convention.code},
                )
            }
        )
    coalition = Coalition(
        name=(name or "").strip(),
        lead_state=lead_state,
        convention=convention,
        description=description or "",
        created_by=_user_or_none(user),
    )
    coalition.full_clean()
    coalition.save()
    lead = CoalitionMember(
        coalition=coalition,
        state=lead_state,
        role=MemberRole.LEAD,
        status=MemberStatus.ACTIVE,
        invited_by=_user_or_none(user),
        responded_at=timezone.now(),
    )
    lead.full_clean()
    lead.save()
    return coalition


@transaction.atomic
def coalition_update(
    *, coalition: Coalition, data: dict, expected_version: int | None = None
) -> Coalition:
    """Change the coalition's name, description or status; a stale ``expected_version``
    (someone saved it meanwhile) raises ConcurrentEditError."""
    _refuse_unknown(data, COALITION_EDITABLE)
    claim_version(coalition, expected_version)
    for name, value in data.items():
        setattr(coalition, name, value.strip() if name == "name" else value)
    coalition.full_clean()
    coalition.save()
    return coalition


def _party_users(member: CoalitionMember):
    """The active users who speak for the member's party (e-mail goes to those with an
    address; everyone gets the in-app notification)."""
    from icahub.accounts.models import User
    from icahub.coalitions.selectors import ORGANISATION_MEMBER_ROLES, STATE_MEMBER_ROLES

    users = User.objects.filter(is_active=True)
    if member.state_id is not None:
        return users.filter(role__in=STATE_MEMBER_ROLES, state_id=member.state_id)
    return users.filter(role__in=ORGANISATION_MEMBER_ROLES, organisation_id=member.organisation_id)


def _send_invitation_mail(member_pk: int) -> None:
    """Tell the invited party's users, in the app and by e-mail, each in their preferred
    language (``notifications.notify``). Called once the invitation is committed, so nothing
    announces an invitation that was rolled back."""
    from icahub.notifications.services import _absolute, notify

    member = CoalitionMember.objects.select_related("coalition", "coalition__lead_state").get(
        pk=member_pk
    )
    path = reverse("coalitions:list")

    def subject() -> str:
        return gettext("Invitation to the Country Coalition %(name)s") % {
            "name": member.coalition.name
        }

    def body() -> str:
        return gettext(
            "Hello,\n\n%(party)s is invited to join the Country Coalition "
            '"%(name)s", led by %(lead)s, as %(role)s.\n\nSign in to icahub and open '
            '"My coalitions" (%(path)s) to accept or decline the invitation.\n\n'
            "The Implementation Support Unit"
        ) % {
            "party": str(member.party),
            "name": member.coalition.name,
            "lead": member.coalition.lead_state.name,
            "role": member.get_role_display(),
            "path": _absolute(path),
        }

    notify(users=_party_users(member), subject=subject, body=body, url=path)


@transaction.atomic
def member_invite(
    *,
    coalition: Coalition,
    role: str = MemberRole.MEMBER,
    state: State | None = None,
    organisation: Organisation | None = None,
    user=None,
) -> CoalitionMember:
    """Invite a state or an organisation (exactly one). A party that declined or left may
    be invited again; one already invited or active may not (409). The invited party's
    users get an e-mail after the transaction commits."""
    if coalition.status != CoalitionStatus.ACTIVE:
        raise conflict("coalition", gettext("This coalition is closed."))
    if (state is None) == (organisation is None):
        raise ValidationError({"state": _("Invite either a state or an organisation.")})
    if role not in INVITABLE_ROLES:
        raise ValidationError({"role": _("Invite as coordinating partner, member or observer.")})
    existing = (
        CoalitionMember.objects.select_for_update()
        .filter(coalition=coalition, state=state, organisation=organisation)
        .first()
    )
    field = "state" if state is not None else "organisation"
    if existing is not None and existing.status in (MemberStatus.INVITED, MemberStatus.ACTIVE):
        raise conflict(
            field,
            gettext("%(party)s is already %(status)s in this coalition.")
            % {"party": existing.party, "status": existing.get_status_display().lower()},
        )
    member = existing or CoalitionMember(
        coalition=coalition, state=state, organisation=organisation
    )
    member.role = role
    member.status = MemberStatus.INVITED
    member.invited_by = _user_or_none(user)
    member.responded_at = None
    member.full_clean()
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:  # a concurrent invitation of the same party
        raise conflict(field, gettext("This party was invited at the same moment.")) from error
    transaction.on_commit(lambda pk=member.pk: _send_invitation_mail(pk))
    return member


def _answer(member: CoalitionMember, status: str) -> CoalitionMember:
    # Read under a row lock: two answers at once cannot both succeed. The version moves on:
    # a page showing the invitation is out of date.
    claim_version(member, None)
    locked = CoalitionMember.objects.select_for_update().get(pk=member.pk)
    if locked.status != MemberStatus.INVITED:
        raise conflict("status", gettext("This invitation has already been answered."))
    locked.status = status
    locked.responded_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["status", "responded_at", "updated_at"])
    # The caller's object tells the new state too.
    member.status, member.responded_at = locked.status, locked.responded_at
    return locked


@transaction.atomic
def invitation_accept(*, member: CoalitionMember) -> CoalitionMember:
    return _answer(member, MemberStatus.ACTIVE)


@transaction.atomic
def invitation_decline(*, member: CoalitionMember) -> CoalitionMember:
    return _answer(member, MemberStatus.DECLINED)


@transaction.atomic
def member_leave(
    *, member: CoalitionMember, expected_version: int | None = None
) -> CoalitionMember:
    """The member leaves (or is removed from) the coalition; an invitation is withdrawn the
    same way. The lead state cannot leave its own coalition: close the coalition instead.
    Its open action items stay, under its name, for the record."""
    claim_version(member, expected_version, deleting=True)
    locked = CoalitionMember.objects.select_for_update().get(pk=member.pk)
    if locked.role == MemberRole.LEAD:
        raise conflict("role", gettext("The lead state cannot leave; close the coalition instead."))
    if locked.status not in (MemberStatus.ACTIVE, MemberStatus.INVITED):
        raise conflict("status", gettext("This party is not a member of the coalition."))
    locked.status = MemberStatus.LEFT
    locked.responded_at = timezone.now()
    locked.save(update_fields=["status", "responded_at", "updated_at"])
    member.status, member.responded_at = locked.status, locked.responded_at
    return locked


@transaction.atomic
def member_change_role(
    *, member: CoalitionMember, role: str, expected_version: int | None = None
) -> CoalitionMember:
    claim_version(member, expected_version)
    if member.role == MemberRole.LEAD:
        raise ValidationError({"role": _("The lead state's role cannot be changed.")})
    if role not in INVITABLE_ROLES:
        raise ValidationError({"role": _("Choose coordinating partner, member or observer.")})
    member.role = role
    member.full_clean()
    member.save(update_fields=["role", "updated_at"])
    return member


# --- plan -----------------------------------------------------------------------------------


def _check_links(coalition: Coalition, obligations, needs) -> None:
    errors = {}
    foreign = [o for o in obligations if o.state_id != coalition.lead_state_id]
    if foreign:
        errors["obligations"] = _("Link only obligations of the lead state.")
    foreign_needs = [n for n in needs if n.state_id != coalition.lead_state_id]
    if foreign_needs:
        errors["needs"] = _("Link only needs of the lead state.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def objective_save(
    *,
    coalition: Coalition,
    title: str,
    description: str = "",
    target_date: dt.date | None = None,
    obligations: list[Obligation] | None = None,
    needs: list[Need] | None = None,
    objective: Objective | None = None,
    expected_version: int | None = None,
) -> Objective:
    """Create (``objective`` None) or replace an objective of the plan and its links. A
    replacement naming a stale ``expected_version`` raises ConcurrentEditError."""
    if objective is not None:
        claim_version(objective, expected_version)
    obligations = list(obligations or [])
    needs = list(needs or [])
    _check_links(coalition, obligations, needs)
    objective = objective or Objective(coalition=coalition)
    objective.title = (title or "").strip()
    objective.description = description or ""
    objective.target_date = target_date
    objective.full_clean()
    objective.save()
    objective.obligations.set(obligations)
    objective.needs.set(needs)
    return objective


# --- meetings and action items --------------------------------------------------------------


@transaction.atomic
def meeting_create(*, coalition: Coalition, user=None, **fields) -> Meeting:
    _refuse_unknown(fields, MEETING_EDITABLE)
    meeting = Meeting(coalition=coalition, created_by=_user_or_none(user), **fields)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, data: dict, expected_version: int | None = None) -> Meeting:
    _refuse_unknown(data, MEETING_EDITABLE)
    claim_version(meeting, expected_version)
    for name, value in data.items():
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    return meeting


def _check_owner(meeting: Meeting, owner: CoalitionMember) -> None:
    if owner.coalition_id != meeting.coalition_id or owner.status != MemberStatus.ACTIVE:
        raise ValidationError({"owner": _("The owner must be an active member of the coalition.")})


@transaction.atomic
def action_item_create(
    *, meeting: Meeting, text: str, owner: CoalitionMember, due_date: dt.date | None = None
) -> ActionItem:
    _check_owner(meeting, owner)
    item = ActionItem(meeting=meeting, text=(text or "").strip(), owner=owner, due_date=due_date)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def action_item_set_status(
    *, item: ActionItem, status: str, expected_version: int | None = None
) -> ActionItem:
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose open or done.")})
    claim_version(item, expected_version)
    item.status = status
    item.full_clean()
    item.save(update_fields=["status", "updated_at"])
    return item


# --- documents ------------------------------------------------------------------------------


@transaction.atomic
def document_upload(*, coalition: Coalition, title: str, file, user=None) -> Document:
    """Keep a file private to the coalition: PDF, PNG, JPEG, DOCX or XLSX, at most
    ``ICAHUB_MAX_UPLOAD_MB``, its type read from its content (``uploads.check``, the same
    checks as a need's evidence)."""
    file_type = uploads.check(file, accepted=uploads.DOCUMENT_TYPES)
    size = file.size
    original_name = uploads.original_name(file)
    stored_name = f"{uuid.uuid4().hex}{file_type.extensions[0]}"
    document = Document(
        coalition=coalition,
        title=(title or "").strip() or original_name[:300],
        file=File(file, name=stored_name),
        original_name=original_name[:255] or stored_name,
        content_type=file_type.content_type,
        size=size,
        created_by=_user_or_none(user),
    )
    document.full_clean()
    document.save()
    return document


# --- commitments ----------------------------------------------------------------------------


def plan_need_ids(coalition: Coalition) -> set[int]:
    return set(
        Objective.needs.through.objects.filter(objective__coalition=coalition).values_list(
            "need_id", flat=True
        )
    )


def _check_commitment(commitment: Commitment) -> None:
    errors = {}
    member = commitment.member
    if member.coalition_id != commitment.coalition_id or member.status != MemberStatus.ACTIVE:
        errors["member"] = _("The member must be an active member of the coalition.")
    elif member.role == MemberRole.OBSERVER:
        errors["member"] = _("Observers do not record commitments.")
    if commitment.need_id not in plan_need_ids(commitment.coalition):
        errors["need"] = _("Choose a need linked to an objective of the plan.")
    flow = commitment.flow
    if flow is not None:
        if flow.need_id != commitment.need_id:
            errors["flow"] = _("The funding flow must be for the same need.")
        elif (member.state_id, member.organisation_id) != (
            flow.giver_state_id,
            flow.giver_organisation_id,
        ):
            errors["flow"] = _("The funding flow must come from the same member.")
    if errors:
        raise ValidationError(errors)


def _currency(value: str | None) -> str:
    return (value or "").strip().upper()


@transaction.atomic
def commitment_create(
    *,
    coalition: Coalition,
    member: CoalitionMember,
    need: Need,
    amount: Decimal,
    currency: str,
    value_date: dt.date,
    description: str = "",
    status: str = CommitmentStatus.COMMITTED,
    flow: Flow | None = None,
    user=None,
) -> Commitment:
    """A member's commitment towards a need of the plan, valued in USD from the ISU's rate
    table at ``value_date`` (empty while no rate is known)."""
    commitment = Commitment(
        coalition=coalition,
        member=member,
        need=need,
        amount=amount,
        currency=_currency(currency),
        value_date=value_date,
        description=description or "",
        status=status,
        flow=flow,
        created_by=_user_or_none(user),
    )
    _check_commitment(commitment)
    commitment.full_clean(exclude=["usd_value"])
    commitment.usd_value = usd_value_for(commitment.amount, commitment.currency, value_date)
    commitment.save()
    return commitment


COMMITMENT_EDITABLE = frozenset(
    {"amount", "currency", "value_date", "description", "status", "flow"}
)


@transaction.atomic
def commitment_update(
    *, commitment: Commitment, data: dict, expected_version: int | None = None
) -> Commitment:
    """Change a commitment; marking it fulfilled names the flow that fulfils it, so the
    gap view counts that flow and no longer the commitment. A stale ``expected_version``
    raises ConcurrentEditError."""
    _refuse_unknown(data, COMMITMENT_EDITABLE)
    claim_version(commitment, expected_version)
    for name, value in data.items():
        setattr(commitment, name, _currency(value) if name == "currency" else value)
    if commitment.status != CommitmentStatus.FULFILLED:
        commitment.flow = None
    _check_commitment(commitment)
    commitment.full_clean(exclude=["usd_value"])
    commitment.usd_value = usd_value_for(
        commitment.amount, commitment.currency, commitment.value_date
    )
    commitment.save()
    return commitment

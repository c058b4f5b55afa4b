"""Who may see and change a Country Coalition and its workspace.

What is public: a coalition's existence — its name, lead state, convention, description,
status and its *active* members with their roles — is shown to everyone, signed in or not,
so that states and partners know who already works with whom. Everything else is the
*workspace* and is private to the coalition: the plan (objectives), meetings and their
action items, documents, commitments, the gap view, and invitations that are pending,
declined or withdrawn. The workspace is read by the active members (users who speak for a
member state or organisation, see ``selectors.member_party_q``) and by the ISU, which
facilitates every coalition. Coordinators read it only if their state or organisation is a
member: nothing in the conventions' guidance gives them a role in a coalition. To anyone
else a private record does not exist (404).

Writes:

- create a coalition: the ISU, or a focal point of the state that will lead it;
- change the coalition, its plan and its members' roles, remove members: the ISU and the
  lead state's focal points;
- invite: the ISU, the lead state's focal points and coordinating partners;
- meetings, action items and documents: the ISU, the lead state and coordinating partners;
- commitments: each active member (not an observer) records its own; the ISU and the lead
  state record for any member;
- answer an invitation: the users who speak for the invited party; leave: the users who
  speak for an active member other than the lead.
"""

from __future__ import annotations

import rules

from icahub.accounts.permissions import is_isu
from icahub.coalitions.models import (
    Coalition,
    CoalitionMember,
    CoalitionStatus,
    MemberRole,
    MemberStatus,
)
from icahub.coalitions.selectors import (
    ORGANISATION_MEMBER_ROLES,
    STATE_MEMBER_ROLES,
    user_coalition_ids,
)


def speaks_for(user, member: CoalitionMember) -> bool:
    """Whether the user speaks for the member's state or organisation."""
    if not (user and user.is_authenticated) or member is None:
        return False
    if member.state_id is not None:
        return user.role in STATE_MEMBER_ROLES and user.state_id == member.state_id
    return user.role in ORGANISATION_MEMBER_ROLES and user.organisation_id == member.organisation_id


def own_active_roles(user, coalition: Coalition) -> set[str]:
    """The roles of the user's parties that are active members of ``coalition``."""
    if not (user and user.is_authenticated) or coalition is None or coalition.pk is None:
        return set()
    cache = user.__dict__.setdefault("_coalition_roles", {})
    if coalition.pk not in cache:
        cache[coalition.pk] = {
            member.role
            for member in coalition.members.filter(status=MemberStatus.ACTIVE)
            if speaks_for(user, member)
        }
    return cache[coalition.pk]


def is_lead_focal_point(user, coalition: Coalition | None) -> bool:
    return bool(
        user
        and user.is_authenticated
        and coalition is not None
        and user.role == "state_focal_point"
        and user.state_id is not None
        and user.state_id == coalition.lead_state_id
    )


@rules.predicate
def can_see_workspace(user, coalition: Coalition | None) -> bool:
    if coalition is None:
        return False
    if is_isu(user) or coalition.pk in user_coalition_ids(user):
        return True
    # A closed coalition's record stays readable by those who were its members at closing.
    return coalition.status == CoalitionStatus.CLOSED and bool(own_active_roles(user, coalition))


@rules.predicate
def can_create_coalition(user, coalition: Coalition | None) -> bool:
    """``coalition`` is a probe naming the lead state (or None: may the user create any)."""
    if is_isu(user):
        return True
    if not (user and user.is_authenticated) or user.role != "state_focal_point":
        return False
    if user.state_id is None:
        return False
    return coalition is None or coalition.lead_state_id in (None, user.state_id)


def _open(coalition: Coalition | None) -> bool:
    return coalition is not None and coalition.status == CoalitionStatus.ACTIVE


@rules.predicate
def can_manage(user, coalition: Coalition | None) -> bool:
    """Change the coalition and its plan, members' roles, removals."""
    if coalition is None:
        return False
    return is_isu(user) or is_lead_focal_point(user, coalition)


@rules.predicate
def can_invite(user, coalition: Coalition | None) -> bool:
    if not _open(coalition):
        return False
    return (
        is_isu(user)
        or is_lead_focal_point(user, coalition)
        or MemberRole.COORDINATING_PARTNER in own_active_roles(user, coalition)
    )


@rules.predicate
def can_run_meetings(user, coalition: Coalition | None) -> bool:
    """Meetings, action items and documents."""
    if coalition is None:
        return False
    return (
        is_isu(user)
        or is_lead_focal_point(user, coalition)
        or MemberRole.COORDINATING_PARTNER in own_active_roles(user, coalition)
    )


@rules.predicate
def can_commit(user, coalition: Coalition | None) -> bool:
    """Record a commitment (for one's own membership, or any for the ISU and lead)."""
    if not _open(coalition):
        return False
    if is_isu(user) or is_lead_focal_point(user, coalition):
        return True
    return bool(own_active_roles(user, coalition) - {MemberRole.OBSERVER})


@rules.predicate
def can_commit_for(user, member: CoalitionMember | None) -> bool:
    if member is None or member.status != MemberStatus.ACTIVE:
        return False
    if member.role == MemberRole.OBSERVER:
        return False
    coalition = member.coalition
    if not _open(coalition):
        return False
    return is_isu(user) or is_lead_focal_point(user, coalition) or speaks_for(user, member)


@rules.predicate
def can_answer_invitation(user, member: CoalitionMember | None) -> bool:
    return (
        member is not None
        and member.status == MemberStatus.INVITED
        and _open(member.coalition)
        and speaks_for(user, member)
    )


@rules.predicate
def can_leave(user, member: CoalitionMember | None) -> bool:
    return (
        member is not None
        and member.status == MemberStatus.ACTIVE
        and member.role != MemberRole.LEAD
        and speaks_for(user, member)
    )


rules.add_perm("coalitions.view_workspace", can_see_workspace)
rules.add_perm("coalitions.add_coalition", can_create_coalition)
rules.add_perm("coalitions.change_coalition", can_manage)
rules.add_perm("coalitions.invite_member", can_invite)
rules.add_perm("coalitions.run_meetings", can_run_meetings)
rules.add_perm("coalitions.add_commitment", can_commit)
rules.add_perm("coalitions.commit_for_member", can_commit_for)
rules.add_perm("coalitions.answer_invitation", can_answer_invitation)
rules.add_perm("coalitions.leave_coalition", can_leave)

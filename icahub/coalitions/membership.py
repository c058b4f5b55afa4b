"""Who belongs to which Country Coalition, for the permission checks of every app.

Kept apart from ``selectors.py`` (which reads funding totals for the gap view) so that the
funding and assistance apps can ask "is this user a member?" without importing back.
"""

from __future__ import annotations

from django.db.models import Q

from icahub.coalitions.models import (
    Coalition,
    CoalitionMember,
    CoalitionStatus,
    MemberStatus,
    Objective,
)

# The roles that speak for a state, and those that speak for an organisation, in a coalition.
STATE_MEMBER_ROLES = frozenset({"state_focal_point", "donor_focal_point"})
ORGANISATION_MEMBER_ROLES = frozenset({"partner", "donor_focal_point"})


def member_party_q(user, prefix: str = "") -> Q | None:
    """A filter on ``{prefix}state`` / ``{prefix}organisation`` matching the party (state or
    organisation) the user speaks for, or None when the user speaks for none."""
    if not (user and user.is_authenticated):
        return None
    q = Q(pk__in=[])
    speaks = False
    if user.role in STATE_MEMBER_ROLES and user.state_id is not None:
        q |= Q(**{f"{prefix}state_id": user.state_id})
        speaks = True
    if user.role in ORGANISATION_MEMBER_ROLES and user.organisation_id is not None:
        q |= Q(**{f"{prefix}organisation_id": user.organisation_id})
        speaks = True
    return q if speaks else None


def user_coalition_ids(user) -> frozenset[int]:
    """The active coalitions in which the user's state or organisation is an active member
    (the lead state is a member with the role "lead"). Cached on the user for a request."""
    cached = getattr(user, "_member_coalition_ids", None) if user is not None else None
    if cached is not None:
        return cached
    party = member_party_q(user)
    if party is None:
        ids: frozenset[int] = frozenset()
    else:
        ids = frozenset(
            CoalitionMember.objects.filter(
                party,
                status=MemberStatus.ACTIVE,
                coalition__status=CoalitionStatus.ACTIVE,
            ).values_list("coalition_id", flat=True)
        )
    if user is not None and user.is_authenticated:
        user._member_coalition_ids = ids
    return ids


# --- coalitions, members and workspace --------------------------------------------------------


def coalition_reach(user) -> dict[str, frozenset[int]]:
    """What the user's active coalitions make visible to them among needs and offers with
    the visibility "coalition" (cached on the user for a request):

    - ``lead_states``: the lead states of those coalitions (their needs);
    - ``plan_needs``: the needs their plans link;
    - ``member_states`` / ``member_organisations``: their active members (the offers
      these provide).
    """
    cached = getattr(user, "_coalition_reach", None) if user is not None else None
    if cached is not None:
        return cached
    ids = user_coalition_ids(user)
    if not ids:
        reach = {
            "lead_states": frozenset(),
            "plan_needs": frozenset(),
            "member_states": frozenset(),
            "member_organisations": frozenset(),
        }
    else:
        members = CoalitionMember.objects.filter(
            coalition_id__in=ids, status=MemberStatus.ACTIVE
        ).values_list("state_id", "organisation_id")
        reach = {
            "lead_states": frozenset(
                Coalition.objects.filter(pk__in=ids).values_list("lead_state_id", flat=True)
            ),
            "plan_needs": frozenset(
                Objective.needs.through.objects.filter(objective__coalition_id__in=ids).values_list(
                    "need_id", flat=True
                )
            ),
            "member_states": frozenset(state for state, _ in members if state is not None),
            "member_organisations": frozenset(org for _, org in members if org is not None),
        }
    if user is not None and user.is_authenticated:
        user._coalition_reach = reach
    return reach

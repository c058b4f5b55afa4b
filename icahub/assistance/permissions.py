"""Who may see, create and change needs and offers.

Visibility of a need or an offer:

- ``public``: everyone, signed in or not;
- ``states_parties``: the ISU, coordinators, the owner, and signed-in users whose state is a
  State Party (entry into force recorded, no withdrawal) of the need's convention; for an
  offer, a State Party of either convention;
- ``coalition``: the owner, the ISU and the active members of active Country Coalitions
  concerned: for a need, coalitions led by the need's state or whose plan links the need;
  for an offer, coalitions in which its provider is an active member (see
  ``icahub.coalitions.membership.coalition_reach``);
- ``private``: the owner and the ISU.

The owner of a need is its state (that state's focal points). The owner of an offer is its
provider: for a state, its state and donor focal points; for an organisation, its partner
members and donor focal points belonging to it. Only the ISU and the owner create and
change records. ``selectors.py`` applies the same rules as query filters for lists; a test
checks that both agree.
"""

from __future__ import annotations

import rules

from icahub.accounts.permissions import is_coordinator, is_isu
from icahub.registry.models import Membership

STATE_OFFER_ROLES = frozenset({"state_focal_point", "donor_focal_point"})
ORGANISATION_OFFER_ROLES = frozenset({"partner", "donor_focal_point"})


def party_convention_ids(user) -> frozenset[int]:
    """The conventions to which the user's state is a party (cached on the user object for
    the length of a request)."""
    if not (user and user.is_authenticated) or user.state_id is None:
        return frozenset()
    cached = getattr(user, "_assistance_party_conventions", None)
    if cached is None:
        cached = frozenset(
            Membership.objects.filter(
                state_id=user.state_id,
                entry_into_force__isnull=False,
                withdrawal_effective__isnull=True,
            ).values_list("convention_id", flat=True)
        )
        user._assistance_party_conventions = cached
    return cached


def owns_need(user, need) -> bool:
    return bool(
        user
        and user.is_authenticated
        and need is not None
        and user.role == "state_focal_point"
        and user.state_id is not None
        and user.state_id == need.state_id
    )


def owns_offer(user, offer) -> bool:
    if not (user and user.is_authenticated) or offer is None:
        return False
    if offer.provider_state_id is not None:
        return user.role in STATE_OFFER_ROLES and user.state_id == offer.provider_state_id
    if offer.provider_organisation_id is not None:
        return (
            user.role in ORGANISATION_OFFER_ROLES
            and user.organisation_id == offer.provider_organisation_id
        )
    return False


def _sees(user, record, *, owner: bool, party: bool, coalition: bool = False) -> bool:
    visibility = record.visibility
    if visibility == "public":
        return True
    if is_isu(user) or owner:
        return True
    if visibility == "states_parties":
        return is_coordinator(user) or party
    if visibility == "coalition":
        return coalition
    # "private": owner and ISU only.
    return False


def _in_coalition_with_need(user, need) -> bool:
    from icahub.coalitions.membership import coalition_reach

    reach = coalition_reach(user)
    return need.state_id in reach["lead_states"] or need.pk in reach["plan_needs"]


def _in_coalition_with_provider(user, offer) -> bool:
    from icahub.coalitions.membership import coalition_reach

    reach = coalition_reach(user)
    if offer.provider_state_id is not None:
        return offer.provider_state_id in reach["member_states"]
    return offer.provider_organisation_id in reach["member_organisations"]


@rules.predicate
def is_need_owner(user, need) -> bool:
    return owns_need(user, need)


@rules.predicate
def is_offer_owner(user, offer) -> bool:
    return owns_offer(user, offer)


@rules.predicate
def can_see_need(user, need) -> bool:
    if need is None:
        return False
    return _sees(
        user,
        need,
        owner=owns_need(user, need),
        party=need.convention_id in party_convention_ids(user),
        coalition=need.visibility == "coalition" and _in_coalition_with_need(user, need),
    )


@rules.predicate
def can_see_offer(user, offer) -> bool:
    if offer is None:
        return False
    return _sees(
        user,
        offer,
        owner=owns_offer(user, offer),
        party=bool(party_convention_ids(user)),
        coalition=offer.visibility == "coalition" and _in_coalition_with_provider(user, offer),
    )


rules.add_perm("assistance.view_need", can_see_need)
rules.add_perm("assistance.add_need", is_isu | is_need_owner)
rules.add_perm("assistance.change_need", is_isu | is_need_owner)
rules.add_perm("assistance.view_offer", can_see_offer)
rules.add_perm("assistance.add_offer", is_isu | is_offer_owner)
rules.add_perm("assistance.change_offer", is_isu | is_offer_owner)
# The matching weights are public (they explain every score); only the ISU sets them.
rules.add_perm("assistance.change_matchingweights", is_isu)

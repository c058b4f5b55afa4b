"""Who may see, record and change funding flows and exchange rates.

Visibility of a flow:

- ``public``: everyone, signed in or not;
- ``states_parties``: the ISU, coordinators, the flow's parties, and signed-in users whose
  state is a State Party of either convention;
- ``coalition``: the ISU, the flow's parties, and the active members of the recipient
  Country Coalition (``coalitions.selectors.user_coalition_ids``);
- ``private``: the ISU and the flow's parties.

The *parties* of a flow are its giver and its recipient. A user speaks for a state as one
of its state or donor focal points, and for an organisation as one of its partner members
or donor focal points (the same roles as for offers and coalitions).

The ISU records, changes and deletes any flow; a party's users record, change and delete
the flows of their own state (when that state is a State Party of either convention) or
organisation. Only the ISU maintains exchange rates and imports files. ``selectors.py``
applies the same rules as query filters; a test checks that both agree.
"""

from __future__ import annotations

import rules

from icahub.accounts.permissions import is_coordinator, is_isu
from icahub.assistance.permissions import party_convention_ids
from icahub.coalitions.membership import (
    ORGANISATION_MEMBER_ROLES,
    STATE_MEMBER_ROLES,
    user_coalition_ids,
)


def speaks_for_state(user) -> int | None:
    """The state the user records flows for, or None."""
    if not (user and user.is_authenticated) or user.role not in STATE_MEMBER_ROLES:
        return None
    if user.state_id is None or not party_convention_ids(user):
        return None
    return user.state_id


def speaks_for_organisation(user) -> int | None:
    """The organisation the user records flows for, or None."""
    if not (user and user.is_authenticated) or user.role not in ORGANISATION_MEMBER_ROLES:
        return None
    return user.organisation_id


def is_party(user, flow) -> bool:
    """Whether the user speaks for the flow's giver or its recipient."""
    if flow is None:
        return False
    state = speaks_for_state(user)
    organisation = speaks_for_organisation(user)
    if state is not None and state in (flow.giver_state_id, flow.recipient_state_id):
        return True
    return organisation is not None and organisation in (
        flow.giver_organisation_id,
        flow.recipient_organisation_id,
    )


def _sees_as_party(user, flow) -> bool:
    """Seeing is wider than changing: a focal point of a state that is not (yet) a party
    still sees the flows its state gives or receives."""
    if not (user and user.is_authenticated) or flow is None:
        return False
    if user.role in STATE_MEMBER_ROLES and user.state_id is not None:
        if user.state_id in (flow.giver_state_id, flow.recipient_state_id):
            return True
    if user.role in ORGANISATION_MEMBER_ROLES and user.organisation_id is not None:
        if user.organisation_id in (flow.giver_organisation_id, flow.recipient_organisation_id):
            return True
    return False


@rules.predicate
def can_see_flow(user, flow) -> bool:
    if flow is None:
        return False
    if flow.visibility == "public" or is_isu(user) or _sees_as_party(user, flow):
        return True
    if not (user and user.is_authenticated):
        return False
    if flow.visibility == "states_parties":
        return is_coordinator(user) or bool(party_convention_ids(user))
    if flow.visibility == "coalition":
        return (
            flow.recipient_coalition_id is not None
            and flow.recipient_coalition_id in user_coalition_ids(user)
        )
    return False


@rules.predicate
def is_flow_party(user, flow) -> bool:
    return is_party(user, flow)


@rules.predicate
def records_flows(user) -> bool:
    """Whether the user may record a flow at all (for their own state or organisation)."""
    return speaks_for_state(user) is not None or speaks_for_organisation(user) is not None


rules.add_perm("funding.view_flow", can_see_flow)
rules.add_perm("funding.add_flow", is_isu | is_flow_party)
rules.add_perm("funding.change_flow", is_isu | is_flow_party)
rules.add_perm("funding.delete_flow", is_isu | is_flow_party)
rules.add_perm("funding.record_flows", is_isu | records_flows)
rules.add_perm("funding.merge_flows", is_isu)
rules.add_perm("funding.import_flows", is_isu)
rules.add_perm("funding.add_exchangerate", is_isu)

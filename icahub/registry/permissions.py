"""Who may change registry records. Reading the registry is public."""

import rules

from icahub.accounts.permissions import is_isu


@rules.predicate
def is_focal_point_of_state(user, state) -> bool:
    return bool(
        user.is_authenticated
        and user.role == "state_focal_point"
        and state is not None
        and user.state_id == state.pk
    )


@rules.predicate
def is_member_of_organisation(user, organisation) -> bool:
    return bool(
        user.is_authenticated
        and user.role == "partner"
        and organisation is not None
        and user.organisation_id == organisation.pk
    )


rules.add_perm("registry.change_state", is_isu | is_focal_point_of_state)
rules.add_perm("registry.add_contact", is_isu | is_focal_point_of_state)
rules.add_perm("registry.change_membership", is_isu)
rules.add_perm("registry.add_organisation", is_isu)
rules.add_perm("registry.change_organisation", is_isu | is_member_of_organisation)

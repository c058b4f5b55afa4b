"""Who may change obligations. Obligations are public; the ISU records them and the
extensions meetings grant; a state's focal point may record its own completion and notes."""

import rules

from icahub.accounts.permissions import is_isu


@rules.predicate
def is_focal_point_of_obligation_state(user, obligation) -> bool:
    return bool(
        user.is_authenticated
        and user.role == "state_focal_point"
        and obligation is not None
        and user.state_id == obligation.state_id
    )


rules.add_perm("obligations.add_obligation", is_isu)
rules.add_perm("obligations.add_extension", is_isu)
rules.add_perm("obligations.change_obligation", is_isu | is_focal_point_of_obligation_state)

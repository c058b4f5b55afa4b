"""Role predicates shared by every app's permissions.py (django-rules)."""

import rules


@rules.predicate
def is_isu(user) -> bool:
    return bool(user and user.is_authenticated and user.is_isu)


@rules.predicate
def is_coordinator(user) -> bool:
    return bool(user and user.is_authenticated and user.role == "coordinator")


@rules.predicate
def is_state_focal_point(user) -> bool:
    return bool(user and user.is_authenticated and user.role == "state_focal_point")


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


rules.add_perm("accounts.view_history", is_isu)
# The sign-in audit (who signed in or failed to, from where): the ISU only.
rules.add_perm("accounts.view_login_events", is_isu)

"""Who sees, makes, objects to and answers relays (django-rules).

- Relaying a need: the ISU and coordinators, for a need they may see.
- Seeing a relay: the ISU; coordinators (for needs they may see); the requesting state's
  users (its focal points and donor focal points); and, once the relay has been *sent*,
  the users of each partner it went to. Before sending (while the state may object) and
  after an objection, partners do not see it at all: that is the point of the objection
  period.
- What a partner sees: the need's title, state, area and the relay's dates, and **its own
  answer only**. Other partners' answers (and pledges) stay with the ISU, coordinators and
  the requesting state: partners answer independently, and a donor's intentions are not
  disclosed to other donors through icahub.
- Objecting: a focal point of the requesting state, until the deadline.
- Answering a relay: the partner's users (a state: its state and donor focal points; an
  organisation: its partner members and donor focal points).
- Answering a follow-up: the party asked (the requesting state's focal points, or the
  partner's users).
"""

from __future__ import annotations

import rules

from icahub.accounts.permissions import is_coordinator, is_isu
from icahub.assistance.permissions import can_see_need
from icahub.relays.models import RelayStatus

STATE_PARTNER_ROLES = frozenset({"state_focal_point", "donor_focal_point"})
ORGANISATION_PARTNER_ROLES = frozenset({"partner", "donor_focal_point"})
REQUESTING_STATE_ROLES = frozenset({"state_focal_point", "donor_focal_point"})


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def speaks_for(user, recipient) -> bool:
    """Whether the user answers for this recipient (its state or organisation)."""
    if not _signed_in(user) or recipient is None:
        return False
    if recipient.state_id is not None:
        return user.role in STATE_PARTNER_ROLES and user.state_id == recipient.state_id
    return (
        user.role in ORGANISATION_PARTNER_ROLES
        and user.organisation_id is not None
        and user.organisation_id == recipient.organisation_id
    )


def of_requesting_state(user, relay) -> bool:
    return bool(
        _signed_in(user)
        and relay is not None
        and user.role in REQUESTING_STATE_ROLES
        and user.state_id is not None
        and user.state_id == relay.need.state_id
    )


def is_requesting_focal_point(user, relay) -> bool:
    return of_requesting_state(user, relay) and user.role == "state_focal_point"


def own_recipients(user, relay) -> list:
    """The recipients of ``relay`` the user answers for (prefetched rows are used)."""
    return [r for r in relay.recipients.all() if speaks_for(user, r)]


@rules.predicate
def can_relay_need(user, need) -> bool:
    return bool((is_isu(user) or is_coordinator(user)) and can_see_need(user, need))


@rules.predicate
def can_view_relay(user, relay) -> bool:
    if relay is None or not _signed_in(user):
        return False
    if is_isu(user):
        return True
    if is_coordinator(user):
        return can_see_need(user, relay.need)
    if of_requesting_state(user, relay):
        return True
    return relay.status == RelayStatus.SENT and bool(own_recipients(user, relay))


@rules.predicate
def can_view_all_answers(user, relay) -> bool:
    if relay is None:
        return False
    return bool(
        is_isu(user)
        or (is_coordinator(user) and can_see_need(user, relay.need))
        or of_requesting_state(user, relay)
    )


@rules.predicate
def can_object(user, relay) -> bool:
    return relay is not None and is_requesting_focal_point(user, relay)


@rules.predicate
def can_cancel(user, relay) -> bool:
    return relay is not None and bool(
        is_isu(user) or (is_coordinator(user) and can_see_need(user, relay.need))
    )


@rules.predicate
def can_answer(user, recipient) -> bool:
    return bool(
        recipient is not None
        and recipient.relay.status == RelayStatus.SENT
        and speaks_for(user, recipient)
    )


@rules.predicate
def can_answer_follow_up(user, follow_up) -> bool:
    if follow_up is None or follow_up.asked_at is None:
        return False
    if follow_up.recipient_id is None:
        return is_requesting_focal_point(user, follow_up.relay)
    return speaks_for(user, follow_up.recipient)


rules.add_perm("relays.add_relay", can_relay_need)
rules.add_perm("relays.view_relay", can_view_relay)
rules.add_perm("relays.view_all_answers", can_view_all_answers)
rules.add_perm("relays.object_relay", can_object)
rules.add_perm("relays.cancel_relay", can_cancel)
rules.add_perm("relays.answer_relay", can_answer)
rules.add_perm("relays.answer_follow_up", can_answer_follow_up)
rules.add_perm("relays.view_list", is_isu | is_coordinator)

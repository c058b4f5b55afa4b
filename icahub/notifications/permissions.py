"""Who may read and mark a notification: its recipient only (not even the ISU reads other
people's messages)."""

from __future__ import annotations

import rules


@rules.predicate
def is_recipient(user, notification) -> bool:
    return bool(
        user
        and user.is_authenticated
        and notification is not None
        and notification.recipient_id == user.pk
    )


rules.add_perm("notifications.view_notification", is_recipient)
rules.add_perm("notifications.change_notification", is_recipient)

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from icahub.notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict:
    """The number of unread notifications for the header; counted (one query) only when a
    template shows it."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user))}

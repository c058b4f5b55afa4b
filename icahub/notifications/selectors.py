"""Reads of a user's notifications."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from icahub.notifications.models import Notification


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nothing for an anonymous visitor)."""
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def notification_get(*, user, pk: int) -> Notification:
    """One of the user's own notifications; 404 for anybody else's (not disclosed)."""
    return get_object_or_404(notification_list(user=user), pk=pk)


def unread_count(user) -> int:
    """One COUNT query on the (recipient, read_at) index."""
    if not (user and user.is_authenticated):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

"""Writes of notifications: ``notify`` (in-app and e-mail) and marking them read.

Other apps call ``notify(users=..., subject=..., body=..., url=...)``. The subject and the
body are written in each recipient's preferred language: pass lazy translations
(``gettext_lazy``) or a callable returning text (for messages with values, e.g.
``lambda: _("Relay of %(title)s") % {"title": need.title}``); each is evaluated inside
``translation.override(recipient.preferred_language)``. E-mails are sent only once the
surrounding transaction has committed, so a rolled-back write sends nothing; a failing mail
server is logged and never undoes the write that caused the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from icahub.notifications.models import Notification

logger = logging.getLogger(__name__)

Text = str | Promise | Callable[[], str]
LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def _language(user) -> str:
    preferred = (getattr(user, "preferred_language", "") or "").split("-")[0].lower()
    return preferred if preferred in LANGUAGE_CODES else settings.LANGUAGE_CODE


def _render(text: Text) -> str:
    value = text() if callable(text) else text
    return str(value)


def _unique_users(users: Iterable) -> list:
    seen: dict[int, object] = {}
    for user in users:
        if user is not None and user.pk is not None and user.is_active:
            seen.setdefault(user.pk, user)
    return list(seen.values())


def _absolute(url: str) -> str:
    base = getattr(settings, "ICAHUB_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if base and url else url


def _send_emails(messages: list[tuple[str, str, str]]) -> None:
    """Send (address, subject, body) messages over one connection; log, never raise."""
    if not messages:
        return
    try:
        connection = get_connection()
        connection.send_messages(
            [
                EmailMessage(subject=subject, body=body, to=[address], connection=connection)
                for address, subject, body in messages
            ]
        )
    except Exception:  # a mail server's failure must not break the page that caused it
        logger.exception("Could not send %d notification e-mail(s)", len(messages))


@transaction.atomic
def notify(
    *, users: Iterable, subject: Text, body: Text = "", url: str = "", send_email: bool = True
) -> list[Notification]:
    """Give each (active) user an in-app notification and, with ``send_email``, an e-mail
    to their address (users without one get the in-app notification only). Each user gets
    the texts in their preferred language. Returns the notifications created."""
    if url and not url.startswith("/"):
        raise ValidationError({"url": _("Give a path on this site, starting with /.")})
    created: list[Notification] = []
    emails: list[tuple[str, str, str]] = []
    for user in _unique_users(users):
        with translation.override(_language(user)):
            subject_text = " ".join(_render(subject).split())[:300]
            body_text = _render(body)
            if send_email and user.email:
                footer = _("Open it on icahub: %(url)s") % {"url": _absolute(url)} if url else ""
                emails.append((user.email, subject_text, f"{body_text}\n\n{footer}".strip() + "\n"))
        notification = Notification(recipient=user, subject=subject_text, body=body_text, url=url)
        notification.full_clean()
        created.append(notification)
    Notification.objects.bulk_create(created)
    if emails:
        transaction.on_commit(lambda: _send_emails(emails))
    return created


def notification_mark_read(*, notification: Notification, user) -> Notification:
    """Mark one of the user's notifications read (again: no change)."""
    if notification.recipient_id != user.pk:
        raise ValidationError({"notification": _("This is not your notification.")})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )

"""Receivers that write the sign-in audit (``LoginEvent``) from Django's and django-axes'
signals: the audit sees every sign-in path (pages, API token, admin) without each view
having to remember it."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from icahub.accounts.models import LoginEventKind
from icahub.accounts.services import login_event_record


def _username(credentials: dict | None) -> str:
    return str((credentials or {}).get("username") or "")


@receiver(user_logged_in, dispatch_uid="icahub-login-audit-in")
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is not None:
        # The start of the session, for its absolute expiry (SessionExpiryMiddleware).
        from icahub.accounts.middleware import mark_session_start

        mark_session_start(request)
    login_event_record(kind=LoginEventKind.SIGNED_IN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="icahub-login-audit-failed")
def _failed(sender, credentials, request=None, **kwargs) -> None:
    login_event_record(kind=LoginEventKind.FAILED, request=request, username=_username(credentials))


@receiver(user_locked_out, dispatch_uid="icahub-login-audit-locked")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    login_event_record(kind=LoginEventKind.LOCKED_OUT, request=request, username=username or "")


@receiver(user_logged_out, dispatch_uid="icahub-login-audit-out")
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    kind = (
        LoginEventKind.EXPIRED
        if getattr(request, "icahub_session_expired", False)
        else LoginEventKind.SIGNED_OUT
    )
    login_event_record(kind=kind, request=request, user=user)

"""Writes of the accounts app: the sign-in audit trail."""

from __future__ import annotations

from django.http import HttpRequest

from icahub.accounts.models import LoginEvent, LoginEventKind, User

USER_AGENT_LENGTH = 300


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    # The same address django-axes counts failures against (REMOTE_ADDR, or the proxy
    # header it is configured to trust).
    address = get_client_ip_address(getattr(request, "_request", request))
    return address or None


def login_event_record(
    *,
    kind: LoginEventKind | str,
    request: HttpRequest | None,
    username: str = "",
    user: User | None = None,
) -> LoginEvent:
    """Record one event of the sign-in audit; the user's name, address and browser are
    taken from the request (the name as typed for a failed attempt)."""
    meta = getattr(request, "META", {}) if request is not None else {}
    path = getattr(request, "path", "") or ""
    event = LoginEvent(
        kind=kind,
        username=(username or (user.get_username() if user else ""))[:150],
        user=user if user is not None and user.pk else None,
        ip_address=_client_ip(request),
        user_agent=(meta.get("HTTP_USER_AGENT") or "")[:USER_AGENT_LENGTH],
        channel="api" if path.startswith("/api/") else "web",
    )
    event.full_clean(exclude=["user"])
    event.save()
    return event

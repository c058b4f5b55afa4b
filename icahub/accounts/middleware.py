"""Session expiry: a signed-in session ends after ``SESSION_IDLE_TIMEOUT`` seconds without a
request, and in any case ``SESSION_COOKIE_AGE`` seconds after signing in.

Django alone renews the session's expiry each time the session is saved, so its
``SESSION_COOKIE_AGE`` is not an absolute limit once anything writes to the session; and it
has no idle limit. Both are checked here, on the server, against two times kept in the
session (the browser's cookie expiry is only a hint)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest
from django.utils.translation import gettext as _

SIGNED_IN_AT = "icahub_signed_in_at"
LAST_SEEN_AT = "icahub_last_seen_at"
# Write "last seen" at most once a minute: one session write per request would cost every
# page a database write for a precision nobody needs.
LAST_SEEN_RESOLUTION = 60


def mark_session_start(request: HttpRequest) -> None:
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def session_expired(session, now: float) -> bool:
    started = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN_AT, started)
    if started is None:
        return False
    idle = getattr(settings, "SESSION_IDLE_TIMEOUT", 0)
    if idle and now - last_seen > idle:
        return True
    return now - started > settings.SESSION_COOKIE_AGE


class SessionExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = time.time()
            if session.get(SIGNED_IN_AT) is None:
                # A session from before this check (or made by force_login): count from now.
                mark_session_start(request)
            elif session_expired(session, now):
                # Read by the sign-out receiver, which records "session expired".
                request.icahub_session_expired = True
                logout(request)
                if not request.path_info.startswith("/api/"):
                    messages.info(request, _("Your session has expired. Please sign in again."))
            elif now - session.get(LAST_SEEN_AT, 0) >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN_AT] = int(now)
        return self.get_response(request)
